"""The public share page: ``GET /s/{token}`` shows one journey as its customers see it.

No sign-in: the link itself is the key. The database keeps only the SHA-256 digest of
the token (:mod:`cojourney.storage.share_links`), so a copy of the database opens
nothing. What the page shows is the consumer report of the journey
(:func:`cojourney.services.consumer_report.consumer_page`), drawn from
:func:`cojourney.domain.visibility.consumer_view` only: the steps, the consumer-facing
touchpoints and what the customer does, thinks, feels and asks; the map is inline SVG
and the styles are inline, so the page links no asset, no script and nothing else of
the site. The "no longer works" page links only the site's stylesheet.

Every answer of this route (the page, the "no longer works" page, 429) carries its own
strict headers: no referrer (the token stays out of other sites' logs), ``noindex``,
no caching by shared caches, a Content-Security-Policy that allows only the page's own
stylesheet (by hash, or the site's stylesheet) and no script at all, and never a
cookie. Unknown, expired and revoked links get the same 404 page, and a client that opens too many of them is
refused with 429 for a while (``share_lookup_max_failures`` per
``share_lookup_window_seconds``).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from cojourney.errors import CojourneyError, NotFound
from cojourney.storage import resolve_share_link
from cojourney.web.security import LoginLimiter
from cojourney.web.state import WebState, web_state
from cojourney.web.templating import environment

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Longest token looked up; real ones are 43 characters.
MAX_TOKEN_LENGTH = 128
#: Consumer pages kept rendered (per journey, until the workspace or its events change).
CACHE_SIZE = 16

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_LOCK = threading.Lock()


def redact_token(path: str) -> str:
    """``path`` fit for a log: the token of a share link is cut out.

    >>> redact_token("/s/abcdef"), redact_token("/survey/abc"), redact_token("/api/journeys")
    ('/s/<token>', '/survey/<token>', '/api/journeys')
    """
    if path.startswith("/survey/"):
        return "/survey/<token>"
    return "/s/<token>" if path.startswith("/s/") else path


def share_headers(style_hashes: list[str] | None = None) -> dict[str, str]:
    """The headers of every answer of the share route: styles allowed by hash when
    ``style_hashes`` are given, else the site's stylesheet only.

    >>> share_headers()["Referrer-Policy"]
    'no-referrer'
    """
    styles = " ".join(f"'sha256-{h}'" for h in style_hashes or []) or "'self'"
    policy = "; ".join(
        [
            "default-src 'none'",
            f"style-src {styles}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow, noarchive",
        "Cache-Control": "private, no-store, max-age=0",
        "Pragma": "no-cache",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }


@dataclass(frozen=True)
class _Rendered:
    key: tuple[object, ...]
    html: str
    style_hashes: list[str]


class SharePages:
    """The consumer pages of one app, rendered once per journey and workspace state,
    and the limiter of failed lookups."""

    def __init__(self, state: WebState) -> None:
        self.folder = state.workspace
        self.limiter = LoginLimiter(
            state.settings.share_lookup_max_failures, state.settings.share_lookup_window_seconds
        )
        self._pages: dict[str, _Rendered] = {}
        self._lock = threading.Lock()

    def _key(self, journey_id: str) -> tuple[object, ...]:
        from cojourney.events.store import EventStore
        from cojourney.spec.loader import workspace_files

        paths: list[Path] = [*workspace_files(self.folder), EventStore.path_for(self.folder)]
        stats: list[object] = [journey_id]
        for path in paths:
            try:
                info = path.stat()
            except OSError:
                continue
            stats.append((str(path), info.st_mtime_ns, info.st_size))
        return tuple(stats)

    def page(self, journey_id: str) -> _Rendered:
        """The consumer page of ``journey_id`` (NotFound when the journey is gone)."""
        from cojourney.services.consumer_report import consumer_page

        key = self._key(journey_id)
        with self._lock:
            cached = self._pages.get(journey_id)
            if cached is not None and cached.key == key:
                return cached
            html = consumer_page(self.folder, journey_id=journey_id).html
            hashes = [_sha256(css) for css in _STYLE.findall(html)]
            rendered = _Rendered(key, html, hashes)
            self._pages[journey_id] = rendered
            while len(self._pages) > CACHE_SIZE:
                self._pages.pop(next(iter(self._pages)))
            return rendered


def share_pages(request: Request) -> SharePages:
    """The :class:`SharePages` of the app serving ``request`` (made on first use)."""
    app_state = request.app.state
    pages = getattr(app_state, "share_pages", None)
    if pages is None:
        with _LOCK:
            pages = getattr(app_state, "share_pages", None)
            if pages is None:
                pages = SharePages(web_state(request))
                app_state.share_pages = pages
    assert isinstance(pages, SharePages)
    return pages


@router.get("/s/{token}")
def share_page(token: str, request: Request) -> Response:
    """The consumer view of the shared journey; the same 404 for any link that does not open."""
    pages = share_pages(request)
    client = (request.client.host if request.client else "unknown", "share")
    if pages.limiter.retry_after(client):
        return _notice(
            429,
            "Too many tries",
            "Too many links that do not work were opened from here. Try again later.",
            extra={"Retry-After": str(pages.limiter.retry_after(client))},
        )
    journey_id = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        with web_state(request).sessions() as db:
            link = resolve_share_link(db, token)
            journey_id = link.journey_id if link is not None else None
    if journey_id is None:
        pages.limiter.fail(client)
        return _gone()
    try:
        rendered = pages.page(journey_id)
    except NotFound:
        log.info("share link to journey %s: the journey is no longer in the workspace", journey_id)
        return _gone()
    except Exception as exc:  # a broken workspace, a locked event store: no detail shown
        level = logging.WARNING if isinstance(exc, CojourneyError) else logging.ERROR
        log.log(level, "share link to journey %s cannot be shown: %s", journey_id, exc)
        return _notice(
            503,
            "Not available right now",
            "This journey cannot be shown right now. Please try again later.",
        )
    headers = share_headers(rendered.style_hashes)
    return HTMLResponse(rendered.html, headers=headers)


def _gone() -> Response:
    return _notice(
        404,
        "This link no longer works",
        "The link may have expired or been withdrawn. "
        "Ask the person who sent it to you for a new one.",
    )


def _notice(status: int, title: str, message: str, extra: dict[str, str] | None = None) -> Response:
    html = environment().get_template("share_notice.html").render(title=title, message=message)
    return HTMLResponse(html, status_code=status, headers={**share_headers(), **(extra or {})})


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
