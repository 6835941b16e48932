"""How much of the sentence encoder goes into the suggestions of a model trained on the user's
labels: chosen by `reader train` on the same held-out labels that decide whether the model is
kept, since the encoder learns nothing of the user (a user who files every "X said that ..."
as background is followed by the linear model within 50 labels; the encoder, fixed, pulls the
other way). The shipped cold start keeps the encoder's own share (`encoder.json`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reader.model import Suggestion

# The shares tried besides the shipped one, as fractions of it: half of it, and none.
SHARES = (0.5, 0.0)


def encoder_scores(texts: Sequence[str]) -> tuple[list[dict[str, float]], float] | None:
    """The shipped encoder's probabilities for these sentences and its own share, or None when
    it cannot be read (then a model is trained and used without it)."""
    from reader.suggest import encoder, learned

    try:
        found = encoder.shipped()
    except learned.ModelError:
        return None
    return found.probabilities(list(texts)), found.weight


def mixed(probs: dict[str, float], encoded: dict[str, float], weight: float) -> dict[str, float]:
    """A model's probabilities refined by the encoder's at this share (empty stays empty: a
    sentence no fold scored)."""
    if not probs or not weight:
        return probs
    best = max(probs, key=lambda name: probs[name])
    return Suggestion(best, probs[best], probs, "").refined(encoded, weight).scores


def choose_share(held: list[dict[str, float]], found: list[dict[str, float]], shipped: float,
                 macro: Callable[[list[str | None]], float]) -> tuple[float, list[dict[str, float]]]:
    """The encoder's share whose mix predicts the user's held-out labels best (`macro` scores
    predictions against them; the shipped share unless another does strictly better), with the
    held-out probabilities mixed at it."""
    best: tuple[float, float, list[dict[str, float]]] | None = None
    for share in dict.fromkeys([shipped, *(shipped * s for s in SHARES)]):
        probs = [mixed(p, e, share) for p, e in zip(held, found, strict=True)]
        figure = macro([max(p, key=lambda n: p[n]) if p else None for p in probs])
        if best is None or figure > best[1]:
            best = (share, figure, probs)
    assert best is not None
    return best[0], best[2]
