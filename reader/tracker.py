"""The commitment tracker: who promised what, by when, across every article.

The register is every sentence someone labelled a commitment, and every unlabelled one whose
suggestion is commitment (marked as such). What the extractor (`reader.commitments`) found is
stored at parse time for suggested commitments, and for labelled ones by `extract_missing`,
which runs where spaCy may load (a background job, `reader commitments`, the export). People
correct the actor, action and time and set a status and a note; each is an event in the log
(the one write path), undone with the tracker's own undo, merged with the team's work, and
the latest correction by anyone wins over the extraction.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from contextlib import suppress
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from reader.model import CORRECTABLE, STATUSES, Change
from reader.records import Tracked
from reader.register_order import actor_key, deadline, group_keys
from reader.store import Store, StoreError
from reader.store.commitments import FIELDS, PREFIX


def extract_missing(store: Store, nlp: Any, progress: Callable[[int, int], None] | None = None) -> int:
    """Read every commitment sentence the extractor has not read yet; returns how many."""
    from reader import commitments
    from reader.nlp import CONTEXT, sentence_spans

    todo = store.needing_extraction()
    done = 0
    for n, (article_id, indexes) in enumerate(todo.items(), 1):
        article = store.article(article_id)
        if article is None:
            continue
        spans = sentence_spans(nlp, article.text, store.sentences(article_id))
        date = commitments.article_date(article.text, article.published)
        order = sorted(spans)
        found = {}
        for index in indexes:
            if index in spans:
                before = [spans[i] for i in order[max(0, bisect_left(order, index) - CONTEXT) : bisect_left(order, index)]]
                found[index] = commitments.extract(spans[index], before, date)
        store.save_commitments(article_id, found, date)
        done += len(found)
        if progress:
            progress(n, len(todo))
    return done


def correct(store: Store, item: Tracked, part: str, value: str | None, annotator: str) -> Change | None:
    """Correct the actor, action or time (None or blank: back to what was extracted)."""
    if part not in CORRECTABLE:
        raise ValueError(f"only {', '.join(CORRECTABLE)} can be corrected, not {part!r}")
    value = " ".join(value.split()) if value else None
    return store.set_field(item.article_id, item.sentence_index, PREFIX + part, value or None, annotator)


def set_status(store: Store, item: Tracked, status: str, annotator: str) -> Change | None:
    if status not in STATUSES:
        raise ValueError(f"status is one of {', '.join(STATUSES)}, not {status!r}")
    return store.set_field(item.article_id, item.sentence_index, PREFIX + "status", None if status == "open" else status, annotator)


def set_note(store: Store, item: Tracked, note: str | None, annotator: str) -> Change | None:
    note = " ".join(note.split()) if note else None
    return store.set_field(item.article_id, item.sentence_index, PREFIX + "note", note or None, annotator)


def undo(store: Store, annotator: str) -> Change | None:
    """Undo this annotator's latest change in the tracker (in any article)."""
    return store.undo(None, annotator, FIELDS)


def redo(store: Store, annotator: str) -> Change | None:
    return store.redo(None, annotator, FIELDS)


def records(items: Iterable[Tracked]) -> Iterator[dict[str, Any]]:
    """One export record per commitment; `corrected` says which parts a person set."""
    for c in items:
        yield {
            "actor": c.value("actor"),
            "actor_entities": [] if "actor" in c.corrected else [
                {"text": e[0], "label": e[1], "start": e[2], "end": e[3]} for e in c.extracted.get("actor_entities", [])
            ],
            "actor_resolved": None if "actor" in c.corrected else c.extracted.get("actor_resolved"),
            "action": c.value("action"),
            "when": c.value("when"),
            "when_iso": c.when_iso,
            "status": c.status,
            "note": c.note,
            "origin": c.origin,
            "corrected": {part: part in c.corrected for part in CORRECTABLE},
            "extracted": bool(c.extracted),
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "sentence_index": c.sentence_index,
            "article_id": c.article_id,
            "article_title": c.article_title,
            "url": c.url,
            "article_date": c.article_date,
        }


SORTS = ("article", "actor", "when", "status", "date")
VIEWS = ("all", "overdue", "due")
DUE_DAYS = 30  # "due soon": the deadline falls within this many days from today
PAGE = 200  # rows read at once (the screen's window, reader.tui.widgets.rows)


def today() -> dt.date:
    """The date the register counts from (a function, so a test can fix it)."""
    return dt.date.today()


def overdue(c: Tracked, on: dt.date) -> bool:
    """Still open, and its deadline has passed."""
    end = deadline(c)
    return c.status == "open" and end is not None and end < on


