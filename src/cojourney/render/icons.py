"""Inline SVG icons drawn by hand on a 24 x 24 grid: channels, markers and faces.

No external assets: every icon is a few strokes placed with :func:`icon` (or a filled
shape such as :func:`star`). Stroke icons take the colour of ``colour``.
"""

from __future__ import annotations

import math

from cojourney.render.svg import Palette, num

# Each channel: the inside of a 24x24 stroked group (fill none unless stated).
_CHANNEL_PATHS: dict[str, str] = {
    # a phone with a home bar
    "app": '<rect x="6.5" y="2.5" width="11" height="19" rx="2"/><path d="M10.5 18.5h3"/>',
    # a globe
    "web": '<circle cx="12" cy="12" r="9"/><ellipse cx="12" cy="12" rx="3.8" ry="9"/>'
    '<path d="M3 12h18"/>',
    # a browser window with a tile and two lines
    "portal": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 8.5h18"/>'
    '<rect x="6" y="11.5" width="4.5" height="5.5" rx=".5"/><path d="M13.5 12.5h4.5M13.5 16h4.5"/>',
    # a bound catalogue with entries
    "service_catalogue": '<rect x="4.5" y="3" width="15" height="18" rx="1.5"/>'
    '<path d="M4.5 6.5h-1M4.5 11h-1M4.5 15.5h-1M8.5 8h7M8.5 12h7M8.5 16h4"/>',
    # an envelope
    "email": '<rect x="3" y="5.5" width="18" height="13" rx="2"/><path d="M3.5 7l8.5 6.5L20.5 7"/>',
    # a handset
    "phone": '<path d="M5.5 3.5h3.2l1.8 4.6-2.3 1.5a11.5 11.5 0 0 0 6.2 6.2l1.5-2.3 4.6 1.8v3.2'
    'a2 2 0 0 1-2.1 2A16.5 16.5 0 0 1 3.5 5.6a2 2 0 0 1 2-2.1z"/>',
    # a speech bubble with three dots
    "sms": '<path d="M4 4.5h16v11.5H9.5L4 20z"/>'
    '<path d="M8.5 10.3h.01M12 10.3h.01M15.5 10.3h.01" stroke-width="2.6"/>',
    # two overlapping bubbles
    "chat": '<path d="M3 4h12v9H8l-5 3.5z"/><path d="M18 8h3v12.5L17 17h-6.5v-2.5"/>',
    # three linked nodes
    "social_media": '<circle cx="6" cy="12" r="2.6"/><circle cx="18" cy="5.5" r="2.6"/>'
    '<circle cx="18" cy="18.5" r="2.6"/><path d="M8.3 10.8l7.4-4M8.3 13.2l7.4 4"/>',
    # a thread of messages
    "forum": '<rect x="3" y="3.5" width="12" height="8" rx="1.5"/><path d="M6 11.5v3l3-3"/>'
    '<rect x="9" y="13" width="12" height="7" rx="1.5"/><path d="M18 20v2.5L15 20"/>',
    # a thumb up
    "recommendation": '<path d="M7.5 11v9.5H3.5V11z"/><path d="M7.5 11l3.8-7a1.9 1.9 0 0 1 3.4 1.5'
    'L13.8 9.5h5.4a1.9 1.9 0 0 1 1.9 2.2l-1.3 7a2.2 2.2 0 0 1-2.2 1.8H7.5"/>',
    # a person
    "in_person": '<circle cx="12" cy="7.5" r="4"/><path d="M4.5 21a7.5 7.5 0 0 1 15 0"/>',
    # a box: a physical object or place
    "physical": '<path d="M12 2.8l8.2 4.6v9.2L12 21.2l-8.2-4.6V7.4z"/>'
    '<path d="M3.8 7.4l8.2 4.6 8.2-4.6M12 12v9.2"/>',
    # an envelope with a stamp and an address
    "letter": '<rect x="2.5" y="5" width="19" height="14" rx="1.5"/>'
    '<rect x="15" y="7.5" width="4" height="4" rx=".5"/><path d="M6 12.5h6M6 15.5h8"/>',
    # a kiosk with a screen on a stand
    "self_service": '<rect x="5" y="2.5" width="14" height="12" rx="1.5"/><path d="M12 14.5v5M7.5 21h9"/>'
    '<path d="M9.5 9.5l2 2 3.5-4"/>',
    # a cog
    "system": '<circle cx="12" cy="12" r="3"/><circle cx="12" cy="12" r="6.3"/>'
    + "".join(
        f'<path d="M{num(12 + 6.3 * math.cos(a))} {num(12 + 6.3 * math.sin(a))}'
        f'L{num(12 + 9.3 * math.cos(a))} {num(12 + 9.3 * math.sin(a))}" stroke-width="3"'
        f' stroke-linecap="butt"/>'
        for a in (k * math.pi / 4 for k in range(8))
    ),
    # a circle with three dots
    "other": '<circle cx="12" cy="12" r="9"/>'
    '<path d="M8 12h.01M12 12h.01M16 12h.01" stroke-width="2.6"/>',
}

