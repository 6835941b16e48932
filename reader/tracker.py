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


class Register:
    """The register as the commitments screen shows it: filtered, sorted, grouped by actor.

    State for the screen, kept in the core so tests drive it without Textual; the items are
    re-read from the store on `reload`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.items: list[Tracked] = []
        self.filter = ""
        self.sort = SORTS[0]
        self.grouped = False

    def reload(self) -> None:
        self.items = self.store.register()

    def rows(self) -> list[Tracked]:
        """The commitments to show, in order."""
        needle = self.filter.lower()
        shown = [c for c in self.items if not needle or needle in _haystack(c)]
        if self.grouped:
            return sorted(shown, key=lambda c: (actor_key(c), c.article_date or "", c.sentence_index))
        key = {
            "article": lambda c: 0,  # as stored: newest import first, then in reading order
            "actor": lambda c: (actor_key(c) or "\uffff",),
            "when": lambda c: (c.when_iso or "\uffff", c.value("when") or ""),
            "status": lambda c: (STATUSES.index(c.status),),
            "date": lambda c: (c.article_date or "",),
        }[self.sort]
        return sorted(shown, key=key)

    def groups(self) -> dict[str, int]:
        """How many commitments each actor has among those shown."""
        out: dict[str, int] = {}
        for c in self.rows():
            out[actor_key(c)] = out.get(actor_key(c), 0) + 1
        return out

    def next_sort(self) -> str:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return self.sort


def actor_key(c: Tracked) -> str:
    """Who, for grouping: the resolved name where the sentence only had a pronoun, lower case."""
    name = c.value("actor") if "actor" in c.corrected else (c.extracted.get("actor_resolved") or c.value("actor"))
    return " ".join((name or "").lower().split())


def _haystack(c: Tracked) -> str:
    parts = (c.value("actor"), c.value("action"), c.value("when"), c.article_title, c.text, c.note, c.status)
    return " ".join(p for p in parts if p).lower()
