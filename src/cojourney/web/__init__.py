"""The web workspace: a FastAPI app built by :func:`create_app` (pages and JSON API).

Importing the package has no side effect; :func:`create_app` builds everything.
"""

from __future__ import annotations

from cojourney.web.app import create_app

__all__ = ["create_app"]
