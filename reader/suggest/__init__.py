"""Label suggestions: the learned cold start shipped in the package, the parse rules it reads
as features (and falls back to), and the training of a user's own model.

    from reader.suggest import cold_start_suggester  # span -> Suggestion, at import
    from reader.suggest import suggest, LABELS       # the parse rules alone (a Decision)
    from reader.suggest import learned               # features, fit, load, the shipped model

Core code: never imports textual. spaCy is imported by `reader.suggest.component` only; the
rules read lemmas, so parse with the model's lemmatizer enabled.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from reader.suggest.coldstart import LABELS, Decision, decide, suggest
from reader.suggest.features import FEATURES, Analysis, analyse

COLD_START = "cold-start"  # the shipped learned model
RULES = "rules"  # the parse rules alone (a custom pipeline asked for them, or the model is damaged)

__all__ = ["COLD_START", "FEATURES", "LABELS", "RULES", "Analysis", "Decision", "analyse", "cold_start_suggester",
           "decide", "suggest"]


def cold_start_suggester(rules_only: bool = False, warn: Callable[[str], None] | None = None) -> Callable[[Any], Any]:
    """A function from a parsed sentence to the suggestion stored at import: the shipped model's
    over the rules' cues, or the rules' alone when `rules_only` or when the shipped model cannot
    be read (then `warn` hears one line, by default on stderr)."""
    from reader import model as m
    from reader.suggest import learned

    shipped = None
    if not rules_only:
        try:
            shipped = learned.shipped()
        except learned.ModelError as exc:
            (warn or _stderr)(f"{exc}; suggestions come from the parse rules alone")

    def one(span: Any) -> Any:
        found = analyse(span)
        cold = decide(found)
        if shipped is None:
            return m.Suggestion(cold.label, cold.score, dict(cold.probs), RULES, cold.reason)
        probs = shipped.probabilities(learned.features(span, found, cold))
        label = max(probs, key=probs.get)
        return m.Suggestion(label, probs[label], probs, COLD_START, cold.reason if cold.label == label else None)

    return one


def _stderr(message: str) -> None:
    print(f"reader: {message}", file=sys.stderr)
