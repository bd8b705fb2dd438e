"""Alembic migration scripts of the web-state schema (run by :func:`cojourney.storage.upgrade`)."""
