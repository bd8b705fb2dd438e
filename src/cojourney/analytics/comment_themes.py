"""Themes in the customers' own words: survey comments grouped by what they say.

:func:`comment_themes` is a pure function over a list of :class:`CommentInput`
(text, score, touchpoint, time, question), so it runs on the comments any engine
pulls. The method is light and offline (scikit-learn; no external service, no model
download):

1. **Bound.** Only the most recent ``max_comments`` comments are grouped (the
   ``themes_max_comments`` setting); blank ones are dropped.
2. **Words.** TF-IDF over word unigrams and bigrams, lower-cased, accents stripped,
   without English and Portuguese stop words (:data:`STOP_WORDS`); a term must occur
   in at least 2 distinct comments and in at most half of them (a word everyone uses, such as
   "car", tells no theme apart); sublinear term frequency, rows L2-normalised.
   Comments left with no term (only stop words or one-off words) are *unthemed*.
   Identical comments (case and spacing aside) are one *distinct comment*: the
   grouping is of wordings, so a phrase written 500 times does not split its topic
   into several themes; a theme's size counts every copy.
3. **Groups.** k-means (``random_state`` = ``seed``, so the same comments give the
   same themes) on the distinct comments for every k from 2 to ``min(k_max,
   n // MIN_PER_THEME, distinct - 1)`` (``n``: the comments); the k with the best mean silhouette (cosine
   distance) wins, the smaller k on a tie. Fewer than :data:`MIN_COMMENTS` comments:
   no themes, and a note says so.
4. **Each theme:** a label of its top terms (the centroid's largest weights), its
   size and share, its mean score per question on the question's scale and one mean
   normalised onto 0..1 over all of them, the touchpoints where it is most frequent,
   and example comments: the closest to the centroid (cosine), the lowest-scored and
   then the most recent first among ties, no text twice.

Themes are ranked by size (largest first), then by mean normalised score (lowest
first). The grouping is lexical: the same topic written in English and in Portuguese
usually makes two themes, one per language.

>>> late = ["car late again", "the car was late", "late car, had to wait", "waited, car late"]
>>> easy = ["booking was easy", "easy booking in the app", "app easy to use", "so easy"]
>>> rows = [CommentInput(text, 1.0 + k % 5, "pick-up", f"2025-01-{k + 1:02d}")
...         for k, text in enumerate((late + easy) * 3)]
>>> [(theme.label, theme.size) for theme in comment_themes(rows).themes]
[('car, late', 12), ('easy, app, booking', 12)]
>>> comment_themes(rows[:4]).note
'too few comments to group: 4; at least 10 needed'
"""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from cojourney.analytics.journey_results import _ToDict

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "EXAMPLES",
    "K_MAX",
    "MIN_COMMENTS",
    "MIN_PER_THEME",
    "STOP_WORDS",
    "CommentInput",
    "CommentThemes",
    "Theme",
    "ThemeComment",
    "ThemeScore",
    "ThemeTouchpoint",
    "comment_themes",
    "group_comments",
]

log = logging.getLogger(__name__)

#: Fewer comments than this are not grouped.
MIN_COMMENTS: Final = 10
#: The number of themes is at most the number of comments divided by this.
MIN_PER_THEME: Final = 5
#: The most themes.
K_MAX: Final = 12
#: Example comments per theme.
EXAMPLES: Final = 3
#: Terms in a theme's label.
LABEL_TERMS: Final = 3
#: Touchpoints listed per theme.
TOUCHPOINTS: Final = 3
#: Comments sampled for the silhouette of each candidate k (bounds its cost).
SILHOUETTE_SAMPLE: Final = 1000

_PORTUGUESE = """
a à ao aos aquela aquelas aquele aqueles aquilo as às até com como da das de dela delas
dele deles depois do dos e é ela elas ele eles em entre era eram essa essas esse esses
esta está estão estas estava estavam este estes estou eu foi foram fui há isso isto já
lhe lhes mais mas me mesmo meu meus minha minhas muito muita muitos muitas na nas não
nem no nos nós nossa nossas nosso nossos num numa o os ou para pela pelas pelo pelos
por porque quando que quem se sem ser seu seus só sua suas também te tem têm tinha tu
tua tuas um uma umas uns vez vocês você vos ainda assim bem cá lá onde qual quais sobre
tão tive tenho ter foi fica ficou todo toda todos todas vai vou sempre nunca pois
"""


