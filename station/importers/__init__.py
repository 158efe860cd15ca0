"""Adapters that read files people bring to the station (SCEJAL roster exports)."""
