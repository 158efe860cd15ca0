"""``column IN (values)`` with the whole list as ONE bound parameter.

SQLAlchemy renders an ``IN`` list as one parameter per value, compiled anew for each list
length; for the ingest's per-push checks (a thousand CURPs or folios) that rendering and the
database's parsing of a thousand parameters took most of the query's time. Here both
databases get the list as one JSON text: PostgreSQL ``= ANY(ARRAY(SELECT
json_array_elements_text(:json)::type))`` (the array is built once, before the scan, so an
index on ``column`` is used as with a literal array) and SQLite
``IN (SELECT value FROM json_each(:json))``: one parameter, one cached statement, any length.

Why JSON text and not a bound PostgreSQL array: psycopg builds an array's text in Python,
value by value (~4.4 ms for 1,333 CURPs, 12× ``json.dumps``), and a push sends six such lists
(docs/PERFORMANCE.md, "Central and sync (issue 4)").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, ColumnElement, any_, bindparam, cast, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """A condition true where ``column`` is one of ``values`` (str or int)."""
    listed = json.dumps(list(values))
    if session.connection().dialect.name == "postgresql":
        return column == any_(func.array(json_elements(listed, column.type)))
    each = func.json_each(bindparam(None, listed))
    return column.in_(select(literal_column("value")).select_from(each))


def json_elements(listed: str, type_: TypeEngine[Any]) -> Any:
    """PostgreSQL: the elements of the JSON array text ``listed`` as a column of ``type_``."""
    elements = func.json_array_elements_text(cast(bindparam(None, listed), JSON))
    return select(cast(elements, type_)).scalar_subquery()
