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


@dataclass
class Table:
    """The votes as arrays: one row per sentence labelled by two or more annotators (grouped by
    article), a column per annotator holding a label's number (-1: no vote)."""

    units: list[Unit]
    annotators: list[str]
    codes: Any  # sentences x annotators
    counts: Any  # sentences x labels: how many annotators gave each label (krippendorff's value_counts)
    skipped: int = 0
    outside: dict[str, int] = field(default_factory=dict)


def tabulate(votes: Iterable[Vote], labels: tuple[str, ...], only: frozenset[str] = frozenset()) -> Table:
    """One pass over the votes (200,000 of them in a third of a second), the rest in numpy."""
    code = {name: i for i, name in enumerate(labels)}
    unit_of: dict[Unit, int] = {}
    column: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[int] = []
    skipped = 0
    outside: Counter[str] = Counter()
    for article_id, index, annotator, label in votes:
        c = code.get(label)
        if c is None:
            if label == SKIPPED:
                skipped += 1
            else:
                outside[annotator] += 1
            continue
        n = unit_of.setdefault((article_id, index), len(unit_of))
        rows.append(n)
        cols.append(column.setdefault(annotator, len(column)))
        values.append(c)
    names = sorted(column)
    if len(names) < 2:  # nothing to compare: `measure` says so without loading numpy
        return Table([], names, None, None, skipped, dict(sorted(outside.items())))
    import numpy as np

    codes = np.full((len(unit_of), len(names)), -1, dtype=np.int64)
    place = np.array([names.index(a) for a in column], dtype=np.int64)
    codes[np.asarray(rows, dtype=np.int64), place[np.asarray(cols, dtype=np.int64)] if cols else []] = values
    considered = np.isin(codes, [code[label] for label in only]).any(axis=1) if only else np.ones(len(codes), dtype=bool)
    voted = [names[k] for k in np.nonzero((codes[considered] >= 0).any(axis=0))[0]]
    keep = considered & ((codes >= 0).sum(axis=1) > 1)
    units = list(unit_of)
    rows_kept = np.nonzero(keep)[0]
    # grouped by article (a stable sort keeps each article's sentences in order)
    article_ids = {a: n for n, a in enumerate(dict.fromkeys(u[0] for u in units))}
    group = np.array([article_ids[units[r][0]] for r in rows_kept], dtype=np.int64)
    rows_kept = rows_kept[np.argsort(group, kind="stable")]
    columns = [names.index(a) for a in voted]
    codes = codes[np.ix_(rows_kept, np.array(columns, dtype=np.int64))] if len(rows_kept) else np.zeros((0, len(voted)), dtype=np.int64)
    counts = np.zeros((len(rows_kept), len(labels)), dtype=np.int64)
    for k in range(codes.shape[1]):
        has = codes[:, k] >= 0
        np.add.at(counts, (np.nonzero(has)[0], codes[has, k]), 1)
    return Table([units[r] for r in rows_kept], voted, codes, counts, skipped, dict(sorted(outside.items())))


def measure(votes: Iterable[Vote], labels: tuple[str, ...], *, only: frozenset[str] = frozenset(),
            titles: dict[str, str] | None = None, order: dict[str, int] | None = None) -> Agreement:
    """Agreement on these votes under a label set; with `only`, on the sentences someone gave
    one of those labels. Raises AgreementError when there is nothing to compare."""
    table = tabulate(votes, labels, only)
    if len(table.annotators) < 2:
        raise AgreementError(_too_few(table.annotators, labels, Counter(table.outside)))
    if not table.units:
        raise AgreementError(f"no sentence was labelled by two annotators ({', '.join(table.annotators)}): nothing to compare")
    pairs = [_pair(table, a, b, labels) for a, b in combinations(range(len(table.annotators)), 2)]
    alpha, per_label = _alpha(table.counts, labels)
    return Agreement(
        annotators=table.annotators, labels=labels, sentences=len(table.units), pairs=pairs, alpha=alpha, per_label=per_label,
        articles=_articles(table, titles or {}, order or {}), skipped=table.skipped, outside=table.outside,
    )


