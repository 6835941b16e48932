"""The review queue, with no screen: the sentences annotators labelled differently, each with
every annotator's label, the suggestion where there is one, and the reviewer's decision.

The review screen draws a `Review`; tests drive it without Textual. A decision is an event
in the same log as the labels, by the reviewer, in the field "review" (see
`Store.set_review`), so `reader export --resolve reviewed` and training read it, and undo
and redo replay the reviewer's decisions only, never their labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reader.model import SKIPPED, Change, LabelSet, Sentence, Suggestion
from reader.team.agreement import units_of


@dataclass(frozen=True)
class Item:
    """A sentence two or more annotators labelled: annotator -> label (label set only)."""

    article_id: str
    index: int
    votes: dict[str, str]

    @property
    def key(self) -> tuple[str, int]:
        return (self.article_id, self.index)

    @property
    def disagreed(self) -> bool:
        return len(set(self.votes.values())) > 1


@dataclass(frozen=True)
class Context:
    """A sentence in its article: the title, a few sentences before and after."""

    title: str
    before: list[str]
    sentence: str
    after: list[str]


class Review:
    """One reviewer's walk through the disagreements of some articles (None: all)."""

    def __init__(self, store: Any, reviewer: str, label_set: LabelSet, article_ids: list[str] | None = None, *, every: bool = False) -> None:
        self.store = store
        self.reviewer = reviewer
        self.label_set = label_set
        self.article_ids = article_ids
        self.every = every  # every multiply-labelled sentence, not only the disagreements
        self.items: list[Item] = []
        self._all: list[Item] = []
        self.position = 0
        self.decisions: dict[tuple[str, int], tuple[str, str]] = {}  # (article, index) -> (reviewer, label)
        self._texts: dict[str, tuple[str, list[Sentence]]] = {}
        self._suggestions: dict[str, dict[int, Suggestion]] = {}
        self._titles: dict[str, str] = {}
        self._version: int | None = None
        self._units: dict[tuple[str, int], dict[str, str]] = {}  # every labelled sentence's votes
        self._skips: dict[tuple[str, int], set[str]] = {}  # who skipped each sentence (no vote)

    # --- loading --------------------------------------------------------------------------

    def load(self) -> None:
        """Read the labels and decisions; keeps the cursor on the sentence it was on."""
        here = self.current.key if self.current else None
        self._version = self.store.data_version()
        order = self.store.article_order()
        self._titles = {k: v[1] for k, v in order.items()}
        votes = self.store.votes(self.article_ids)
        units, _, _ = units_of(votes, self.label_set.names)
        self._units = units
        self._skips = {}
        for article_id, index, annotator, label in votes:
            if label == SKIPPED:
                self._skips.setdefault((article_id, index), set()).add(annotator)
        end = len(order)
        self._all = sorted(
            (Item(a, i, v) for (a, i), v in units.items() if len(v) > 1 and a in order),
            key=lambda it: (order.get(it.article_id, (end, ""))[0], it.article_id, it.index),
        )
        self.decisions = self.store.reviews(self.articles())
        self._suggestions = {}  # suggestions written since (e.g. for merged articles) show
        self._filter(here)

    def refresh(self) -> bool:
        """Re-read if another window or process committed since; whether anything was read."""
        version = self.store.data_version()
        if version == self._version:
            return False
        self.load()
        return True

    def articles(self) -> list[str]:
        """The articles whose sentences are in the queue (undo covers their decisions)."""
        return list(dict.fromkeys(item.article_id for item in self._all))

    def _filter(self, here: tuple[str, int] | None) -> None:
        self.items = [it for it in self._all if self.every or it.disagreed]
        keys = [it.key for it in self.items]
        if here in keys:
            self.position = keys.index(here)
        elif here is not None:  # the next sentence after where we were
            self.position = next((n for n, k in enumerate(keys) if k > here), len(keys) - 1)
        self.position = max(0, min(self.position, len(self.items) - 1))

    def toggle_every(self) -> None:
        """Walk every sentence two or more annotators labelled, or only the disagreements."""
        here = self.current.key if self.current else None
        self.every = not self.every
        self._filter(here)

    # --- what the screen shows ------------------------------------------------------------

    @property
    def current(self) -> Item | None:
        return self.items[self.position] if self.items else None

    @property
    def noun(self) -> str:
        return "sentence" if self.every else "disagreement"

    def status(self) -> str:
        """`disagreement i/N` (or `sentence i/N` when walking every multiply-labelled one)."""
        if not self.items:
            return f"no {self.noun}s to review"
        return f"{self.noun} {self.position + 1}/{len(self.items)}"

    @property
    def decided(self) -> int:
        return sum(1 for it in self.items if it.key in self.decisions)

    def decision(self, item: Item | None = None) -> tuple[str, str] | None:
        """(reviewer, label) standing on a sentence, if any reviewer decided it."""
        item = item or self.current
        return self.decisions.get(item.key) if item else None

    def suggestion(self, item: Item | None = None) -> Suggestion | None:
        item = item or self.current
        if item is None:
            return None
        if item.article_id not in self._suggestions:
            found = self.store.suggestions(item.article_id, self.label_set.key)
            self._suggestions[item.article_id] = {i: s for i, s in found.items() if s.label in self.label_set.names}
        return self._suggestions[item.article_id].get(item.index)

    def votes_at(self, article_id: str, index: int) -> dict[str, str]:
        """Each annotator's label (label set only) on any sentence of a loaded article."""
        return self._units.get((article_id, index), {})

    def skipped_at(self, article_id: str, index: int) -> set[str]:
        """Who skipped a sentence: a skip is done, but no vote (it is in no agreement figure)."""
        return self._skips.get((article_id, index), set())

    def team(self, article_id: str) -> list[str]:
        """The annotators with a label or a skip in this article, in name order: the gutter's columns."""
        marked = [*self._units.items(), *self._skips.items()]
        return sorted({name for (a, _), names in marked if a == article_id for name in names})

    def context(self, item: Item | None = None, around: int = 2) -> Context | None:
        """The sentence with `around` sentences before and after it, from its article."""
        item = item or self.current
        if item is None:
            return None
        if item.article_id not in self._texts:
            article = self.store.article(item.article_id)
            self._texts[item.article_id] = (article.text if article else "", self.store.sentences(item.article_id))
        text, sentences = self._texts[item.article_id]
        span = [text[s.start : s.end] for s in sentences]
        i = item.index
        if not (0 <= i < len(span)):
            return Context(self._titles.get(item.article_id, ""), [], "", [])
        return Context(self._titles.get(item.article_id, ""), span[max(0, i - around) : i], span[i], span[i + 1 : i + 1 + around])

    # --- moving ---------------------------------------------------------------------------

    def move(self, step: int) -> None:
        if self.items:
            self.position = max(0, min(len(self.items) - 1, self.position + step))

    def go(self, position: int) -> None:
        self.position = max(0, min(len(self.items) - 1, position)) if self.items else 0

    def next_undecided(self) -> bool:
        """Go to the next sentence no reviewer has decided (wrapping); False when none is left."""
        n = len(self.items)
        for step in range(1, n + 1):
            k = (self.position + step) % n
            if self.items[k].key not in self.decisions:
                self.position = k
                return True
        return False

    # --- deciding -------------------------------------------------------------------------

    def decide(self, label: str | None) -> Change | None:
        """Set (None: withdraw) the reviewer's final label for the current sentence, committed
        before this returns; a decision moves on to the next one. None when nothing changed."""
        item = self.current
        if item is None:
            return None
        change = self.store.set_review(item.article_id, item.index, label, self.reviewer)
        self._take(item.article_id)
        if label is not None:
            self.move(1)
        return change

    def undo(self) -> tuple[str, Change] | None:
        """Undo the reviewer's latest decision in these articles; the cursor goes to it."""
        return self._replay(self.store.undo_review(self.reviewer, self.articles()))

    def redo(self) -> tuple[str, Change] | None:
        return self._replay(self.store.redo_review(self.reviewer, self.articles()))

    def _replay(self, done: tuple[str, Change] | None) -> tuple[str, Change] | None:
        if done is None:
            return None
        article_id, change = done
        self._take(article_id)
        keys = [it.key for it in self.items]
        if (article_id, change.sentence_index) in keys:
            self.position = keys.index((article_id, change.sentence_index))
        return done

    def _take(self, article_id: str) -> None:
        """Re-read one article's decisions (the database is the truth)."""
        self.decisions = {k: v for k, v in self.decisions.items() if k[0] != article_id}
        self.decisions.update(self.store.reviews([article_id]))
        self._version = self.store.data_version()
