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
    too. With assignments, the progress is through their own share, then the library's."""
    first = _first(store, shown, with_library=True)
    if shown.share is not None and len(first.wrap(max(1, width))) > FIRST_LINES:
        first = _first(store, shown, with_library=False)
    return Content.assemble(first, *_team_parts(store))


def _first(store: Any, shown: Shown, *, with_library: bool) -> Content:
    counts = store.label_counts(shown.annotator)
    n, total = store.library_totals()
    labelled = sum(counts.values())
    parts: list[tuple[str, str] | str] = [(f"{n} article{'' if n == 1 else 's'}", "bold")]
    if shown.assigned:  # reader assign gave this annotator articles
        if shown.all_articles:  # a filter hides some: say how many it shows, as without assignments
            mode = f"{shown.shown} of {n} shown, yours first" if shown.filter else "yours first"
        else:
            mode = f"{shown.shown} of {n} shown: assigned to you{' and matching the filter' if shown.filter else ''}, m shows all"
        parts.append((f" ({mode})", "bold"))
    elif shown.filter:
        parts.append((f" ({shown.shown} of {n} shown)", "bold"))
    skipped = counts.get(SKIPPED, 0)  # done, but no label (as the article's status bar says)
    if shown.share is not None:  # how far through their own share, not through everyone's
        mine, mine_skipped, assigned = shown.share
        parts.append((f" · {mine}/{assigned} assigned sentences labelled by {shown.annotator}", "bold"))
        if mine_skipped:
            parts.append(f" ({mine_skipped} skipped)")
        if with_library:
            parts.append(f" · {labelled - skipped}/{total} in the library")
    else:
        parts.append((f" · {labelled - skipped}/{total} sentences labelled by {shown.annotator}", "bold"))
        if skipped:
            parts.append(f" ({skipped} skipped)")
    parts.append((" ·", "bold"))
    names = shown.label_set.names
    for name in names:
        parts.append((f" {name} {counts.get(name, 0)}", label_text(shown.label_set, name)))
    others = sum(v for name, v in counts.items() if name not in (*names, SKIPPED))
    if others:
        parts.append((f" · other labels {others}", "dim"))
    if shown.sorted_by:
        parts.append((f" · sorted: {shown.sorted_by}", "dim"))
    return Content.assemble(*parts)


def _team_parts(store: Any) -> list[tuple[str, str]]:
    """With several annotators (a lead after `reader merge`): each one's labelled sentences,
    and how many of their disagreements a reviewer decided."""
    if not store.several_annotators():
        return []
    team = store.team_progress()
    people = ", ".join(f"{name} {row['labelled']}" for name, row in team["annotators"].items())
    return [(f"\nteam: {people} · reviewed {team['decided']} of {team['disagreements']} disagreements", "bold")]
