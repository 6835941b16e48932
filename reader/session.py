"""One annotator's work on one article, with no screen: the state the article screen draws.

A `Session` holds the article's sentences and entities, this annotator's labels and their
counts, and turns label / clear / undo / redo into store writes, answering with the
sentences whose marks changed. The screen reads it and the view draws `Mark`s from it; tests
drive it without Textual. The database stays the truth: `refresh` notices what other windows
or processes committed (SQLite's data_version) and re-reads it, so counts are always counts
of the labels the database holds and can never go negative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from reader.model import NOTE, SKIPPED, UNSURE, Article, Change, Entity, LabelSet, Sentence, Suggestion
from reader.store.errors import Busy

FIELDS = (NOTE, UNSURE)


@dataclass(frozen=True)
class Mark:
    """What one sentence shows besides its text: the article view draws these, and caches each
    painted line under the marks of its sentences, so a new layer is a new field here."""

    label: str | None = None
    suggestion: str | None = None  # shown only where there is no label
    note: bool = False
    unsure: bool = False
    pending: bool = False  # typed while the database was busy: shown, not written yet


NO_MARK = Mark()


@dataclass(frozen=True)
class Pending:
    """A label typed while another process held the database's write lock, waiting its turn."""

    index: int
    label: str | None
    provenance: str | None
    suggested: Suggestion | None


@dataclass(frozen=True)
class Outcome:
    """What a label action did: the change the log recorded, and the sentences to redraw."""

    change: Change
    changed: frozenset[int]


