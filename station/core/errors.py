"""The station's error hierarchy.

Every error carries a message for the person at the station (es-MX, plain words) and, where
there is one, the way out. Adapters map the errors of the libraries below them (sqlite3,
pycups, Pillow, zxing) onto these classes, so callers never catch a library's exception.

>>> try:
...     raise FolioExhausted("No quedan folios.", way_out="Sincronice la estación.")
... except StationError as exc:
...     print(exc.user_message())
No quedan folios. Sincronice la estación.
"""

from __future__ import annotations


class StationError(Exception):
    """Base class: something the operator must read. ``str(exc)`` is the Spanish message."""

    def __init__(self, message: str, *, way_out: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.way_out = way_out

    def user_message(self) -> str:
        return f"{self.message} {self.way_out}" if self.way_out else self.message


class InputError(StationError):
    """A file, row, field or argument the user gave is wrong."""


class RuleViolation(StationError):
    """A domain rule refuses the action (e.g. a sheet already confirmed cannot be spoiled)."""


class NotFound(StationError):
    """A school, student, sheet or card the user named does not exist in the ledger."""


class FolioExhausted(StationError):
    """The station holds no unused folio for the sheet it must produce."""


class PrinterError(StationError):
    """CUPS or the printer refused, stopped or cannot be reached."""


class StorageError(StationError):
    """The ledger or the photo store cannot be read or written."""


class CredentialError(StationError):
    """A key or a trust list is missing or unreadable."""
