"""Plain data the reading screen never needs: the library's rows, an annotator's label as an
export carries it, an article with everything an export needs, a commitment in the register, and
a trained suggestion model.

Apart from `reader.model` so that opening an article does not create these classes (a frozen
dataclass costs about a millisecond to define); the same frozen dataclasses, with no behaviour
beyond small derived values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader.model import Entity, Suggestion


@dataclass(frozen=True)
class ArticleSummary:
    """One row of the library: an article with its counts."""

    id: str
    title: str
    source: str | None
    published: str | None
    sentences: int
    labelled: int  # sentences given a label, skipped ones aside (as the status bar counts)
    imported_at: str
    suggested: int = 0  # unlabelled sentences with a suggestion
    doubt: float = 0.0  # how unsure those suggestions are, on average (1 - score)
    skipped: int = 0  # sentences skipped: done, but with no label

    @property
    def done(self) -> int:
        """Sentences labelled or skipped: what the progress bar shows."""
        return self.labelled + self.skipped


@dataclass(frozen=True)
class Annotation:
    """One annotator's current label on a sentence: when it was given, where it came from
    (None: by hand; "suggestion": an accepted suggestion) and the suggestion on screen then."""

    label: str
    annotator: str
    created: str
    updated: str
    provenance: str | None = None
    suggested: dict[str, Any] | None = None


@dataclass(frozen=True)
class ArticleData:
    """An article with everything an export needs: sentences as (index, start, end, text)."""

    id: str
    title: str | None
    source: str | None
    url: str | None
    author: str | None
    published: str | None
    site: str | None
    text: str
    meta: dict[str, Any]
    model: str | None
    model_version: str | None
    sentences: list[tuple[int, int, int, str]]
    entities: list[Entity]
    labels: dict[int, list[Annotation]]
    reviews: dict[int, Annotation] = field(default_factory=dict)
    suggestions: dict[int, Suggestion] = field(default_factory=dict)
    # notes and unsure marks: (sentence index, annotator) -> field -> value
    fields: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)
    # when each of those was last set: (sentence index, annotator) -> field -> time
    remarked: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)
    assigned: tuple[str, ...] = ()  # the annotators the article is assigned to (reader assign)


@dataclass(frozen=True)
class Tracked:
    """One commitment in the register: where it is, what was extracted, what people corrected.

    `origin` is "labelled" (someone labelled the sentence a commitment) or "suggested" (no one
    has labelled it, and the suggestion says commitment). `extracted` holds the extractor's
    actor, action, when, when_iso, actor_entities, actor_resolved and actor_note (empty until
    it has run); `corrected` the latest correction of each part, by anyone, which wins."""

    article_id: str
    sentence_index: int
    text: str
    start: int
    end: int
    article_title: str | None
    url: str | None
    article_date: str | None
    origin: str
    extracted: dict[str, Any]
    corrected: dict[str, str]
    status: str
    note: str | None

    def value(self, part: str) -> Any:
        """A part as it stands: the correction if there is one, else what was extracted."""
        return self.corrected.get(part, self.extracted.get(part))

    @property
    def when_iso(self) -> str | None:
        """The time as a date ("YYYY-MM-DD" or "start/end"): a corrected time is resolved as
        the extractor resolves one, against the article's date."""
        if "when" not in self.corrected:
            return self.extracted.get("when_iso")
        return _resolved_when(self.corrected["when"], self.article_date)


@dataclass(frozen=True)
class ModelInfo:
    """A trained suggestion model kept beside the database."""

    id: str
    label_set: str
    path: str
    created: str
    labels: int
    scores: dict[str, Any]
    kept: bool


@functools.lru_cache(maxsize=4096)
def _resolved_when(when: str, article_date: str | None) -> str | None:
    """A corrected time resolved against the article's date (cached: the register sorts and
    counts by it, and dateparser is not free)."""
    from reader import dates

    return dates.resolve(when, dates.article_date("", article_date))
