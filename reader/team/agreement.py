"""How far annotators agree: Cohen's kappa per pair, Krippendorff's alpha over everyone,
agreement per label, who-said-what per pair, and the articles they agree on least.

Only labels of the label set are votes: a skipped sentence and a label of another label set
say nothing about which label a sentence has, so they are counted apart and left out.
Kappa is Cohen's on the sentences both annotators of a pair labelled (scikit-learn's
`cohen_kappa_score` gives the same); alpha is nominal, from the maintained `krippendorff`
package, over every sentence at least two annotators labelled. A figure that is undefined
(everyone gave one and the same label, so chance agreement is already perfect) is None.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from reader.model import SKIPPED

Vote = tuple[str, int, str, str]  # article id, sentence index, annotator, label
Unit = tuple[str, int]  # article id, sentence index


class AgreementError(ValueError):
    """Agreement cannot be measured on these labels; the message says why, in one line."""


@dataclass(frozen=True)
class Pair:
    """Two annotators on the sentences both labelled: how often they agree, kappa, and a
    confusion table (a's label -> b's label -> sentences)."""

    a: str
    b: str
    sentences: int
    observed: float | None
    kappa: float | None
    confusion: dict[str, dict[str, int]]


@dataclass(frozen=True)
class ArticleAgreement:
    """One article's sentences labelled by two or more annotators, and how far they agree."""

    id: str
    title: str
    sentences: int
    observed: float
    alpha: float | None


@dataclass(frozen=True)
class Agreement:
    """Everything `reader agreement` reports."""

    annotators: list[str]
    labels: tuple[str, ...]
    sentences: int  # sentences with votes from two or more annotators
    pairs: list[Pair]
    alpha: float | None
    per_label: dict[str, dict[str, Any]]
    articles: list[ArticleAgreement]
    skipped: int = 0
    outside: dict[str, int] = field(default_factory=dict)  # annotator -> labels not in the label set

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = list(self.labels)
        data["not_counted"] = {"skipped": data.pop("skipped"), "outside_label_set": data.pop("outside")}
        return data


def units_of(votes: Iterable[Vote], labels: tuple[str, ...]) -> tuple[dict[Unit, dict[str, str]], int, Counter[str]]:
    """Each sentence's votes (annotator -> label), with the skips and the labels outside the
    label set counted apart."""
    names = set(labels)
    units: dict[Unit, dict[str, str]] = {}
    skipped = 0
    outside: Counter[str] = Counter()
    for article_id, index, annotator, label in votes:
        if label in names:
            units.setdefault((article_id, index), {})[annotator] = label
        elif label == SKIPPED:
            skipped += 1
        else:
            outside[annotator] += 1
    return units, skipped, outside


def measure(votes: Iterable[Vote], labels: tuple[str, ...], *, only: frozenset[str] = frozenset(),
            titles: dict[str, str] | None = None, order: dict[str, int] | None = None) -> Agreement:
    """Agreement on these votes under a label set; with `only`, on the sentences someone gave
    one of those labels. Raises AgreementError when there is nothing to compare."""
    units, skipped, outside = units_of(votes, labels)
    if only:
        units = {u: v for u, v in units.items() if only & set(v.values())}
    annotators = sorted({a for v in units.values() for a in v})
    if len(annotators) < 2:
        raise AgreementError(_too_few(annotators, labels, outside))
    shared = {u: v for u, v in units.items() if len(v) > 1}
    if not shared:
        raise AgreementError(f"no sentence was labelled by two annotators ({', '.join(annotators)}): nothing to compare")
    pairs = [_pair(a, b, shared, labels) for a, b in combinations(annotators, 2)]
    alpha, per_label = _alpha(shared.values(), labels)
    return Agreement(
        annotators=annotators, labels=labels, sentences=len(shared), pairs=pairs, alpha=alpha, per_label=per_label,
        articles=_articles(shared, labels, titles or {}, order or {}), skipped=skipped, outside=dict(sorted(outside.items())),
    )


