"""The small linear models the commitment extractor learns (the actor ranker, the action's
clause): a JSON file of feature weights with a bias and a margin, read once; a candidate's
score is the sum of its features' weights. scikit-learn fits them (`ranker_build`,
`head_build`, `make model`); reading and scoring need the standard library alone, and a model
that is absent or unreadable leaves the decision to the rules."""

from __future__ import annotations

import json
import logging
import math
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
QUOTES = frozenset('"“”')
# A longer sentence is left to the rules: the learned choices describe each candidate by reading
# the whole sentence, so they cost the square of its length (a 6,000-word line without a full
# stop took 15 s where the rules take 0.1 s, a 300 KB one five minutes where they take 20 s);
# the corpus's longest sentence has under 200 tokens.
MAX_TOKENS = 400


@lru_cache(maxsize=8)
def read(path: Path, what: str) -> dict | None:
    """The model in `path`, or None (absent: quietly; unreadable or without weights: one
    warning naming `what`)."""
    try:
        with open(path, encoding="utf-8") as handle:
            model = json.load(handle)
        ok = (isinstance(model, dict) and isinstance(model.get("weights"), dict)
              and isinstance(model.get("notes", {}), dict))
        if ok:
            model["weights"] = {str(k): float(v) for k, v in model["weights"].items()}
            model["margin"] = float(model.get("margin", 0.0))
            model["bias"] = float(model.get("bias", 0.0))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("the %s %s is unreadable (%s): the rules decide", what, path, type(exc).__name__)
        return None
    if not ok:
        log.warning("the %s %s holds no weights: the rules decide", what, path)
        return None
    return model


def score(model: dict, features: dict[str, float]) -> float:
    w = model["weights"]
    return model.get("bias", 0.0) + math.fsum(w.get(k, 0.0) * v for k, v in features.items())


def in_quote(span, tok) -> bool:
    """Whether `tok` stands inside quotation marks opened in its sentence."""
    return sum(1 for t in span.doc[span.start:tok.i] if t.text in QUOTES) % 2 == 1
