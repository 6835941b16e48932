"""What `features.analyse` finds in a sentence: the named features (in the order a trained
model sees them) with their values and the words that fired them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The dense features, in the order a trained model sees them.
FEATURES: tuple[str, ...] = (
    "fragment", "question", "commissive", "commissive_soft", "commissive_embedded",
    "commissive_noun", "commissive_noun_loose", "refusal", "intention", "desire", "future_agentive",
    "future_first_person", "future_reported", "future_other", "future_embedded",
    "negated_commissive", "hedged_commissive", "demand", "demand_on_commissive", "report_frame",
    "report_passive", "opinion_verb", "according_to", "quote", "quote_mostly", "first_person",
    "second_person", "deontic", "hedge", "forecast", "evaluative", "claim_noun", "schedule",
    "request", "procedure", "conditional", "past_root", "present_root", "number", "short",
    # Used by the trained model only (the cold start's rules predate them):
    "future_passive", "would_narrative", "future_thing_reported", "commissive_object",
    "futurate", "offer", "headline_plan", "quote_continued", "speech_follows", "prev_quote",
    "prev_attributed", "imperative", "speech_continues", "declined_comment",
)

@dataclass
class Analysis:
    """What `analyse` found: feature name -> value (0..1), and the words behind each."""

    values: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    sparse: list[str] = field(default_factory=list)

    def fire(self, name: str, token: Any = None, value: float = 1.0) -> None:
        if value > self.values.get(name, 0.0):
            self.values[name] = value
            if token is not None:
                self.evidence[name] = token.text if hasattr(token, "text") else str(token)

    def __getitem__(self, name: str) -> float:
        return self.values.get(name, 0.0)

    def dense(self) -> list[float]:
        return [self.values.get(name, 0.0) for name in FEATURES]
