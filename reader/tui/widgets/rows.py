"""Tables of any length: a DataTable holds a window of the rows, never all of them.

Textual's DataTable measures every cell it is given; thousands of rows take seconds, and a
library of 100,000 articles would hold the screen for minutes. A screen keeps the whole list
(or a way to read any page of it) and gives the table PAGE rows around the cursor, moved when
the cursor comes within MARGIN rows of the window's edge (`window_start`), so the table's work
and memory stay the same however long the list grows.
"""

from __future__ import annotations

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