def due(c: Tracked, on: dt.date, days: int = DUE_DAYS) -> bool:
    """Still open, and its deadline falls in the next `days` days (today included)."""
    end = deadline(c)
    return c.status == "open" and end is not None and on <= end <= on + dt.timedelta(days=days)


class Rows(Sequence[Tracked]):
    """The commitments shown, in order, read from the store a run at a time: its length is one
    count, and a row comes from a run already read (the screen's window) or with the PAGE rows
    around it."""

    def __init__(self, count: Callable[[], int], window: Callable[[int, int], list[Tracked]]) -> None:
        self._count, self._window = count, window
        self._length: int | None = None
        self._runs: dict[int, list[Tracked]] = {}  # start -> the rows read from there

    def __len__(self) -> int:
        if self._length is None:
            self._length = self._count()
        return self._length

    def _read(self, start: int, n: int) -> list[Tracked]:
        if len(self._runs) > 8:  # a long walk through the rows keeps a few runs only
            self._runs.clear()
        run = self._runs[start] = self._window(start, n)
        return run

    def _at(self, position: int) -> Tracked:
        for start, run in self._runs.items():
            if start <= position < start + len(run):
                return run[position - start]
        return self._read(position - position % PAGE, PAGE)[position % PAGE]

    @overload
    def __getitem__(self, index: int) -> Tracked: ...
    @overload
    def __getitem__(self, index: slice) -> list[Tracked]: ...

    def __getitem__(self, index: int | slice) -> Tracked | list[Tracked]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:  # one read for a run of rows, kept for the rows asked for one by one
                return list(self._read(start, stop - start)) if stop > start else []
            return [self._at(i) for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._at(index)


class Register:
    """The register as the commitments screen shows it: filtered, sorted, grouped by actor.

    State for the screen, kept in the core so tests drive it without Textual. The rows are the
    store's kept rows (reader.store.register), read a window at a time in the order asked for;
    `reload` brings them up to date with what was written since. `view` narrows it to the
    overdue commitments or those due within `due_days`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: dict[str, Any] = {}  # what was read from the store, until it changes
        self.filter = ""
        self.sort = SORTS[0]
        self.grouped = False
        self.view = VIEWS[0]
        self.due_days = DUE_DAYS

    def _derived(self, name: str, make: Callable[[], Any]) -> Any:
        """Read once per reload (and per filter, view and order where they matter)."""
        if name not in self._kept:
            self._kept[name] = make()
        return self._kept[name]

    def reload(self) -> None:
        # another process holding the write lock too long: the rows as last kept, caught up next time
        with suppress(StoreError):
            self.store.refresh_register()
        self._kept = {}

    def _shown_where(self) -> dict[str, Any]:
        return {"needle": self.filter, "view": self.view, "on": today(), "due_days": self.due_days}

    def _rows_for(self, order: str, where: dict[str, Any]) -> Rows:
        """The rows in this order, read once per reload; their count once whatever the order."""
        shown = f"{sorted(where.items())}"
        return self._derived(f"rows {order} {shown}", lambda: Rows(
            lambda: self._derived(f"count {shown}", lambda: self.store.register_count(**where)),
            lambda start, n: self.store.register_window(order, start, n, **where)))

    @property
    def items(self) -> Rows:
        """Every commitment, newest import first."""
        return self._rows_for("article", {"needle": "", "view": VIEWS[0], "on": today(), "due_days": self.due_days})

    def labelled(self) -> int:
        """How many of the commitments someone labelled (the others are suggested)."""
        return int(self._derived("labelled", self.store.register_labelled))

    def rows(self) -> Rows:
        """The commitments to show, in order."""
        return self._rows_for("grouped" if self.grouped else self.sort, self._shown_where())

    def counts(self) -> dict[str, int]:
        """How many commitments are overdue and due soon (of all of them, whatever is shown)."""
        on = today()
        return self._derived(f"counts {on} {self.due_days}", lambda: self.store.register_due(on, self.due_days))

    def groups(self) -> dict[str, int]:
        """How many commitments each actor has among those shown (by `group_of`)."""
        where = self._shown_where()
        return self._derived(f"groups {sorted(where.items())}", lambda: self.store.register_group_counts(**where))

    def group_of(self, c: Tracked) -> str:
        """The actor a commitment is grouped under: "Marsh" goes with "Helena Marsh"."""
        key = actor_key(c)
        return str(self._derived("group of", self.store.register_groups_of).get(key, key))

    def next_sort(self) -> str:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return self.sort

    def toggle_view(self, view: str) -> str:
        """Show only this view, or (when it is shown already) everything again."""
        self.view = VIEWS[0] if self.view == view else view
        return self.view


def actor_keys(items: Iterable[Tracked]) -> dict[str, str]:
    """Each actor key of these commitments mapped to the actor it names (register_order.group_keys)."""
    return group_keys(actor_key(c) for c in items)
