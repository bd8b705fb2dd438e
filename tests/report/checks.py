"""Checks of a report page: one well-formed HTML document that asks the network for nothing."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
#: XML namespace names in the inlined ECharts (identifiers, never fetched).
NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
}


class Page(HTMLParser):
    """Parses a page: tag balance, element ids, attributes that load things, script blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.roots: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.loads: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.styles: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self._style = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if not self.stack:
            self.roots.append(tag)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        for name in ("src", "href", "srcset", "action", "poster", "data", "xlink:href"):
            if attributes.get(name) is not None:
                self.loads.append((tag, name, attributes[name]))
        if attributes.get("style"):
            self.styles.append(attributes["style"])
        if tag == "link":
            self.loads.append((tag, "link", attributes.get("href") or ""))
        if tag == "script":
            self._script, self._text = attributes, []
        if tag == "style":
            self._style, self._text = True, []
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None
        if tag == "style" and self._style:
            self.styles.append("".join(self._text))
            self._style = False
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(
                f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'} at {self.getpos()}"
            )
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self._script is not None or self._style:
            self._text.append(data)


def parse(text: str) -> Page:
    """Parse a page and fail unless it is one well-formed HTML document."""
    assert text.lstrip().lower().startswith("<!doctype html>")
    page = Page()
    page.feed(text)
    page.close()
    assert not page.errors, page.errors[:5]
    assert not page.stack, f"unclosed: {page.stack}"
    assert page.roots == ["html"], page.roots
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    return page


def external_references(page: Page) -> list[str]:
    """Everything the page would fetch: src/href values that are not in-page anchors,
    CSS ``url(...)`` that is not a fragment, ``@import``, and URLs in the page data."""
    found = [
        f"{tag} {name}={value!r}" for tag, name, value in page.loads if not value.startswith("#")
    ]
    for css in page.styles:
        found += re.findall(r"(?i)url\(\s*['\"]?(?!#)[^)]*\)", css)
        found += re.findall(r"(?i)@import[^;]*", css)
    for attributes, body in page.scripts:
        if attributes.get("src"):
            found.append(f"script src={attributes['src']!r}")
        if attributes.get("type") == "application/json":
            found += [
                u
                for u in re.findall(r"https?://[^\s\"'<>)]+", json.dumps(json.loads(body)))
                if u not in NAMESPACES
            ]
    return found
