"""School credential station: issue, print and verify student ID cards (credenciales)."""

__version__ = "0.1.0"
