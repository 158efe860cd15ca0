"""Alembic environment and migrations of the central database."""
