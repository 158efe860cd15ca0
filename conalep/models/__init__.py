"""Stand-in until the conalep skeleton lands (branch ``conalep`` owns this module)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
