"""Filling a DataTable with many rows without holding up the first paint.

Textual's DataTable measures every cell it is given; thousands of rows take seconds. The
first screenful goes in at once, the rest in chunks after each refresh, so the table shows
(and answers keys) at once. A newer fill of the same table stops an older one.

A list of any length is better held as a window: PAGE rows around the cursor, moved when the
cursor comes within MARGIN rows of its edge (`window_start`), so the table's work and memory
stay the same however long the list grows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from textual.widgets import DataTable

FIRST = 120
CHUNK = 400
PAGE = 200
MARGIN = 40


def window_start(position: int, first: int, held: int, total: int) -> int | None:
    """Where a window of the list must start to hold the row at `position` away from its edges
    (`first` is where it starts now, `held` how many rows it holds, of `total`); None when it can
    stay. An even start keeps a zebra-striped row on the same stripe."""
    row = position - first
    near_end = row >= held - MARGIN and first + held < total
    near_start = row < MARGIN and first > 0
    if 0 <= row < held and not near_end and not near_start:
        return None
    start = max(0, min(position - PAGE // 2, total - PAGE))
    return start - start % 2


def fill(table: DataTable, rows: Iterable[tuple[Sequence[Any], str]], done: Callable[[], None] | None = None) -> None:
    """Clear the table and add (cells, key) rows: a screenful now, the rest a chunk at a time."""
    generation = getattr(table, "_reader_fill", 0) + 1
    table._reader_fill = generation  # type: ignore[attr-defined]
    table.clear()
    source: Iterator[tuple[Sequence[Any], str]] = iter(rows)

    def add(count: int) -> None:
        if getattr(table, "_reader_fill", 0) != generation:
            return  # a newer fill took over
        batch = list(islice(source, count))
        for cells, key in batch:
            table.add_row(*cells, key=key)
        if len(batch) == count:
            table.call_after_refresh(add, CHUNK)
        elif done is not None:
            done()

    add(FIRST)
