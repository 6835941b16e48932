"""How the sentence encoder goes into the suggestions of a model trained on the user's labels:

- its share (the shipped one, half of it, or none), chosen by `reader train` on the same
  held-out labels that decide whether the model is kept: a user who files every "X said that
  ..." as background is followed by the linear model within 50 labels, and the fixed encoder
  pulls the other way;
- its output layer (`reader.suggest.head`), moved on the user's labels once there are
  MOVE_FROM of them: the encoder reads the words, the linear model the parse, and a head moved
  on the user's labels carries what the words say of the user's sources.

The shipped cold start keeps the encoder's own share and head (`encoder.json`). Measured by
`benchmarks.learning --gum` and `benchmarks.learning_encoder` (README, "Suggestions that learn").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy

from reader.model import Suggestion

if TYPE_CHECKING:
    from reader.records import ModelInfo
    from reader.store import Store
    from reader.suggest.head import Head

# The encoder's shares tried besides its own, as fractions of it: half, and none.
SHARES = (0.5, 0.0)
# How far the head moves with the user's labels (`head.moved`'s c: the L2 penalty on the change
# is 1/c), once there are MOVE_FROM of them. Not chosen on the user's held-out labels: choosing
# between moving and not picked the wrong one as often as not on halves of GUM's news and of the
# corpus's news and statements (cross-validation within a few hundred labels of a dozen articles
# cannot see the difference). Under 200 labels a moved head lost on the corpus's Wikinews reports
# (50 / 100 labels of 2-5 articles: -0.01 to -0.03 macro-F1); from some 400, it gains.
MOVE = 0.1
MOVE_FROM = 200
# Under MOVE_FROM labels, a share other than the shipped one must beat it on the user's
# held-out labels by this much: with 50 labels of two Wikinews reports, "none" beat the shipped
# half by a hair there and lost 0.05 on the other articles; a user's consistent habit beats it
# by far more. With more labels (and articles) the held-out figure is steadier, and the best wins.
MARGIN = 0.02


@dataclass
class Found:
    """What the shipped encoder makes of some sentences: probabilities, vectors, its share and head."""

    probs: list[dict[str, float]]
    vectors: numpy.ndarray
    weight: float
    head: Head
    encoder: str  # its id: a head moved from it reads its vectors only


@dataclass
class Choice:
    """The encoder's share and head move (None: the shipped head) for a model, with the held-out
    probabilities mixed as chosen."""

    share: float
    move: float | None
    probs: list[dict[str, float]]


def encode(texts: Sequence[str], store: Store | None = None, keys: Sequence[tuple[str, int]] = ()) -> Found | None:
    """The shipped encoder on these sentences, or None when it cannot be read (then a model is
    trained and used without it). With the store and each text's (article id, index) in it,
    what the encoder stored for a sentence is read rather than computed again (a retrain after
    every N labels reads the same labelled sentences each time)."""
    from reader.suggest import encoder, learned
    from reader.suggest.head import from_blob

    try:
        found = encoder.shipped()
    except learned.ModelError:
        return None
    stored = store.encoded_of(found.id, list(keys)) if store is not None and keys else {}
    todo = [i for i, key in enumerate(keys or [None] * len(texts)) if key not in stored]
    fresh = dict(zip(todo, found.encode([texts[i] for i in todo]), strict=True))
    pairs = [fresh[i] if i in fresh else (stored[keys[i]][0], from_blob(stored[keys[i]][1])) for i in range(len(texts))]
    return Found([p for p, _ in pairs], numpy.asarray([v for _, v in pairs]).reshape(len(pairs), -1), found.weight, found.head, found.id)


def mixed(probs: dict[str, float], encoded: dict[str, float], weight: float) -> dict[str, float]:
    """A model's probabilities refined by the encoder's at this share (empty stays empty: a
    sentence no fold scored)."""
    if not probs or not weight:
        return probs
    best = max(probs, key=lambda name: probs[name])
    return Suggestion(best, probs[best], probs, "").refined(encoded, weight).scores


def article_folds(groups: Sequence[str], folds: int) -> list[tuple[list[int], list[int]]]:
    """Cross-validation folds of whole articles (`groups`: each example's article), at least two
    and at most one per article: each fold's (train, test) example positions."""
    articles = sorted(set(groups))
    k = max(2, min(folds, len(articles)))
    fold_of = {a: i % k for i, a in enumerate(articles)}
    return [([i for i, g in enumerate(groups) if fold_of[g] != fold], [i for i, g in enumerate(groups) if fold_of[g] == fold])
            for fold in range(k)]


def _moved_held_out(found: Found, golds: list[str], groups: list[str], folds: int, c: float) -> list[dict[str, float]]:
    """The head moved by the other folds' labels (`article_folds`, as `learn.cross_validate`
    makes them), on each held-out sentence."""
    from reader.suggest.head import moved

    out: list[dict[str, float]] = [{} for _ in golds]
    for train, test in article_folds(groups, folds):
        if not test or len({golds[i] for i in train}) < 2:
            out_fold = [found.probs[i] for i in test]
        else:
            head = moved(found.head, found.vectors[train], [golds[i] for i in train], c)
            out_fold = [head.probabilities(found.vectors[i]) for i in test]
        for i, p in zip(test, out_fold, strict=True):
            out[i] = p
    return out


def choose(held: list[dict[str, float]], found: Found, golds: list[str], groups: list[str], folds: int,
           macro: Callable[[list[str | None]], float]) -> Choice:
    """The encoder's share whose mix, its head moved by the user's labels once there are
    MOVE_FROM (cross-validated by article as `held` was), predicts the user's held-out labels
    best (`macro` scores predictions against them): its own share unless another beats it (by
    more than MARGIN, under MOVE_FROM labels)."""
    move = MOVE if len(golds) >= MOVE_FROM else None
    encoded = _moved_held_out(found, golds, groups, folds, move) if move is not None else found.probs
    margin = MARGIN if move is None else 0.0
    best: tuple[float, Choice] | None = None
    for share in dict.fromkeys([found.weight, *(found.weight * s for s in SHARES)]):
        probs = [mixed(p, e, share) for p, e in zip(held, encoded, strict=True)]
        figure = macro([max(p, key=lambda n: p[n]) if p else None for p in probs])
        if best is None or figure > best[0] + margin:
            best = (figure, Choice(share, move, probs))
    assert best is not None
    return best[1]


def fit_head(found: Found, golds: list[str], move: float | None) -> Head | None:
    """The head moved by all the user's labels as `move` says (None: not moved)."""
    from reader.suggest.head import moved

    return None if move is None else moved(found.head, found.vectors, golds, move)


def recorded(found: Found | None, share: float | None, move: float | None) -> dict[str, Any]:
    """What a model's scores keep of the encoder in its suggestions: its share, how far its head
    moved, and which encoder that head was moved from."""
    return {"encoder_weight": share, "encoder_head": move, "encoder": found.encoder if found is not None else None}


def head_of(store: Store, info: ModelInfo) -> Head | None:
    """A kept model's moved head (None: it has none, or it was moved from an encoder that has
    been replaced since, whose vectors it alone reads: either way the shipped head scores its
    sentences). `learned.ModelError` when it has one that cannot be read."""
    from reader.models_folder import models_dir
    from reader.suggest import head
    from reader.suggest.encoder import shipped_id
    from reader.suggest.learned import ModelError

    moved_from, shipped = info.scores.get("encoder"), shipped_id()
    if not info.scores.get("encoder_head") or moved_from is not None and shipped is not None and moved_from != shipped:
        return None
    path = models_dir(store.path) / info.path / head.FILE
    found = head.load(path)
    # one that reads but is not this model's output layer over the stored vectors would fail
    # (or mislead) at the first vector it meets, far from here
    if set(found.labels) != set(info.label_set.split(",")) or found.weights.shape[1] != head.WIDTH:
        raise ModelError(f"{path}: the sentence encoder's head does not fit this model")
    return found


def scorer(found: Head) -> Callable[[bytes], dict[str, float]]:
    """A head as the store applies it, to a stored vector (nothing for one that is not a vector
    of the encoder's: then the store mixes the scores the encoder stored beside it)."""
    from reader.suggest.head import WIDTH, from_blob

    return lambda blob: found.probabilities(from_blob(blob)) if len(blob) == 2 * WIDTH else {}


def kept_heads(store: Store, cache: dict[str, Any] | None = None) -> dict[str, Callable[[bytes], dict[str, float]]]:
    """The moved heads of the models kept under the default labels, by their suggestions'
    source: the one in use, and an older one whose suggestions are still stored on articles the
    newer did not refresh (none for a model without one, or whose folder is gone or damaged:
    then the shipped head scores its sentences, at its share). Read the register again for each
    article: a retrain may keep a model while the background job runs; `cache` (by model id)
    keeps each file from being read twice."""
    from reader.model import LabelSet
    from reader.suggest.learned import ModelError

    cache = {} if cache is None else cache
    out = {}
    for info in store.models(LabelSet().key):
        if not info.kept or not info.scores.get("encoder_head"):
            continue
        if info.id not in cache:
            try:
                found = head_of(store, info)
            except ModelError:
                found = None
            cache[info.id] = scorer(found) if found is not None else None
        if cache[info.id] is not None:
            out[f"model:{info.id}"] = cache[info.id]
    return out


def save_head(found: Head | None, folder: Path) -> None:
    """Write a moved head into a model's folder (nothing when there is none)."""
    from reader.suggest.head import FILE

    if found is not None:
        found.save(folder / FILE)


def held_out_encoded(found: Found | None, count: int, move_head: Head | None) -> list[dict[str, Any]]:
    """The encoder's side for a kept model's predictions on the examples: its moved head's, or
    the shipped one's (nothing without an encoder)."""
    if found is None:
        return [{} for _ in range(count)]
    if move_head is None:
        return found.probs
    return [move_head.probabilities(v) for v in found.vectors]
