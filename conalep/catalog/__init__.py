"""Catalogues CONALEP publishes as data (academic models; careers come from the SAE export)."""
