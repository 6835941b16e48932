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
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from reader.model import CORRECTABLE, STATUSES, Change, Tracked
from reader.store import Store
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


def today() -> dt.date:
    """The date the register counts from (a function, so a test can fix it)."""
    return dt.date.today()


def deadline(c: Tracked) -> dt.date | None:
    """The last day of the commitment's time: the end of `when_iso` ("by March 2027" ends on
    2027-03-31, though the interval starts at the article's date); None without one."""
    if not c.when_iso:
        return None
    end = c.when_iso.rsplit("/", 1)[-1]
    try:
        return dt.date.fromisoformat(end)
    except ValueError:
        return None


def overdue(c: Tracked, on: dt.date) -> bool:
    """Still open, and its deadline has passed."""
    end = deadline(c)
    return c.status == "open" and end is not None and end < on


def due(c: Tracked, on: dt.date, days: int = DUE_DAYS) -> bool:
    """Still open, and its deadline falls in the next `days` days (today included)."""
    end = deadline(c)
    return c.status == "open" and end is not None and on <= end <= on + dt.timedelta(days=days)


class Register:
    """The register as the commitments screen shows it: filtered, sorted, grouped by actor.

    State for the screen, kept in the core so tests drive it without Textual; the items are
    re-read from the store on `reload`. `view` narrows it to the overdue commitments or those
    due within `due_days`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._items: list[Tracked] = []
        self._kept: dict[str, Any] = {}  # what is derived from the items, until they change
        self.filter = ""
        self.sort = SORTS[0]
        self.grouped = False
        self.view = VIEWS[0]
        self.due_days = DUE_DAYS

    @property
    def items(self) -> list[Tracked]:
        return self._items

    @items.setter
    def items(self, items: list[Tracked]) -> None:
        self._items = items
        self._kept = {}

    def _derived(self, name: str, make: Callable[[], Any]) -> Any:
        """Computed once per set of items (a register of 100,000 commitments would otherwise
        pay for it on every keypress)."""
        if name not in self._kept:
            self._kept[name] = make()
        return self._kept[name]

    def reload(self) -> None:
        self.items = self.store.register()

    def _keys(self) -> dict[str, str]:
        return self._derived("keys", lambda: actor_keys(self.items))

    def _group_keys(self) -> list[str]:
        keys = self._keys()
        return [keys[actor_key(c)] for c in self.items]

    def labelled(self) -> int:
        """How many of the commitments someone labelled (the others are suggested)."""
        return self._derived("labelled", lambda: sum(c.origin == "labelled" for c in self.items))

    def in_view(self, c: Tracked, on: dt.date) -> bool:
        if self.view == "overdue":
            return overdue(c, on)
        if self.view == "due":
            return due(c, on, self.due_days)
        return True

    def rows(self) -> list[Tracked]:
        """The commitments to show, in order."""
        needle = self.filter.lower()
        on = today()
        if needle:
            hay = self._derived("hay", lambda: [_haystack(c) for c in self.items])
            chosen: Iterable[Tracked] = (c for c, h in zip(self.items, hay, strict=True) if needle in h)
        else:
            chosen = self.items
        shown = [c for c in chosen if self.in_view(c, on)] if self.view != VIEWS[0] else list(chosen)
        if self.sort == "article" and not self.grouped:
            return shown  # as stored: newest import first, then in reading order
        if self.grouped or self.sort == "actor":
            # each commitment's actor group, found once per reload (by position: items repeat no object)
            groups = self._derived("groups", lambda: {id(c): k for c, k in zip(self.items, self._group_keys(), strict=True)})
        if self.grouped:
            return sorted(shown, key=lambda c: (groups[id(c)], c.article_date or "", c.sentence_index))
        key = {
            "actor": lambda c: (groups[id(c)] or "\uffff",),
            "when": _by_deadline,
            "status": lambda c: (STATUSES.index(c.status),),
            "date": lambda c: (c.article_date or "",),
        }[self.sort]
        return sorted(shown, key=key)

    def counts(self) -> dict[str, int]:
        """How many commitments are overdue and due soon (of all of them, whatever is shown)."""
        on = today()
        return self._derived(f"counts {on} {self.due_days}", lambda: {
            "overdue": sum(overdue(c, on) for c in self.items), "due": sum(due(c, on, self.due_days) for c in self.items)})

    def groups(self) -> dict[str, int]:
        """How many commitments each actor has among those shown (by `group_of`)."""
        out: dict[str, int] = {}
        for c in self.rows():
            out[self.group_of(c)] = out.get(self.group_of(c), 0) + 1
        return out

    def group_of(self, c: Tracked) -> str:
        """The actor a commitment is grouped under: "Marsh" goes with "Helena Marsh"."""
        return self._keys()[actor_key(c)]

    def next_sort(self) -> str:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return self.sort

    def toggle_view(self, view: str) -> str:
        """Show only this view, or (when it is shown already) everything again."""
        self.view = VIEWS[0] if self.view == view else view
        return self.view


def _by_deadline(c: Tracked) -> tuple[str, str]:
    end = deadline(c)
    return (end.isoformat() if end else "\uffff", c.value("when") or "")


def actor_key(c: Tracked) -> str:
    """Who, for grouping: the resolved name where the sentence only had a pronoun, lower case."""
    name = c.value("actor") if "actor" in c.corrected else (c.extracted.get("actor_resolved") or c.value("actor"))
    return " ".join((name or "").lower().split())


_JOINED = {"and", "&", "or", "with"}


def actor_keys(items: Iterable[Tracked]) -> dict[str, str]:
    """Each actor key mapped to the actor it names: a shorter name that ends one longer name
    (and only one: "Marsh" and "Helena Marsh", or "Helena Marsh" and "Dr Helena Marsh") is the
    same actor. A name of several parties ("Veldra and Ostmark") takes in no one."""
    keys = sorted({actor_key(c) for c in items}, key=lambda k: (-len(k.split()), k))
    root: dict[str, str] = {}
    for key in keys:
        words = key.split()
        found = {
            root[longer] for longer in root
            if words and len(longer.split()) > len(words) and longer.split()[-len(words):] == words
            and "," not in longer and not _JOINED & set(longer.split())
        }
        root[key] = found.pop() if len(found) == 1 else key
    return root


def _haystack(c: Tracked) -> str:
    parts = (c.value("actor"), c.value("action"), c.value("when"), c.article_title, c.text, c.note, c.status)
    return " ".join(p for p in parts if p).lower()
