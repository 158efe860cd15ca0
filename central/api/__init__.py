"""Central's HTTP API (FastAPI): station sync, enrollment, staff actions, staff web page."""
