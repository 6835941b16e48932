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

from reader.model import Article, Change, Entity, LabelSet, Sentence


@dataclass(frozen=True)
class Mark:
    """What one sentence shows besides its text: the article view draws these, and caches each
    painted line under the marks of its sentences, so a new layer is a new field here."""

    label: str | None = None


NO_MARK = Mark()


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
        self.parsed = True
        return True

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
        return self._set_labels(self.store.labels(self.article_id, self.annotator))

    def position(self) -> int:
        """Where this annotator left off (a valid sentence index)."""
        return min(self.store.position(self.article_id, self.annotator), max(0, len(self.sentences) - 1))

    def save_position(self, index: int) -> None:
        self.store.save_position(self.article_id, self.annotator, index)

    # --- what each sentence shows ---------------------------------------------------------

    def mark(self, index: int) -> Mark:
        label = self.labels.get(index)
        return NO_MARK if label is None else Mark(label=label)

    @property
    def labelled(self) -> int:
        return len(self.labels)

    # --- changing labels ------------------------------------------------------------------

    def label(self, index: int, label: str | None) -> Outcome | None:
        """Set (None: clear) a sentence's label, committed before this returns; None when the
        database already held it."""
        change = self.store.set_label(self.article_id, index, label, self.annotator)
        return self._applied(change)

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
        old = self.labels.pop(index, None)
        if old is not None:
            self.counts[old] -= 1
            if not self.counts[old]:
                del self.counts[old]
        if change.label is not None:
            self.labels[index] = change.label
            self.counts[change.label] += 1
        return Outcome(change, frozenset(changed | {index}))
