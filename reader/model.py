"""Plain data: what an article, a sentence, an entity and a label are.

Frozen dataclasses with no behaviour beyond small derived values, so every layer (ingest,
nlp, store, export, tui) can pass them around without importing each other. Those the
reading screen never needs (library rows, export records, the register's commitments) are in
`reader.records`, so opening an article does not define them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LABELS: tuple[str, ...] = ("commitment", "claim", "background")
# What a skipped sentence holds instead of a label (a headline or credit not worth labelling).
# Parentheses cannot occur in a label name, so it never collides with one.
SKIPPED = "(skipped)"
# Fields of a sentence besides its label, each set by an annotator and undone like a label.
NOTE = "note"
UNSURE = "unsure"


def article_id(text: str) -> str:
    """A stable id from the normalised text: the same article from any source gets one id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    """An article as it came in: clean text plus what its source told us about it."""

    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return article_id(self.text)


@dataclass(frozen=True)
class Sentence:
    """A sentence as character offsets [start, end) into its article's text."""

    index: int
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """A named entity span found by spaCy, offsets into the article text."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class Suggestion:
    """A proposed label for a sentence: probabilities over a label set (summing to 1), the most
    probable label and its score, where it came from ("cold-start", or "model:<id>") and,
    for the cold start, the rule and words behind it."""

    label: str
    score: float
    scores: dict[str, float]
    source: str
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        """What exports and the event log carry: label, score and source."""
        return {"label": self.label, "score": round(self.score, 4), "source": self.source}

    def refined(self, encoded: dict[str, float], weight: float) -> Suggestion:
        """This suggestion mixed with the sentence encoder's probabilities (`reader.suggest.encoder`):
        a weighted mean of the two log-probabilities, `weight` the encoder's share, normalised
        again. Labels the encoder does not know keep this suggestion's own share. The rule
        behind the suggestion stays only while the label does."""
        floor = 1e-9
        logs = {name: (1.0 - weight) * math.log(max(p, floor)) + weight * math.log(max(encoded.get(name, p), floor))
                for name, p in self.scores.items()}
        top = max(logs.values())
        raw = {name: math.exp(v - top) for name, v in logs.items()}
        total = sum(raw.values())
        scores = {name: v / total for name, v in raw.items()}
        label = max(scores, key=lambda name: scores[name])
        return Suggestion(label, scores[label], scores, self.source, self.reason if label == self.label else None)


@dataclass(frozen=True)
class Parsed:
    """What the NLP step adds to an article: sentences, entities and, for the default label
    set, the cold start's suggestion for each sentence (by sentence index), with what the
    commitment extractor found in those suggested to be commitments."""

    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    model: str
    model_version: str
    suggestions: dict[int, Suggestion] = field(default_factory=dict)
    # what the commitment extractor found, and the article date it resolved times against
    commitments: dict[int, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelSet:
    """The labels a user annotates with; label i is bound to key str(i + 1)."""

    names: tuple[str, ...] = DEFAULT_LABELS

    @property
    def key(self) -> str:
        """How suggestions and models name the label set they are for."""
        return ",".join(self.names)

    @property
    def is_default(self) -> bool:
        return self.names == DEFAULT_LABELS

    @classmethod
    def parse(cls, spec: str) -> LabelSet:
        """Parse "a,b,c"; raise ValueError with a user-facing reason when it is unusable."""
        names = tuple(part.strip() for part in spec.split(",") if part.strip())
        if not names:
            raise ValueError("--labels needs at least one label, e.g. --labels commitment,claim,background")
        if len(names) > 9:
            raise ValueError(f"--labels takes at most 9 labels (keys 1-9), got {len(names)}")
        if len(set(names)) != len(names):
            raise ValueError("--labels has a label twice")
        for name in names:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"label {name!r} may only hold letters, digits, '-' and '_'")
        return cls(names)

    def mark(self, name: str) -> str:
        """A one-letter mark for a label that needs no colour: first unused letter of its name."""
        return self.marks().get(name, "?")

    def marks(self) -> dict[str, str]:
        used: dict[str, str] = {}
        for name in self.names:
            for ch in name.upper() + "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                if ch.isalpha() and ch not in used.values():
                    used[name] = ch
                    break
        return used


@dataclass(frozen=True)
class Change:
    """One change as the event log records it: the value a field of a sentence got (None: the
    label; "note", "unsure", ... for the others) and the value it replaced."""

    event_id: int
    sentence_index: int
    label: str | None
    previous: str | None
    field: str | None = None
    article_id: str | None = None  # set by undo and redo, which may reach any article


@dataclass(frozen=True)
class ExportedLabel:
    """A label carried by one of reader's own exports, to be put back on import."""

    sentence_index: int
    label: str
    annotator: str
    created: str | None
    updated: str
    # where the sentence is in its article and what it says, so a label is put back only on
    # a sentence with the same offsets and text; and the line of the file it came from
    start: int | None = None
    end: int | None = None
    text: str | None = None
    line: int | None = None
    # what else the export says about it: the field it sets (None: the label; "note" or
    # "unsure" for the others, `label` then holding their value), where the label came from
    # and the suggestion on screen when it was given (as the event log keeps it, JSON)
    field: str | None = None
    provenance: str | None = None
    suggested: str | None = None


@dataclass(frozen=True)
class ExportedSuggestion:
    """A sentence's stored suggestion carried by an export (`--suggestions`), with the label
    set it is for and where its sentence is, as for an `ExportedLabel`."""

    sentence_index: int
    label_set: str
    suggestion: Suggestion
    start: int
    end: int
    text: str


STATUSES = ("open", "kept", "broken", "unclear")
COMMITMENT = "commitment"  # the label the commitment tracker follows
# The parts of a tracked commitment a person may correct, and its status and note.
CORRECTABLE = ("actor", "action", "when")
