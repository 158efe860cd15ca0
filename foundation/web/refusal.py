"""A refusal: an HTTP status, a machine code and a sentence in Spanish; nothing was written.

Programs subclass it for their own errors (central's ``ApiError``) so one handler answers
every refusal, whether it was raised by the program or by this foundation.

>>> Refusal(403, "outside-scope", "No.").body()
{'error': {'code': 'outside-scope', 'message': 'No.'}}
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A refused request: the request's transaction rolls back."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}
