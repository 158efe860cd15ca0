"""Signed releases of the station software: versions, manifest, bundle."""
