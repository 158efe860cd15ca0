"""Document types: what a signed payload says, one type per kind of document.

Every signed payload is a CBOR map whose key 0 holds the document type number; the other
small-integer keys belong to that type. The envelope (COSE_Sign1, Base45, prefix), the trust
list and the verification steps are the same for every type, so a new kind of document (the
CONALEP certificate beside the student card) is one new :class:`DocumentType` object passed
to ``issue_qr_text`` and ``verify_qr_text``, and no change to either.

A type decides three things: how its claims become the CBOR map (refusing, with an
:class:`~foundation.errors.InputError`, what must not be issued), how a map already
signature-checked becomes claims again (refusing malformed ones with :class:`PayloadError`),
and the Spanish words a verifier shows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Generic, Protocol, TypeVar

K_TYPE = 0
"""The payload key every type shares: its document type number."""


class PayloadError(ValueError):
    """A decoded payload is not a document of the expected types; ``str(exc)`` says why."""


class SignedClaims(Protocol):
    """What every document's claims carry: a serial number (folio) and an issue date."""

    @property
    def folio(self) -> int: ...

    @property
    def issued_on(self) -> date: ...


C = TypeVar("C", bound=SignedClaims)


class DocumentType(ABC, Generic[C]):
    """One kind of signed document (see the module docstring)."""

    number: ClassVar[int]
    """The value of key 0; never reused for another kind of document."""
    keys: ClassVar[frozenset[int]]
    """Every key of the payload map, key 0 included: a payload with more or fewer is refused."""
    valid_es: ClassVar[str]
    """Start of the verdict for a valid one, e.g. 'Credencial válida'."""
    revoked_es: ClassVar[str]
    """Start of the verdict for a revoked one, e.g. 'Credencial cancelada'."""
    json_fields: ClassVar[tuple[str, ...]]
    """The keys of :meth:`to_json` (a verdict without readable claims lists them as None)."""

    @abstractmethod
    def to_body(self, claims: C) -> dict[int, Any]:
        """The payload map without key 0; InputError when ``claims`` must not be issued."""

    @abstractmethod
    def from_body(self, body: Mapping[int, Any]) -> C:
        """Claims from a map already signature-checked; PayloadError when malformed."""

    @abstractmethod
    def describe_es(self, claims: C) -> str:
        """The claims in one Spanish phrase for a verdict, e.g. 'folio 7, ANA, 14DPR2207Z…'."""

    @abstractmethod
    def to_json(self, claims: C) -> dict[str, Any]:
        """Plain JSON-able fields of the claims (dates as ISO text)."""

    def encode(self, claims: C) -> dict[int, Any]:
        return {K_TYPE: self.number, **self.to_body(claims)}

    def decode(self, body: Mapping[int, Any]) -> C:
        if set(body) != self.keys:
            raise PayloadError("su contenido tiene datos de más o de menos")
        return self.from_body(body)
