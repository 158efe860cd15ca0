"""The errors only the station raises; the shared ones live in :mod:`foundation.errors`.

>>> from foundation.errors import DomainError
>>> try:
...     raise FolioExhausted("No quedan folios.", way_out="Sincronice la estación.")
... except DomainError as exc:
...     print(exc.user_message())
No quedan folios. Sincronice la estación.
"""

from __future__ import annotations

from foundation.errors import DomainError


class FolioExhausted(DomainError):
    """The station holds no unused folio for the sheet it must produce."""


class PrinterError(DomainError):
    """CUPS or the printer refused, stopped or cannot be reached."""