def _fold(word: str) -> str:
    """Lower case without accents, as the vectoriser sees words."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(_fold(w) for w in (*ENGLISH_STOP_WORDS, *_PORTUGUESE.split()))


#: English (scikit-learn's list) and Portuguese stop words, folded (see :func:`_fold`);
#: filled on first use so importing this module stays light.
STOP_WORDS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CommentInput:
    """One comment to group: its text, the answer's score and question, where and when
    (``timestamp``: ISO 8601 UTC, so that text order is time order)."""

    text: str
    score: float | None = None
    touchpoint: str | None = None
    timestamp: str = ""
    question: str | None = None


@dataclass(frozen=True, slots=True)
class ThemeComment(_ToDict):
    """An example comment of a theme."""

    text: str
    score: float | None
    question: str | None
    touchpoint: str | None
    timestamp: str


@dataclass(frozen=True, slots=True)
class ThemeScore(_ToDict):
    """The mean score of a theme's comments to one question, on its scale
    (``scale`` ``None``: unknown)."""

    question: str
    answers: int
    mean: float
    scale: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class ThemeTouchpoint(_ToDict):
    """How many of a theme's comments are about a touchpoint (``None``: the whole journey)."""

    touchpoint: str | None
    comments: int


@dataclass(frozen=True, slots=True)
class Theme(_ToDict):
    """A group of comments that use the same words (see the module docstring)."""

    rank: int
    label: str
    terms: tuple[str, ...]
    size: int
    share: float
    mean_normalised: float | None
    scores: tuple[ThemeScore, ...]
    touchpoints: tuple[ThemeTouchpoint, ...]
    examples: tuple[ThemeComment, ...]


@dataclass(frozen=True, slots=True)
class CommentThemes(_ToDict):
    """The themes of a set of comments.

    ``available``: comments given (non-blank); ``grouped``: those grouped (the most
    recent ``max_comments``, less the unthemed); ``note`` says why there are no themes.
    """

    available: int
    grouped: int
    unthemed: int
    themes: tuple[Theme, ...]
    note: str | None = None
    method: str = "TF-IDF (unigrams and bigrams) + k-means, k by silhouette"


def comment_themes(
    comments: Sequence[CommentInput],
    *,
    scales: Mapping[str, tuple[float, float]] | None = None,
    max_comments: int | None = None,
    seed: int = 0,
    k_max: int = K_MAX,
) -> CommentThemes:
    """Group comments into themes (see the module docstring for the method).

    Parameters
    ----------
    comments
        The comments, in any order.
    scales
        ``{question: (lowest, highest)}``: a theme's mean score per question names its
        scale, and the normalised mean uses it (questions without one are left out of it).
    max_comments
        Group only the most recent this many (default: the ``themes_max_comments``
        setting).
    seed
        The k-means ``random_state``: the same comments and seed give the same themes.
    k_max
        The most themes.

    Returns
    -------
    CommentThemes
        No themes, with a ``note``, when there are fewer than :data:`MIN_COMMENTS`
        comments or they share too few words.
    """
    return group_comments(
        comments, scales=scales, max_comments=max_comments, seed=seed, k_max=k_max
    )[0]


