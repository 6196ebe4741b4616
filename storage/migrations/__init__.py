"""Alembic migration environment and scripts (see storage/migrate.py)."""
