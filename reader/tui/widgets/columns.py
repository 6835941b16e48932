"""Table columns that follow the terminal's width.

A column is fixed (a count, a status word: never cut) or flexible (a title, an actor: it takes
a share of whatever room is left, never less than its least width). When even the least widths
do not fit, the columns that matter least go first, whole; when that is not enough (a 60-column
terminal), the flexible columns give up cells, down to FLOOR each, so that the fixed columns at
the right (progress, status) are never the ones cut.
"""

from __future__ import annotations

from dataclasses import dataclass

# Each DataTable column pads one cell a side; the vertical scrollbar takes two more.
PADDING = 2
MARGIN = 2
FLOOR = 8  # a flexible column's last cells: "Water c…" still tells articles apart


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    width: int  # a fixed column's width, a flexible column's least
    share: int = 0  # > 0: flexible, taking this share of the room left over
    drop: int = 0  # > 0: left out when the terminal is too narrow, the highest first


def fit(columns: list[Column], width: int) -> list[tuple[str, str, int]]:
    """(key, heading, width) of the columns that fit `width` cells, in their order."""
    kept = list(columns)
    for column in sorted((c for c in columns if c.drop), key=lambda c: -c.drop):
        if _least(kept) <= width:
            break
        kept.remove(column)
    widths = {c.key: c.width for c in kept}
    over = _least(kept) - width
    for c in sorted((c for c in kept if c.share), key=lambda c: -c.width):
        cut = max(0, min(over, c.width - FLOOR))
        widths[c.key] -= cut
        over -= cut
    room = max(0, width - sum(w + PADDING for w in widths.values()) - MARGIN)
    shares = sum(c.share for c in kept)
    given = 0
    flexible = [c for c in kept if c.share]
    for n, c in enumerate(flexible):
        extra = room - given if n == len(flexible) - 1 else room * c.share // shares
        widths[c.key] += extra
        given += extra
    return [(c.key, c.heading, widths[c.key]) for c in kept]


def _least(columns: list[Column]) -> int:
    return sum(c.width + PADDING for c in columns) + MARGIN
