"""Sharing articles out: each article to one annotator, a given share of them to two, so
that agreement can be measured on those.

The same articles, annotators, overlap and seed always give the same assignments: the
articles are shuffled by a seeded generator, the first `overlap` share of them goes to two
annotators, and each article goes to whoever has the fewest sentences so far (ties taken in
turn), so the work comes out even in sentences, not just in articles.
"""

from __future__ import annotations

import random


class AssignError(ValueError):
    """The assignment asked for cannot be made; the message says why, in one line."""


def parse_annotators(spec: str) -> list[str]:
    """"a,b,c" -> ["a", "b", "c"]; AssignError for an empty or repeated name."""
    names = [part.strip() for part in spec.split(",")]
    if not spec.strip() or any(not name for name in names):
        raise AssignError("--annotators takes names separated by commas, e.g. --annotators asha,bo,chen")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise AssignError(f"--annotators names {repeated[0]!r} twice")
    return names


def check(annotators: list[str], overlap: float) -> None:
    """AssignError unless these annotators can share articles with this overlap."""
    if not annotators:
        raise AssignError("no annotators to assign articles to")
    if not 0.0 <= overlap <= 1.0:
        raise AssignError(f"--overlap is a share between 0 and 1, not {overlap}")
    if overlap > 0 and len(annotators) < 2:
        raise AssignError("an overlap needs at least two annotators (or --overlap 0)")


def share_out(articles: list[tuple[str, int]], annotators: list[str], overlap: float, seed: int = 0,
              held: dict[str, int] | None = None) -> list[tuple[str, str]]:
    """(article, annotator) pairs for (article id, sentence count) pairs. `held`: the sentences
    each annotator has from assignments kept, so that a new batch evens out the whole work."""
    check(annotators, overlap)
    order = sorted(articles)
    random.Random(seed).shuffle(order)
    doubles = round(overlap * len(order))
    load = {name: (held or {}).get(name, 0) for name in annotators}
    turn = {name: n for n, name in enumerate(annotators)}
    pairs: list[tuple[str, str]] = []
    for k, (article_id, sentences) in enumerate(order):
        ranked = sorted(annotators, key=lambda a: (load[a], (turn[a] - k) % len(annotators)))
        for annotator in ranked[: 2 if k < doubles else 1]:
            load[annotator] += max(1, sentences)
            pairs.append((article_id, annotator))
    return pairs
