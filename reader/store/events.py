"""The event row, defined once: every column of `annotation_events`, in the table's order.

Reading the log (`COLUMNS` into `Event`), writing it (`INSERT`, from the columns an event is
written with, `WRITTEN`), undo and redo (`reader.store.undo`), the one write path's `Entry`
(`reader.store.labels`, which carries every written column by name) and a merge
(`reader.store.merge`, `reader.store.merge_plan`) all derive from `Event`. The table itself is made
by the migrations in `reader.store.schema`, which are history and never change; a test checks
that the table they make has exactly these columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Event(NamedTuple):
    """One row of the event log. A tuple, so that reading hundreds of thousands of rows (a
    merge, a replay) makes one cheap object per row."""

    id: int
    article_id: str
    sentence_index: int | None
    annotator: str
    action: str  # set, clear, undo, redo, delete, import
    label: str | None  # the value the event sets (None clears it)
    previous: str | None  # the value it replaces
    target: int | None  # the event an undo or redo undoes or redoes
    created: str
    field: str | None  # None: the label; otherwise another field of the sentence
    provenance: str | None  # None: by hand
    suggested: str | None  # the suggestion on screen, as JSON
    uid: str | None  # unique across databases, so a merge never adds an event twice


COLUMNS = ", ".join(Event._fields)
# The log numbers its events itself (AUTOINCREMENT): every other column is written.
WRITTEN: tuple[str, ...] = Event._fields[1:]
INSERT = f"INSERT INTO annotation_events ({', '.join(WRITTEN)}) VALUES ({', '.join('?' * len(WRITTEN))})"


def read(rows: Iterable[tuple]) -> list[Event]:
    """Rows selected as COLUMNS, as events (made straight from the tuples sqlite3 gives: a merge
    reads hundreds of thousands)."""
    make = tuple.__new__
    return [make(Event, row) for row in rows]
