"""The error hierarchy shared by every deployable (station, central, conalep).

Every error carries a message for the person reading it (es-MX, plain words) and, where there
is one, the way out. Adapters map the errors of the libraries below them (sqlite3, pycups,
Pillow, zxing) onto these classes, so callers never catch a library's exception. Errors only
one deployable raises subclass :class:`DomainError` in that deployable (e.g.
``station.core.errors.FolioExhausted``).

>>> try:
...     raise NotFound("No existe la escuela 14DPR0000Z.", way_out="Revise la CCT.")
... except DomainError as exc:
...     print(exc.user_message())
No existe la escuela 14DPR0000Z. Revise la CCT.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: something a person must read. ``str(exc)`` is the Spanish message."""

    def __init__(self, message: str, *, way_out: str | None = None,
                 command: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.way_out = way_out
        # The terminal command that does the way out, for the command line only: the kiosk
        # shows ``user_message()``, whose words never name a command (issue 16).
        self.command = command

    def user_message(self) -> str:
        return f"{self.message} {self.way_out}" if self.way_out else self.message


class InputError(DomainError):
    """A file, row, field or argument the user gave is wrong."""


class RuleViolation(DomainError):
    """A domain rule refuses the action (e.g. a sheet already confirmed cannot be spoiled)."""


class NotFound(DomainError):
    """A school, student, sheet or card the user named does not exist."""


class StorageError(DomainError):
    """A ledger, database or file store cannot be read or written."""


class CredentialError(DomainError):
    """A key or a trust list is missing or unreadable."""
