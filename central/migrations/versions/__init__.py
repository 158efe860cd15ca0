"""Alembic revisions (never edit one that was released; add a new one)."""