def _too_few(annotators: list[str], labels: tuple[str, ...], outside: Counter[str]) -> str:
    have = f"only {annotators[0]} has" if annotators else "no annotator has"
    line = f"agreement needs labels from two annotators; {have} labels in the label set ({','.join(labels)})"
    others = [a for a in sorted(outside) if a not in annotators]
    if others:
        line += f"; {', '.join(f'{a} ({outside[a]})' for a in others)} labelled with other labels: give their label set with --labels"
    return line


def _pair(table: Table, i: int, j: int, labels: tuple[str, ...]) -> Pair:
    import numpy as np

    a, b = table.codes[:, i], table.codes[:, j]
    both = (a >= 0) & (b >= 0)
    k = len(labels)
    cells = np.bincount(a[both] * k + b[both], minlength=k * k).reshape(k, k)
    confusion = {x: {y: int(cells[p, q]) for q, y in enumerate(labels)} for p, x in enumerate(labels)}
    n = int(both.sum())
    name_a, name_b = table.annotators[i], table.annotators[j]
    if n == 0:
        return Pair(name_a, name_b, 0, None, None, confusion)
    observed = float(np.trace(cells)) / n
    chance = float((cells.sum(axis=1) * cells.sum(axis=0)).sum()) / (n * n)
    kappa = None if math.isclose(chance, 1.0) else (observed - chance) / (1 - chance)
    return Pair(name_a, name_b, n, observed, kappa, confusion)


def _alpha(counts: Any, labels: tuple[str, ...]) -> tuple[float | None, dict[str, dict[str, Any]]]:
    """Nominal alpha and, from the same coincidences, how often each label's votes were matched
    by another annotator's same label."""
    pairable = counts.sum(axis=1)
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


def alphas_by_group(counts: Any, starts: Any) -> Any:
    """Nominal alpha of each group of rows of a value_counts matrix (the groups start at
    `starts`), all at once: Krippendorff's coincidence formula, alpha = 1 - (n - 1) * D_o / D_e
    with D_o the disagreeing coincidences and D_e the disagreeing pairs of values, summed per
    group with numpy's reduceat. NaN where alpha is undefined (one value in use, or no unit with
    two values). `alpha_of` (the `krippendorff` package) gives the same on each group; a test
    holds them together. One call per article took a quarter of a second at 1,300 articles."""
    import numpy as np

    counts = counts.astype(np.float64)
    m = counts.sum(axis=1)
    pairable = m > 1
    counts = counts * pairable[:, None]
    m = m * pairable
    safe = np.where(pairable, m - 1, 1.0)
    disagree = (m * m - (counts * counts).sum(axis=1)) / safe  # sum over c != k of o_ck, per unit
    d_o = np.add.reduceat(disagree, starts)
    n_c = np.add.reduceat(counts, starts, axis=0)
    n = n_c.sum(axis=1)
    d_e = n * n - (n_c * n_c).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1) * d_o / d_e
    used = (n_c > 0).sum(axis=1)
    return np.where((used >= 2) & (d_e > 0), alpha, np.nan)


def _articles(table: Table, titles: dict[str, str], order: dict[str, int]) -> list[ArticleAgreement]:
    """Per article: pairwise observed agreement and alpha, the lowest agreement first."""
    counts = table.counts
    voters = counts.sum(axis=1)
    pairs = voters * (voters - 1)
    agree = (counts * (counts - 1)).sum(axis=1)
    import numpy as np

    ids = [u[0] for u in table.units]
    if not ids:
        return []
    starts = np.array([0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]], dtype=np.int64)  # grouped by article
    ends = np.append(starts[1:], len(ids))
    observed = np.add.reduceat(agree, starts) / np.add.reduceat(pairs, starts)
    alphas = alphas_by_group(counts, starts)
    out = [ArticleAgreement(ids[s], titles.get(ids[s], ""), int(e - s), float(o), None if math.isnan(a) else float(a))
           for s, e, o, a in zip(starts, ends, observed, alphas, strict=True)]
    # rounded, so that articles whose figures are equal tie whatever the order of the float sums
    out.sort(key=lambda r: (round(r.observed, 9), -1.0 if r.alpha is None else round(r.alpha, 9), order.get(r.id, 0), r.id))
    return out
