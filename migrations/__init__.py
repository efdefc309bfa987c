"""Alembic migrations of the record store (applied by `ksgov db upgrade`)."""
