"""CONALEP Veracruz: academic follow-up (grades by corte, SISEAC, drop-outs, tutoring,
terminal efficiency) and electronic certificates (seed 000, procedure 30-524-PO-04).

A deployable of its own (``conalep`` command, FastAPI + SQLAlchemy + Alembic, SQLite by
default, PostgreSQL in production) on the shared :mod:`foundation`; it never imports
``station`` or ``central``. See docs/conalep.md and conalep/README.md.
"""
