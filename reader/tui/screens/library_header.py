"""The library's header: what it shows, and how far the annotator running the app is. Plain
functions of the store and of what the screen shows, apart from the screen (as article_status)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.content import Content

from reader.model import SKIPPED, LabelSet
from reader.records import ArticleSummary
from reader.tui.theme import label_text

# The first part of the header wraps to at most this many lines (library.tcss keeps room for
# the team's line below it); the whole library's count is left out where it would need more.
FIRST_LINES = 2


@dataclass(frozen=True)
class Shown:
    """What the library screen shows now."""

    annotator: str
    label_set: LabelSet
    shown: int  # articles listed
    filter: str
    assigned: bool  # this annotator has assignments
    all_articles: bool  # ...and `m` lists every article, theirs first
    share: tuple[int, int, int] | None  # with assignments: (labelled, skipped, sentences) of them
    sorted_by: str | None  # None: the library's own order


def share_of(rows: list[ArticleSummary], assigned: set[str]) -> tuple[int, int, int]:
    """(labelled, skipped, sentences) over the articles assigned to the annotator."""
    mine = [r for r in rows if r.id in assigned]
    return sum(r.labelled for r in mine), sum(r.skipped for r in mine), sum(r.sentences for r in mine)


def header_text(store: Any, shown: Shown, width: int) -> Content:
    """Counts for the annotator running the app, in `width` cells; the label counts are theirs
    too, of the same sentences as the progress they follow. With assignments, the progress is
    through their own share, else with a filter through the articles it shows; then the
    library's where the line has room."""
    scoped = shown.share is not None or bool(shown.filter)
    first = _first(store, shown, with_library=True)
    if scoped and len(first.wrap(max(1, width))) > FIRST_LINES:
        first = _first(store, shown, with_library=False)
    return Content.assemble(first, *_team_parts(store))


def _first(store: Any, shown: Shown, *, with_library: bool) -> Content:
    n, total = store.library_totals()
    parts: list[tuple[str, str] | str] = [(f"{n} article{'' if n == 1 else 's'}", "bold"), *_listed(shown, n)]
    library = store.label_counts(shown.annotator)
    counts = _progress(store, shown, library, total, parts)
    parts.append((" ·", "bold"))
    names = shown.label_set.names
    for name in names:
        parts.append((f" {name} {counts.get(name, 0)}", label_text(shown.label_set, name)))
    others = sum(v for name, v in counts.items() if name not in (*names, SKIPPED))
    if others:
        parts.append((f" · other labels {others}", "dim"))
    if counts is not library and with_library:  # the whole library's progress after the part's
        parts.append(f" · {_done(library)[0]}/{total} in the library")
    if shown.sorted_by:
        parts.append((f" · sorted: {shown.sorted_by}", "dim"))
    return Content.assemble(*parts)


def _listed(shown: Shown, n: int) -> list[tuple[str, str]]:
    """What the list holds of the library's n articles, when it is not all of them in order."""
    if shown.assigned:  # reader assign gave this annotator articles
        if shown.all_articles:  # a filter hides some: say how many it shows, as without assignments
            mode = f"{shown.shown} of {n} shown, yours first" if shown.filter else "yours first"
        else:
            mode = f"{shown.shown} of {n} shown: assigned to you{' and matching the filter' if shown.filter else ''}, m shows all"
        return [(f" ({mode})", "bold")]
    if shown.filter:
        return [(f" ({shown.shown} of {n} shown)", "bold")]
    return []


def _progress(store: Any, shown: Shown, library: dict[str, int], total: int, parts: list) -> dict[str, int]:
    """Add how far the annotator is (through their share; else the articles a filter shows;
    else the library) to parts, and give their counts per label over the same sentences."""
    who = shown.annotator
    if shown.share is not None:  # how far through their own share, not through everyone's
        _, counts = store.scoped_counts(who, assigned=True)
        done, skipped, sentences = shown.share
        parts.append((f" · {done}/{sentences} assigned sentences labelled by {who}", "bold"))
    elif shown.filter:
        sentences, counts = store.scoped_counts(who, shown.filter)
        done, skipped = _done(counts)
        parts.append((f" · {done}/{sentences} sentences of the articles shown labelled by {who}", "bold"))
    else:
        counts = library
        done, skipped = _done(counts)
        parts.append((f" · {done}/{total} sentences labelled by {who}", "bold"))
    if skipped:  # done, but no label (as the article's status bar says)
        parts.append(f" ({skipped} skipped)")
    return counts


def _done(counts: dict[str, int]) -> tuple[int, int]:
    """(labelled, skipped) in these label counts: a skip is done, but no label (as the
    article's status bar says)."""
    skipped = counts.get(SKIPPED, 0)
    return sum(counts.values()) - skipped, skipped


def _team_parts(store: Any) -> list[tuple[str, str]]:
    """With several annotators (a lead after `reader merge`): each one's labelled sentences,
    and how many of their disagreements a reviewer decided."""
    if not store.several_annotators():
        return []
    team = store.team_progress()
    people = ", ".join(f"{name} {row['labelled']}" for name, row in team["annotators"].items())
    return [(f"\nteam: {people} · reviewed {team['decided']} of {team['disagreements']} disagreements", "bold")]