def group_comments(
    comments: Sequence[CommentInput],
    *,
    scales: Mapping[str, tuple[float, float]] | None = None,
    max_comments: int | None = None,
    seed: int = 0,
    k_max: int = K_MAX,
) -> tuple[CommentThemes, dict[int, int]]:
    """:func:`comment_themes` and the theme of each grouped comment:
    ``{index in comments: theme rank}``."""
    if max_comments is None:
        from cojourney.settings import current_settings

        max_comments = current_settings().themes_max_comments
    given = [i for i, c in enumerate(comments) if c.text and c.text.strip()]
    recent = sorted(given, key=lambda i: comments[i].timestamp, reverse=True)
    recent = recent[: max(0, max_comments)]
    if len(recent) < MIN_COMMENTS:
        note = f"too few comments to group: {len(recent)}; at least {MIN_COMMENTS} needed"
        return CommentThemes(len(given), 0, 0, (), note), {}
    few_words: tuple[CommentThemes, dict[int, int]] = (
        CommentThemes(len(given), 0, len(recent), (), _few_words(len(recent))),
        {},
    )
    texts: dict[str, list[int]] = {}  # identical comments (case aside) are one point
    for i in recent:
        texts.setdefault(" ".join(comments[i].text.split()).casefold(), []).append(i)
    matrix, terms = _vectorise(list(texts))
    if matrix is None:
        return few_words
    import numpy as np

    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    usable = np.flatnonzero(norms > 0)
    groups = list(texts.values())
    copies = np.array([len(groups[u]) for u in usable], dtype=np.int64)
    top_k = min(k_max, int(copies.sum()) // MIN_PER_THEME, usable.size - 1)
    if copies.sum() < MIN_COMMENTS or top_k < 2:
        return few_words
    rows = matrix[usable]
    clusters = _cluster(rows, top_k, seed)
    if clusters is None:
        return few_words
    labels, centroids = clusters
    kept = [i for u in usable for i in groups[u]]
    point = np.repeat(np.arange(usable.size), copies)
    themes, rank_of = _themes(
        [comments[i] for i in kept],
        rows[point],
        labels[point],
        centroids,
        _spelled(terms, list(texts)),
        dict(scales or {}),
    )
    log.info("%d comments grouped into %d themes", len(kept), len(themes))
    theme_of = {i: rank_of[int(label)] for i, label in zip(kept, labels[point], strict=True)}
    return CommentThemes(len(given), len(kept), len(recent) - len(kept), themes), theme_of


def _spelled(terms: list[str], texts: list[str]) -> list[str]:
    """The terms as customers spelled them: each folded word in its most frequent
    written form (``aplicacao`` -> ``aplicação``)."""
    import re

    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for word in re.findall(r"(?u)\b\w\w+\b", text):
            forms.setdefault(_fold(word), Counter())[word] += 1
    return [
        " ".join(forms[w].most_common(1)[0][0] if w in forms else w for w in term.split())
        for term in terms
    ]


def _few_words(n: int) -> str:
    return (
        f"the {n} comments share too few words to group (a word must occur in at "
        f"least 2 comments); at least {MIN_COMMENTS} comments with shared words needed"
    )


def _vectorise(texts: list[str]) -> tuple[Any, list[str]]:
    """The TF-IDF matrix (``None`` when no term is left) and its terms."""
    global STOP_WORDS
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not STOP_WORDS:
        STOP_WORDS = _stop_words()
    vectoriser = TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        stop_words=sorted(STOP_WORDS),
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        dtype=np.float64,
    )
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # no term occurs in 2 comments and in at most half of them
        return None, []
    return matrix, [str(t) for t in vectoriser.get_feature_names_out()]


