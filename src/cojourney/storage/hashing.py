"""Secrets out, digests in: what the database keeps of a token or a session id."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def digest(secret: str) -> str:
    """The SHA-256 hex digest of ``secret`` (tokens are random, so no salt is needed).

    >>> len(digest("abc"))
    64
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret(prefix: str = "", nbytes: int = 32) -> str:
    """A fresh URL-safe random secret, optionally prefixed so it can be recognised."""
    return prefix + secrets.token_urlsafe(nbytes)


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
