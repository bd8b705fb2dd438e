"""Browser security: CSRF tokens, login rate limiting and response headers.

CSRF uses a signed double submit: a random nonce in an HttpOnly, SameSite=Lax cookie,
and in every form (field ``csrf_token``) or script call (header ``X-CSRF-Token``) an
HMAC of that nonce under the secret key. A cross-site page can neither read the
cookie nor forge the HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from starlette.requests import Request
from starlette.responses import Response

CSRF_COOKIE = "cojourney_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_COOKIE = "cojourney_session"

#: No inline script or style anywhere: every asset is a file under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_security_headers(request: Request, response: Response) -> None:
    """Set the security headers (and HSTS under HTTPS) on ``response``."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.scheme == "https":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def csrf_token_for(secret_key: str, nonce: str) -> str:
    """The token forms carry for the cookie ``nonce``."""
    mac = hmac.new(secret_key.encode("utf-8"), b"csrf:" + nonce.encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()


def csrf_nonce(request: Request) -> str:
    """The request's CSRF nonce: from its cookie, else a new one (set on the response)."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce:
        nonce = getattr(request.state, "new_csrf_nonce", None) or secrets.token_urlsafe(24)
        request.state.new_csrf_nonce = nonce
    return nonce


def csrf_valid(secret_key: str, request: Request, submitted: str | None) -> bool:
    """Whether ``submitted`` matches the request's CSRF cookie."""
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(secret_key, nonce), submitted)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """An HttpOnly, SameSite=Lax cookie, Secure when the request came over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


class LoginLimiter:
    """Counts failed sign-ins per (client, email) over a sliding window.

    >>> limiter = LoginLimiter(max_failures=2, window_seconds=60)
    >>> limiter.fail(("1.2.3.4", "a@b.org")); limiter.fail(("1.2.3.4", "a@b.org"))
    >>> limiter.retry_after(("1.2.3.4", "a@b.org")) > 0
    True
    >>> limiter.retry_after(("5.6.7.8", "a@b.org"))
    0
    """

    #: Most keys remembered; the oldest are forgotten beyond it.
    MAX_KEYS = 100_000

    def __init__(self, max_failures: int, window_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, key: tuple[str, str]) -> int:
        """Seconds until ``key`` may try again (0: it may now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[0] + self.window - now + 1))

    def fail(self, key: tuple[str, str]) -> None:
        """Record a failed sign-in for ``key``."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            if len(self._failures) > self.MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))

    def reset(self, key: tuple[str, str]) -> None:
        """Forget the failures of ``key`` (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(key, None)