def _cluster(rows: Any, top_k: int, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """k-means labels and centroids of the distinct comments, for the k in 2..top_k
    with the best silhouette; ``None`` when no k splits them (their vectors are all
    alike)."""
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    best: tuple[float, Any] | None = None
    for k in range(2, top_k + 1):
        # one thread: small problems, and OpenMP threads fight on a busy machine
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(rows)
        if len(set(model.labels_.tolist())) < 2:
            continue
        score = float(
            silhouette_score(
                rows,
                model.labels_,
                metric="cosine",
                sample_size=min(rows.shape[0], SILHOUETTE_SAMPLE),
                random_state=seed,
            )
        )
        log.debug("k = %d: silhouette %.4f", k, score)
        if best is None or score > best[0] + 1e-9:
            best = (score, model)
    return None if best is None else (best[1].labels_, best[1].cluster_centers_)


def _themes(
    comments: list[CommentInput],
    rows: Any,
    labels: np.ndarray,
    centroids: np.ndarray,
    terms: list[str],
    scales: dict[str, tuple[float, float]],
) -> tuple[tuple[Theme, ...], dict[int, int]]:
    """The themes, ranked, and ``{cluster: theme rank}``."""
    import numpy as np

    found = []
    n = len(comments)
    for cluster in range(centroids.shape[0]):
        members = np.flatnonzero(labels == cluster)
        if members.size == 0:
            continue
        centroid = centroids[cluster]
        closeness = np.asarray(rows[members] @ centroid).ravel() / max(
            float(np.linalg.norm(centroid)), 1e-12
        )
        mine = [comments[i] for i in members]
        top = _label_terms(centroid, terms)
        found.append(
            (
                cluster,
                top,
                mine,
                _scores(mine, scales),
                _examples(mine, closeness.tolist(), scales),
            )
        )
    themes = []
    for cluster, top, mine, (by_question, normalised), examples in found:
        themes.append(
            (
                cluster,
                Theme(
                    0,
                    ", ".join(top),
                    tuple(top),
                    len(mine),
                    len(mine) / n,
                    normalised,
                    by_question,
                    _touchpoints(mine),
                    examples,
                ),
            )
        )
    themes.sort(
        key=lambda ct: (
            -ct[1].size,
            ct[1].mean_normalised if ct[1].mean_normalised is not None else 2.0,
            ct[1].label,
        )
    )
    ranked = tuple(replace(t, rank=rank) for rank, (_, t) in enumerate(themes, 1))
    return ranked, {cluster: rank for rank, (cluster, _) in enumerate(themes, 1)}


def _label_terms(centroid: np.ndarray, terms: list[str]) -> list[str]:
    """The centroid's heaviest terms, skipping one whose words are all in those taken."""
    import numpy as np

    chosen: list[str] = []
    for index in np.argsort(-centroid, kind="stable"):
        if centroid[index] <= 0 or len(chosen) == LABEL_TERMS:
            break
        term = terms[int(index)]
        taken = {w for t in chosen for w in t.split()}
        if set(term.split()) <= taken:
            continue
        chosen = [t for t in chosen if not set(t.split()) <= set(term.split())]
        chosen.append(term)
    return chosen


def _normalised(c: CommentInput, scales: Mapping[str, tuple[float, float]]) -> float | None:
    if c.score is None or c.question is None or c.question not in scales:
        return None
    low, high = scales[c.question]
    return (c.score - low) / (high - low) if high > low else None


def _scores(
    comments: list[CommentInput], scales: Mapping[str, tuple[float, float]]
) -> tuple[tuple[ThemeScore, ...], float | None]:
    by_question: dict[str, list[float]] = {}
    for c in comments:
        if c.score is not None:
            by_question.setdefault(c.question or "", []).append(c.score)
    rows = tuple(
        ThemeScore(q, len(v), sum(v) / len(v), scales.get(q))
        for q, v in sorted(by_question.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    normal = [x for x in (_normalised(c, scales) for c in comments) if x is not None]
    return rows, (sum(normal) / len(normal) if normal else None)


def _touchpoints(comments: list[CommentInput]) -> tuple[ThemeTouchpoint, ...]:
    counts = Counter(c.touchpoint for c in comments)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    return tuple(ThemeTouchpoint(tp, n) for tp, n in ordered[:TOUCHPOINTS])


def _examples(
    comments: list[CommentInput],
    closeness: list[float],
    scales: Mapping[str, tuple[float, float]],
) -> tuple[ThemeComment, ...]:
    """The closest to the centroid; among ties the lowest-scored, then the most recent."""

    def key(i: int) -> tuple[float, float]:
        c = comments[i]
        score = _normalised(c, scales)
        if score is None and c.score is not None:
            score = c.score
        return (-round(closeness[i], 6), score if score is not None else float("inf"))

    newest_first = sorted(range(len(comments)), key=lambda i: comments[i].timestamp, reverse=True)
    out: list[ThemeComment] = []
    seen: set[str] = set()
    for i in sorted(newest_first, key=key):  # stable: the newest first among ties
        c = comments[i]
        text = c.text.strip()
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        out.append(ThemeComment(text, c.score, c.question, c.touchpoint, c.timestamp))
        if len(out) == EXAMPLES:
            break
    return tuple(out)
