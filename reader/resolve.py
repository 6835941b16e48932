"""One label per sentence from several annotators' labels: the rule the exports' `--resolve`
and the training of suggestions share.

- "latest": the label given most recently;
- "majority": the label most annotators gave; a tie goes to the label given most recently,
  and the result says it was a tie and that the latest label decided;
- "reviewed": a reviewer's decision where there is one, else the majority.
Every resolved label carries the votes (label -> annotators), so disagreement is never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reader.records import Annotation

HOW = ("majority", "latest", "reviewed")


def latest(votes: Iterable[Annotation]) -> Annotation:
    """The label given most recently (ties broken by annotator name, so exports are stable)."""
    return max(votes, key=lambda a: (a.updated, a.annotator))


@dataclass(frozen=True)
class Resolved:
    """The label that stands for a sentence, the annotation it comes from, and the votes."""

    annotation: Annotation
    votes: dict[str, list[str]]
    tie: bool
    rule: str  # "review", "majority", "latest" or "only" (a single annotator)

    @property
    def label(self) -> str:
        return self.annotation.label


def votes_of(annotations: Iterable[Annotation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in sorted(annotations, key=lambda a: (a.label, a.annotator)):
        out.setdefault(a.label, []).append(a.annotator)
    return out


def resolve(annotations: list[Annotation], how: str, review: Annotation | None = None) -> Resolved | None:
    """Resolve one sentence's annotations; None when it has none (and no review).

    `tie` says whether the most-given labels were given equally often, whatever then decided
    (a reviewer included); `rule` names what decided: "review", "majority", "latest" (the
    latest label: asked for, or breaking a tie) or "only" (a single annotator)."""
    votes = votes_of(annotations)
    top = max((len(names) for names in votes.values()), default=0)
    winners = {label for label, names in votes.items() if len(names) == top}
    tie = len(annotations) > 1 and len(winners) > 1
    if how == "reviewed" and review is not None:
        return Resolved(review, votes, tie, "review")
    if not annotations:
        return None
    if len(annotations) == 1:
        return Resolved(annotations[0], votes, False, "only")
    if how == "latest":
        return Resolved(latest(annotations), votes, tie, "latest")
    return Resolved(latest(a for a in annotations if a.label in winners), votes, tie, "latest" if tie else "majority")
