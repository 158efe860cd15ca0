"""The signed-in person of a program's staff pages, read again from the account on every
request: the account's columns, the CSRF token of the session, the role in words and the
scope every page checks.

A program subclasses :class:`SignedInStaff` with its scope column (central's DRSE
``region``, conalep's ``clave_plantel``) as a field of the same name, names that column in
``scope_column``, and gives its role labels and its scope class (built from user name, role
and scope column).

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, slots=True, kw_only=True)
... class Person(SignedInStaff[tuple]):
...     zone: str | None
...     scope_column = "zone"
...     role_labels = {"local": "Personal local"}
...     scope_type = tuple
>>> class Account:
...     id, username, display_name, role, zone, must_change = 7, "ana", "Ana", "local", "Z1", False
>>> p = Person.from_account(Account(), "token")
>>> p.role_label, p.csrf
('Personal local (Z1)', 'token')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

S = TypeVar("S")


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedInStaff(Generic[S]):
    """Who is signed in; subclassed by each program with its scope column."""

    id: int
    username: str
    display_name: str
    role: str
    csrf: str
    must_change: bool = False

    scope_column: ClassVar[str] = ""
    """The field (and account column) that binds the person to part of the state."""
    role_labels: ClassVar[Mapping[str, str]] = {}
    scope_type: ClassVar[Callable[[str, str, str | None], Any]]
    """Called with (user name, role, scope column value) for :attr:`scope`."""

    @classmethod
    def from_account(cls, account: Any, csrf: str) -> Self:
        """The person of ``account``: every field but ``csrf`` is the account's column of
        that name."""
        return cls(csrf=csrf, **{f.name: getattr(account, f.name)
                                 for f in fields(cls) if f.name != "csrf"})

    @property
    def unit(self) -> str | None:
        """The value of the scope column (None: the whole state)."""
        return getattr(self, self.scope_column) if self.scope_column else None

    @property
    def scope(self) -> S:
        return cast(S, type(self).scope_type(self.username, self.role, self.unit))

    @property
    def role_label(self) -> str:
        label = self.role_labels.get(self.role, self.role)
        return f"{label} ({self.unit})" if self.unit else label
