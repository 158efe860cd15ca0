"""The central service: SCEJAL stand-in, station enrollment, sync, folio blocks, trust list."""
