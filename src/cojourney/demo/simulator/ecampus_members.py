"""eCampus Car Share: who the members are, how they find eCampus, join and get on board.

Every journey is one member (``m000123``) of one persona: ``katrina`` (students),
``marcos`` (staff commuters) or ``diego`` (students moving house). The pre-service
part is non-linear on purpose: members arrive through discovery touchpoints, a
friend's invite link (straight to sign-up), the university's welcome pack (the
discount code) or with no discovery events at all; some hop back from the plans to
the car map and from the terms to the plans; some leave before signing up. Onboarding
has the licence check (re-uploads, long waits and the drop-outs they cause), the EV
video (re-watched by some), the swipe card and the first booking, and a small share
books before the video or before the licence is approved (the ``ready-to-drive``
gate sees the violations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cojourney.demo.simulator.clock import DAY, HOUR, MINUTE, LocalClock, lognormal
from cojourney.demo.simulator.track import Track

KATRINA, MARCOS, DIEGO = 0, 1, 2
#: Persona ids, by segment code.
SEGMENTS = ("katrina", "marcos", "diego")
SEGMENT_SHARES = np.array([0.6, 0.25, 0.15])

DISCOVERY, FRIEND_INVITE, WELCOME_PACK, DIRECT = 0, 1, 2, 3
#: How members arrive, by segment: discovery, a friend's invite, the welcome pack, mid-way.
ENTRY_SHARES = np.array(
    [
        [0.55, 0.18, 0.12, 0.15],
        [0.75, 0.08, 0.00, 0.17],
        [0.60, 0.20, 0.00, 0.20],
    ]
)

M, H, D = 60.0, 3600.0, 86400.0  # seconds, for gaps


@dataclass
class Members:
    """The members of one chunk and what the trip simulation needs of them."""

    segment: np.ndarray  #: segment code (index into :data:`SEGMENTS`), int8
    start: np.ndarray  #: time of the first event (UTC microseconds)
    onboarded: np.ndarray  #: made a first booking
    first_booking: np.ndarray  #: time of the ``first-booking`` event (0 when none)
    first_pickup: np.ndarray  #: pickup time of the first trip (0 when none)
    mood: np.ndarray  #: personal bias of emotion answers
    disconnect: np.ndarray  #: scores touchpoints well but the journey poorly

    @property
    def size(self) -> int:
        return int(self.segment.size)


def simulate_members(track: Track, rng: np.random.Generator, clock: LocalClock) -> Members:
    """Emit the pre-service and onboarding events of every member on ``track``.

    ``track`` holds one row per member, its clock at the member's start time.
    """
    n = track.size
    start = track.time.copy()
    seg = rng.choice(3, n, p=SEGMENT_SHARES).astype(np.int8)
    cumulative = ENTRY_SHARES.cumsum(axis=1)[seg]
    entry = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    late_payment = rng.random(n) < 0.01
    alive = _pre_service(track, rng, clock, seg, entry, late_payment)
    first_booking, first_pickup, onboarded = _onboarding(track, rng, alive, late_payment, clock)
    return Members(
        seg,
        start,
        onboarded,
        first_booking,
        first_pickup,
        rng.normal(0.0, 0.4, n),
        rng.random(n) < 0.04,
    )


def _pre_service(
    track: Track,
    rng: np.random.Generator,
    clock: LocalClock,
    seg: np.ndarray,
    entry: np.ndarray,
    late_payment: np.ndarray,
) -> np.ndarray:
    """Explore, engage, offer and agree; returns who accepted the terms."""
    n = track.size

    def u() -> np.ndarray:
        return rng.random(n)

    def gap(median: float, sigma: float = 0.8) -> np.ndarray:
        return lognormal(rng, median, sigma, n)

    discovery, friend = entry == DISCOVERY, entry == FRIEND_INVITE
    pack, direct = entry == WELCOME_PACK, entry == DIRECT
    to_signup = direct & (u() < 0.5)  # a friend's phone: straight to sign-up
    # --- explore
    track.step("compare-commute-options", 0, discovery & (u() < 0.3))
    track.step("social-media-ad", gap(1 * D), discovery & (u() < np.array([0.4, 0.15, 0.3])[seg]))
    track.step("campus-poster", gap(2 * D), discovery & (u() < 0.3))
    track.step("app-store-search", gap(1 * D), discovery & ((u() < 0.45) | ~track.started))
    track.step("friend-recommendation", 0, friend)
    # --- engage (the welcome pack starts at the discount code, then installs the app)
    track.step("university-discount-code", 0, pack)
    semester_start = np.isin(_month_of(clock.to_local(track.time)), (2, 3, 8))
    track.step(
        "welcome-week-stand", gap(1 * D), discovery & (u() < np.where(semester_start, 0.2, 0.03))
    )
    app = discovery | pack | (direct & ~to_signup)
    track.step("app-download", gap(30 * M, 1.2), app)
    browse = app & (u() < np.where(discovery, 0.85, 0.5))
    track.step("browse-cars-map", gap(5 * M, 1.0), browse)
    track.step("faq-chat", gap(1 * H, 1.2), app & (u() < np.array([0.2, 0.4, 0.25])[seg]))
    alive = ~(browse & (u() < 0.1))  # had a look and left
    # --- offer
    plans = app & alive
    track.step("membership-plans-page", gap(1 * D, 1.2), plans)
    back = plans & browse & (u() < 0.12)  # back to the map, then the plans again
    track.step("browse-cars-map", gap(3 * M, 0.6), back)
    track.step("membership-plans-page", gap(5 * M, 0.6), back)
    track.step(
        "university-discount-code",
        gap(5 * M, 0.6),
        plans & discovery & (seg == KATRINA) & (u() < 0.3),
    )
    track.step(
        "trailer-offering-page", gap(5 * M, 0.8), plans & (u() < np.array([0.05, 0.03, 0.85])[seg])
    )
    alive &= ~(plans & (u() < 0.06))
    # --- agree
    join = alive & (plans | friend | to_signup)
    track.step("membership-sign-up", np.where(friend, gap(2 * H, 1.0), gap(1 * H, 1.2)), join)
    track.step("payment-setup", gap(3 * M, 0.5), join & ~late_payment)
    track.step("terms-acceptance", gap(5 * M, 0.5), join)
    back = join & (u() < 0.08)  # back from the small print to the plans
    track.step("membership-plans-page", gap(2 * M, 0.5), back)
    track.step("terms-acceptance", gap(5 * M, 0.5), back)
    return np.asarray(join)


def _month_of(local_us: np.ndarray) -> np.ndarray:
    """Month (1-12) of local microsecond instants."""
    days = (local_us // DAY).astype("datetime64[D]")
    return (days.astype("datetime64[M]").astype(np.int64) % 12) + 1


def _onboarding(
    track: Track,
    rng: np.random.Generator,
    joined: np.ndarray,
    late_payment: np.ndarray,
    clock: LocalClock,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Licence, video, card, first booking; returns (first booking, first pickup, onboarded)."""
    n = track.size

    def u() -> np.ndarray:
        return rng.random(n)

    def after(t: np.ndarray, median_us: float, sigma: float) -> np.ndarray:
        return clock.awake(t + lognormal(rng, median_us, sigma, n).astype(np.int64))

    upload = after(track.time, 20 * MINUTE, 1.2)
    reupload = joined & (u() < 0.1)
    rejected = after(upload, 30 * HOUR, 0.45)
    upload2 = after(rejected, 3 * HOUR, 1.0)
    verified = np.where(reupload, after(upload2, 30 * HOUR, 0.45), after(upload, 42 * HOUR, 0.45))
    waited_h = (verified - upload) / HOUR
    quits = joined & (u() < 0.08 + 0.3 * (waited_h > 60))  # the licence check takes too long
    cancels = quits & (u() < 0.5)  # ... and cancels before it is done
    track.at("licence-upload", upload, joined)
    track.at("licence-verification", rejected, reupload)
    track.at("licence-upload", upload2, reupload)
    checked = joined & ~cancels
    track.at("licence-verification", verified, checked)
    approved = verified + MINUTE
    track.at("licence-approved", approved, checked)
    track.at("membership-cancellation", after(upload, 50 * HOUR, 0.2), cancels)
    card_issued = after(approved, 18 * HOUR, 0.4)
    card_received = after(card_issued, 2 * DAY, 0.35)
    video = after(approved, 4 * HOUR, 1.0)
    rewatch = after(video, 20 * MINUTE, 0.5)
    stays = checked & ~quits
    rewatches = stays & (u() < 0.15)
    last_video = np.where(rewatches, rewatch, video)
    books = stays & ~(u() < 0.08)  # on board, but never books
    first_booking = after(np.maximum(last_video, card_received), 1 * DAY, 0.8)
    # gate bypasses: booked before the video, or before the licence was approved
    no_video = books & (u() < 0.05)
    first_booking = np.where(no_video, after(card_received, 6 * HOUR, 0.6), first_booking)
    video_later = after(first_booking, 1 * DAY, 0.6)
    watches = stays & ~(no_video & (u() < 0.5))
    video = np.where(no_video, video_later, video)
    rewatch = np.where(no_video, video_later + 20 * MINUTE, rewatch)
    no_licence = books & ~no_video & (u() < 0.025)
    first_booking = np.where(
        no_licence, after(np.where(reupload, upload2, upload), 2 * HOUR, 0.5), first_booking
    )
    track.at("ev-instruction-video", video, watches)
    track.at("ev-instruction-video", rewatch, watches & rewatches)
    track.at("swipe-card-issued", card_issued, stays)
    track.at("swipe-card-received", card_received, stays)
    track.at("payment-setup", first_booking + 10 * MINUTE, books & late_payment)
    first_pickup = np.maximum(after(first_booking, 20 * HOUR, 0.6), card_received + HOUR)
    return (np.where(books, first_booking, 0), np.where(books, first_pickup, 0), books)
