"""What the extractor returns for one commitment sentence: plain, frozen data."""

from __future__ import annotations

from dataclasses import dataclass

# (text, spaCy label, start, end), offsets into the sentence's own text.
EntityRef = tuple[str, str, int, int]


@dataclass(frozen=True)
class Commitment:
    """Who commits to what, and when, as far as one sentence (and the few before it) tells.

    actor          the committing party in the sentence's own words, or None when it names none
    actor_entities named entities inside `actor`, offsets into the sentence text
    actor_resolved a fuller name for a pronoun or generic actor ("they", "the board"), taken
                   from the preceding sentences of the article; None when no rule applies
    actor_note     how `actor` / `actor_resolved` were chosen, in one line, for the reader
    action         what the actor commits to: predicate and complement, without attribution
                   and without the time expression
    when           the time expression of the action, as written, or None
    when_iso       `when` resolved against the article date: "YYYY-MM-DD", or a range
                   "YYYY-MM-DD/YYYY-MM-DD"; None when it cannot be resolved
    trigger        the word that marks the commitment ("pledged", "will", "plan"), or None
    confidence     0..1, how sure the extractor is that it found the commitment's predicate
    """

    actor: str | None = None
    actor_entities: tuple[EntityRef, ...] = ()
    actor_resolved: str | None = None
    actor_note: str | None = None
    action: str | None = None
    when: str | None = None
    when_iso: str | None = None
    trigger: str | None = None
    confidence: float = 0.0

    def as_dict(self) -> dict:
        """JSON-ready fields (entity tuples become lists)."""
        return {
            "actor": self.actor,
            "actor_entities": [list(e) for e in self.actor_entities],
            "actor_resolved": self.actor_resolved,
            "actor_note": self.actor_note,
            "action": self.action,
            "when": self.when,
            "when_iso": self.when_iso,
            "trigger": self.trigger,
            "confidence": self.confidence,
        }


EMPTY = Commitment()