def _too_few(annotators: list[str], labels: tuple[str, ...], outside: Counter[str]) -> str:
    have = f"only {annotators[0]} has" if annotators else "no annotator has"
    line = f"agreement needs labels from two annotators; {have} labels in the label set ({','.join(labels)})"
    others = [a for a in sorted(outside) if a not in annotators]
    if others:
        line += f"; {', '.join(f'{a} ({outside[a]})' for a in others)} labelled with other labels: give their label set with --labels"
    return line


def _pair(a: str, b: str, shared: dict[Unit, dict[str, str]], labels: tuple[str, ...]) -> Pair:
    table = {x: dict.fromkeys(labels, 0) for x in labels}
    n = agree = 0
    for votes in shared.values():
        la, lb = votes.get(a), votes.get(b)
        if la is None or lb is None:
            continue
        table[la][lb] += 1
        n += 1
        agree += la == lb
    if n == 0:
        return Pair(a, b, 0, None, None, table)
    observed = agree / n
    rows = {x: sum(table[x].values()) for x in labels}
    cols = {x: sum(table[y][x] for y in labels) for x in labels}
    chance = sum(rows[x] * cols[x] for x in labels) / (n * n)
    kappa = None if math.isclose(chance, 1.0) else (observed - chance) / (1 - chance)
    return Pair(a, b, n, observed, kappa, table)


def _counts(units: Iterable[dict[str, str]], labels: tuple[str, ...]) -> Any:
    """How many annotators gave each label to each sentence: the krippendorff package's
    `value_counts` (sentences x labels)."""
    import numpy as np

    column = {name: i for i, name in enumerate(labels)}
    rows: list[int] = []
    cols: list[int] = []
    for n, votes in enumerate(units):
        for label in votes.values():
            rows.append(n)
            cols.append(column[label])
    counts = np.zeros((rows[-1] + 1 if rows else 0, len(labels)), dtype=np.int64)
    np.add.at(counts, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)), 1)
    return counts


def _alpha(units: Iterable[dict[str, str]], labels: tuple[str, ...]) -> tuple[float | None, dict[str, dict[str, Any]]]:
    """Nominal alpha and, from the same coincidences, how often each label's votes were matched
    by another annotator's same label."""
    import numpy as np

    counts = _counts(units, labels)
    pairable = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        matched = (counts * (counts - 1) / (pairable - 1)[:, None]).sum(axis=0)
    given = counts.sum(axis=0)
    per_label = {
        name: {"votes": int(given[i]), "agreement": float(matched[i] / given[i]) if given[i] else None}
        for i, name in enumerate(labels)
    }
    return alpha_of(counts), per_label


def alpha_of(counts: Any) -> float | None:
    """Krippendorff's nominal alpha of a value_counts matrix; None where it is undefined."""
    import warnings

    import krippendorff

    if counts.shape[1] < 2 or (counts.sum(axis=1) > 1).sum() == 0 or (counts.sum(axis=0) > 0).sum() < 2:
        return None  # one label in use: agreement by chance is already perfect
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))
    return None if math.isnan(value) else value


def _articles(shared: dict[Unit, dict[str, str]], labels: tuple[str, ...], titles: dict[str, str], order: dict[str, int]) -> list[ArticleAgreement]:
    """Per article: pairwise observed agreement and alpha, the lowest agreement first."""
    by_article: dict[str, list[dict[str, str]]] = {}
    for (article_id, _), votes in shared.items():
        by_article.setdefault(article_id, []).append(votes)
    out = []
    for article_id, units in by_article.items():
        pairs = agree = 0
        for votes in units:
            tally = Counter(votes.values())
            m = len(votes)
            pairs += m * (m - 1)
            agree += sum(c * (c - 1) for c in tally.values())
        out.append(ArticleAgreement(article_id, titles.get(article_id, ""), len(units), agree / pairs, alpha_of(_counts(units, labels))))
    out.sort(key=lambda r: (r.observed, -1.0 if r.alpha is None else r.alpha, order.get(r.id, 0), r.id))
    return out
