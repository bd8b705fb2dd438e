"""The web workspace: a FastAPI app built by :func:`create_app` (pages, JSON API)."""
