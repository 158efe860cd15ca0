"""``column IN (values)`` with the whole list as ONE bound parameter.

SQLAlchemy renders an ``IN`` list as one parameter per value, compiled anew for each list
length; for the ingest's per-push checks (a thousand CURPs or folios) that rendering and the
database's parsing of a thousand parameters took most of the query's time. Here PostgreSQL
gets ``= ANY(:array)`` and SQLite ``IN (SELECT value FROM json_each(:json))``: one parameter,
one cached statement, any length (bench: /tmp-free numbers in docs/PERFORMANCE.md, ingest).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """A condition true where ``column`` is one of ``values`` (str or int)."""
    listed = list(values)
    if session.connection().dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=ARRAY(column.type)))
    each = func.json_each(bindparam(None, json.dumps(listed)))
    return column.in_(select(literal_column("value")).select_from(each))