#: How each channel is named on cards and in legends.
CHANNEL_LABELS: dict[str, str] = {
    "app": "App",
    "web": "Web",
    "portal": "Portal",
    "service_catalogue": "Service catalogue",
    "email": "Email",
    "phone": "Phone",
    "sms": "SMS",
    "chat": "Chat",
    "social_media": "Social media",
    "forum": "Forum",
    "recommendation": "Recommendation",
    "in_person": "In person",
    "physical": "Physical",
    "letter": "Letter",
    "self_service": "Self-service",
    "system": "System",
    "other": "Other",
}

_MARKER_PATHS: dict[str, str] = {
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3.5 2"/>',
    "eye_off": '<path d="M2.5 12s3.5-6.5 9.5-6.5S21.5 12 21.5 12s-3.5 6.5-9.5 6.5S2.5 12 2.5 12z"/>'
    '<circle cx="12" cy="12" r="2.8"/><path d="M4 20L20 4"/>',
    "alert": '<path d="M12 3.2L22 20.5H2z"/><path d="M12 9.5v5M12 17.5h.01"/>',
    "bulb": '<path d="M9 17.5h6M10 21h4M8.6 14.5a6.5 6.5 0 1 1 6.8 0c-.5.4-.9 1-.9 1.7v1.3h-5v-1.3'
    'c0-.7-.4-1.3-.9-1.7z"/>',
    "people": '<circle cx="9" cy="8" r="3.3"/><path d="M2.8 20a6.2 6.2 0 0 1 12.4 0"/>'
    '<path d="M15.5 4.9a3.3 3.3 0 0 1 0 6.2M18 14.3a6.2 6.2 0 0 1 3.2 5.7"/>',
    "flag": '<path d="M5 21V4M5 4h12l-2.5 4L17 12H5"/>',
}


def _place(inner: str, x: float, y: float, size: float, colour: str, stroke: float) -> str:
    scale = size / 24
    return (
        f'<g transform="translate({num(x)},{num(y)}) scale({num(scale)})" fill="none" '
        f'stroke="{colour}" stroke-width="{num(stroke)}" stroke-linecap="round" '
        f'stroke-linejoin="round" aria-hidden="true">{inner}</g>'
    )


def icon(
    name: str,
    x: float,
    y: float,
    size: float = 16,
    colour: str = Palette.muted,
    stroke: float = 2.0,
) -> str:
    """Channel or marker icon ``name`` with its top-left corner at ``(x, y)``."""
    inner = _CHANNEL_PATHS.get(name) or _MARKER_PATHS.get(name) or _CHANNEL_PATHS["other"]
    return _place(inner, x, y, size, colour, stroke)


def star_points(cx: float, cy: float, r: float) -> str:
    """Points of a five-pointed star centred on ``(cx, cy)`` with outer radius ``r``."""
    pts = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + k * math.pi / 5
        pts.append(f"{num(cx + radius * math.cos(angle))},{num(cy + radius * math.sin(angle))}")
    return " ".join(pts)


def star(cx: float, cy: float, r: float = 7, colour: str = Palette.star) -> str:
    """A filled star: the moment-of-truth marker."""
    return (
        f'<polygon points="{star_points(cx, cy, r)}" fill="{colour}" stroke="#b57f00" '
        f'stroke-width=".8" stroke-linejoin="round"/>'
    )


def face(cx: float, cy: float, r: float, mood: int, colour: str) -> str:
    """A small face: ``mood`` 1 smiles, 0 is neutral, -1 frowns."""
    eye_y, eye_dx = cy - r * 0.22, r * 0.36
    mouth_y = cy + r * 0.35
    half = r * 0.42
    if mood > 0:
        mouth = f"M{num(cx - half)},{num(mouth_y - 2)} Q{num(cx)},{num(mouth_y + r * 0.35)} {num(cx + half)},{num(mouth_y - 2)}"
    elif mood < 0:
        mouth = f"M{num(cx - half)},{num(mouth_y + 2)} Q{num(cx)},{num(mouth_y - r * 0.35)} {num(cx + half)},{num(mouth_y + 2)}"
    else:
        mouth = f"M{num(cx - half)},{num(mouth_y)} L{num(cx + half)},{num(mouth_y)}"
    return (
        f'<g aria-hidden="true"><circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" fill="#fff" '
        f'stroke="{colour}" stroke-width="1.5"/>'
        f'<circle cx="{num(cx - eye_dx)}" cy="{num(eye_y)}" r="{num(r * 0.11)}" fill="{colour}"/>'
        f'<circle cx="{num(cx + eye_dx)}" cy="{num(eye_y)}" r="{num(r * 0.11)}" fill="{colour}"/>'
        f'<path d="{mouth}" fill="none" stroke="{colour}" stroke-width="1.5" '
        f'stroke-linecap="round"/></g>'
    )


def channel_names() -> list[str]:
    """Every channel that has an icon."""
    return list(_CHANNEL_PATHS)