class Session:
    """The labels, counts and history of one article for one annotator."""

    def __init__(self, store, article_id: str, annotator: str, label_set: LabelSet) -> None:
        self.store = store
        self.article_id = article_id
        self.annotator = annotator
        self.label_set = label_set
        self.article: Article = store.article(article_id)
        self.sentences: list[Sentence] = []
        self.entities: list[Entity] = []
        self.labels: dict[int, str] = {}
        self.counts: Counter[str] = Counter()
        self.suggestions: dict[int, Suggestion] = {}
        self.notes: dict[int, str] = {}
        self.unsure: set[int] = set()
        self.show_suggestions = True
        self.pending: list[Pending] = []  # in the order typed, written by flush()
        self._walked: int | None = None  # where the least-sure walk last went
        self.parsed = False
        self._version: int | None = None

    # --- loading --------------------------------------------------------------------------

    def load(self) -> bool:
        """Read the parse and this annotator's labels; False while the article is not parsed."""
        if not self.store.is_parsed(self.article_id):
            return False
        self._version = self.store.data_version()
        self.sentences = self.store.sentences(self.article_id)
        self.entities = self.store.entities(self.article_id)
        self._set_labels(self.store.labels(self.article_id, self.annotator))
        self._set_fields()
        self.suggestions = self._read_suggestions()
        self.parsed = True
        return True

    def _set_fields(self) -> frozenset[int]:
        found = self.store.fields(self.article_id, self.annotator, FIELDS)
        notes, unsure = found[NOTE], set(found[UNSURE])
        changed = {i for i in self.notes.keys() | notes.keys() if self.notes.get(i) != notes.get(i)} | (self.unsure ^ unsure)
        self.notes, self.unsure = notes, unsure
        return frozenset(changed)

    def _read_suggestions(self) -> dict[int, Suggestion]:
        names = set(self.label_set.names)
        found = self.store.suggestions(self.article_id, self.label_set.key)
        return {i: s for i, s in found.items() if s.label in names}

    def needs_suggestions(self) -> bool:
        """Parsed, but missing suggestions (stored before they existed) or holding those of an
        older model than the current one for this label set."""
        if not self.parsed:
            return False
        current = self.store.current_model(self.label_set.key)
        if current is not None:
            return any(s.source != f"model:{current.id}" for s in self.suggestions.values()) or not self.suggestions
        return self.label_set.is_default and len(self.suggestions) < len(self.sentences)

    def _set_labels(self, labels: dict[int, str]) -> frozenset[int]:
        old = self.labels
        changed = frozenset(i for i in old.keys() | labels.keys() if old.get(i) != labels.get(i))
        self.labels = labels
        self.counts = Counter(labels.values())
        return changed

    def refresh(self) -> frozenset[int]:
        """Re-read the labels if another connection committed since we last looked; the
        sentences whose labels changed (empty when nothing did)."""
        if not self.parsed:
            return frozenset()
        version = self.store.data_version()
        if version == self._version:
            return frozenset()
        self._version = version
        changed = set(self._set_labels(self.store.labels(self.article_id, self.annotator)))
        changed |= self._set_fields()
        suggestions = self._read_suggestions()
        if suggestions != self.suggestions:
            old, self.suggestions = self.suggestions, suggestions
            changed |= {i for i in old.keys() | suggestions.keys() if old.get(i) != suggestions.get(i)}
        return frozenset(changed)

    def position(self) -> int:
        """Where this annotator left off (a valid sentence index)."""
        return min(self.store.position(self.article_id, self.annotator), max(0, len(self.sentences) - 1))

    def save_position(self, index: int) -> None:
        self.store.save_position(self.article_id, self.annotator, index)

    # --- what each sentence shows ---------------------------------------------------------

    def mark(self, index: int) -> Mark:
        waiting = [p for p in self.pending if p.index == index]
        if waiting:
            return Mark(label=waiting[-1].label, note=index in self.notes, unsure=index in self.unsure, pending=True)
        label = self.labels.get(index)
        note, unsure = index in self.notes, index in self.unsure
        suggestion = self.suggestions.get(index) if self.show_suggestions and label is None else None
        if label is None and suggestion is None and not note and not unsure:
            return NO_MARK
        return Mark(label=label, suggestion=suggestion.label if suggestion else None, note=note, unsure=unsure)

    def toggle_suggestions(self) -> frozenset[int]:
        """Hide or show suggestions; the sentences whose marks change."""
        self.show_suggestions = not self.show_suggestions
        return frozenset(i for i in self.suggestions if i not in self.labels)

    def least_confident(self, cursor: int) -> int | None:
        """The unlabelled sentence whose suggestion is least sure; asked again from where the
        last answer left the cursor, the next one in that order (wrapping), so repeated presses
        walk from least to most sure. None when every sentence is labelled."""

        def key(i: int) -> tuple[float, int]:
            suggestion = self.suggestions.get(i)
            return (suggestion.score if suggestion else 0.0, i)

        order = sorted((i for i in range(len(self.sentences)) if i not in self.labels), key=key)
        if not order:
            return None
        if cursor == self._walked:
            here = key(cursor)
            found = next((i for i in order if key(i) > here), order[0])
        else:
            found = order[0]
        self._walked = found
        return found

    @property
    def labelled(self) -> int:
        """Sentences given a label (skipped ones aside)."""
        return len(self.labels) - self.counts.get(SKIPPED, 0)

    @property
    def skipped(self) -> int:
        return self.counts.get(SKIPPED, 0)

    @property
    def done(self) -> int:
        """Labelled or skipped: what progress counts."""
        return len(self.labels)

    # --- changing labels ------------------------------------------------------------------

    def label(self, index: int, label: str | None) -> Outcome | None:
        """Set (None: clear) a sentence's label, committed before this returns; None when the
        database already held it. The suggestion on screen is recorded with it."""
        shown = self.suggestions.get(index) if self.show_suggestions else None
        change = self.store.set_label(self.article_id, index, label, self.annotator, suggested=shown)
        return self._applied(change)

    def accept(self, index: int) -> Outcome | None:
        """Take the sentence's suggestion as its label; None when there is none to take (or
        suggestions are hidden: a suggestion nobody saw is never recorded as accepted)."""
        suggestion = self.suggestions.get(index) if self.show_suggestions else None
        if suggestion is None or index in self.labels:
            return None
        change = self.store.set_label(
            self.article_id, index, suggestion.label, self.annotator, provenance="suggestion", suggested=suggestion
        )
        return self._applied(change)

    def change(self, index: int, label: str | None, *, accept: bool = False) -> Outcome | Pending | None:
        """`label` (or `accept`) without waiting: while another process holds the write lock,
        or while earlier changes still wait, the change is queued as Pending, shown at once and
        written in order by `flush`."""
        if accept:
            suggestion = self.suggestions.get(index) if self.show_suggestions else None
            if suggestion is None or index in self.labels or any(p.index == index for p in self.pending):
                return None
            waiting = Pending(index, suggestion.label, "suggestion", suggestion)
        else:
            waiting = Pending(index, label, None, self.suggestions.get(index) if self.show_suggestions else None)
        if not self.pending:
            try:
                with self.store.at_once():
                    return self._write_pending(waiting)
            except Busy:
                pass
        self.pending.append(waiting)
        return waiting

    def flush(self) -> list[Outcome]:
        """Write the pending changes in order, as far as the database lets us now."""
        done = []
        while self.pending:
            try:
                with self.store.at_once():
                    outcome = self._write_pending(self.pending[0])
            except Busy:
                break
            self.pending.pop(0)
            if outcome is not None:
                done.append(outcome)
        return done

    def _write_pending(self, p: Pending) -> Outcome | None:
        change = self.store.set_label(self.article_id, p.index, p.label, self.annotator, provenance=p.provenance, suggested=p.suggested)
        return self._applied(change)

    def skip(self, index: int) -> Outcome | None:
        """Mark a sentence as not worth a label (a headline, a credit): it counts as done and is
        left out of datasets; undo and relabelling work as for a label."""
        return self.label(index, SKIPPED)

    def set_note(self, index: int, text: str | None) -> Outcome | None:
        """Attach a short note to a sentence (None or blank removes it)."""
        text = " ".join(text.split()) if text else None
        return self._applied(self.store.set_field(self.article_id, index, NOTE, text or None, self.annotator))

    def toggle_unsure(self, index: int) -> Outcome | None:
        """Mark a sentence as one this annotator is not sure about, or take the mark away."""
        value = None if index in self.unsure else "1"
        return self._applied(self.store.set_field(self.article_id, index, UNSURE, value, self.annotator))

    def undo(self) -> Outcome | None:
        """Undo the latest change the database's history holds for this annotator here."""
        return self._applied(self.store.undo(self.article_id, self.annotator))

    def redo(self) -> Outcome | None:
        return self._applied(self.store.redo(self.article_id, self.annotator))

    def _applied(self, change: Change | None) -> Outcome | None:
        # Another window may have written since we last looked: take that in first, so the
        # counts stay counts of what the database holds.
        changed = set(self.refresh())
        if change is None:
            return None
        index = change.sentence_index
        if change.field == NOTE:
            if change.label is None:
                self.notes.pop(index, None)
            else:
                self.notes[index] = change.label
            return Outcome(change, frozenset(changed | {index}))
        if change.field == UNSURE:
            if change.label is None:
                self.unsure.discard(index)
            else:
                self.unsure.add(index)
            return Outcome(change, frozenset(changed | {index}))
        old = self.labels.pop(index, None)
        if old is not None:
            self.counts[old] -= 1
            if not self.counts[old]:
                del self.counts[old]
        if change.label is not None:
            self.labels[index] = change.label
            self.counts[change.label] += 1
        return Outcome(change, frozenset(changed | {index}))
