"""Learning as `reader train` learns, sentence encoder included, on a kind of source the shipped
models never saw.

    python tools/encoder_build.py corpus -o /tmp/enc-news --without news   # PyTorch, 20-70 min
    python -m benchmarks.learning_encoder news /tmp/enc-news

The cold start is the linear model fitted on the corpus without that kind (as `make model` fits
it) mixed with the encoder in FOLDER, fine-tuned without it, at the shipped encoder's share
(`Suggestion.refined`). In-domain learning: the kind's documents in halves (even / odd in name
order); one half's labels move the cold start as `reader train` moves it (the linear model
refitted or shifted, whichever its cross-validation by article prefers; the encoder's head moved
and its share chosen by `reader.mix.choose`), scored on the other half; both halves, and a
curve at 0, 50, 100, 200 and 400 labels (the first n of the training half in document order,
as a user labels), the mean of the halves. Macro-F1 and commitment F1, on sentences no model
was trained on. (`benchmarks.learning` gives the same for the linear model alone, every kind.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy

from benchmarks.encoder_mix import corpus_texts
from reader import learn, mix
from reader.model import DEFAULT_LABELS
from reader.suggest import encoder, learned

NAMES = list(DEFAULT_LABELS)
CURVE = (0, 50, 100, 200, 400)
FOLDS = learn.FOLDS


def _probs(model: learned.Model, X: Any) -> list[dict[str, float]]:
    z = numpy.asarray(X @ model.weights.T) + model.bias
    z = numpy.exp(z - z.max(axis=1, keepdims=True))
    return [dict(zip(NAMES, map(float, p), strict=True)) for p in z / z.sum(axis=1, keepdims=True)]


def _best(p: dict[str, float]) -> str | None:
    return max(p, key=lambda n: p[n]) if p else None


def trained(base: learned.Model, corpus: tuple[Any, list[str]], X: Any, y: list[str], groups: list[str],
            found: mix.Found) -> tuple[learned.Model, mix.Choice]:
    """The cold start moved by these labels as `reader train` moves it."""
    held: dict[str, list[dict[str, float]]] = {}
    for how in (learned.REFIT, learned.SHIFT):
        out: list[dict[str, float]] = [{} for _ in y]
        for train, test in mix.article_folds(groups, FOLDS):
            model = learned.adapt(base, X[train], [y[i] for i in train], NAMES, corpus if how == learned.REFIT else None, how)
            for i, p in zip(test, _probs(model, X[test]), strict=True):
                out[i] = p
        held[how] = out
    figure = {how: learn.score(y, [_best(p) for p in held[how]], NAMES).macro for how in held}
    how = learned.SHIFT if figure[learned.SHIFT] > figure[learned.REFIT] else learned.REFIT
    choice = mix.choose(held[how], found, y, groups, FOLDS, lambda p: learn.score(y, p, NAMES).macro)
    return learned.adapt(base, X, y, NAMES, corpus if how == learned.REFIT else None, how), choice


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind")
    parser.add_argument("folder", type=Path, help="an encoder built without the kind (with its head: tools/encoder_head.py)")
    args = parser.parse_args(argv)
    X, labels, groups, kinds = learned.load_corpus()
    inside = [i for i, k in enumerate(kinds) if k == args.kind]
    if not inside:
        print(f"no sentences of the kind {args.kind!r} in the corpus", file=sys.stderr)
        return 2
    outside = [i for i, k in enumerate(kinds) if k != args.kind]
    corpus = (X[outside], [labels[i] for i in outside])
    base = learned.fit(corpus[0], corpus[1], NAMES)
    enc = encoder.load(args.folder)
    enc.weight = encoder.shipped().weight  # the shipped share (a held-out build may record another)
    texts = corpus_texts(groups)
    pairs = dict(zip(inside, enc.encode([texts[i] for i in inside]), strict=True))
    docs = sorted({groups[i] for i in inside})
    halves = [[i for i in inside if docs.index(groups[i]) % 2 == h] for h in (0, 1)]

    def found_of(rows: list[int]) -> mix.Found:
        return mix.Found([pairs[i][0] for i in rows], numpy.asarray([pairs[i][1] for i in rows]), enc.weight, enc.head, enc.id)

    def shown(model: learned.Model, test: list[int], train: list[int] | None = None) -> tuple[float, float, mix.Choice | None]:
        """Macro-F1 and commitment F1 on `test`: the cold start, or moved by `train`'s labels."""
        head, share, choice = enc.head, enc.weight, None
        if train is not None:
            found, y = found_of(train), [labels[i] for i in train]
            model, choice = trained(base, corpus, X[train], y, [groups[i] for i in train], found)
            head, share = mix.fit_head(found, y, choice.move) or enc.head, choice.share
        predicted = [_best(mix.mixed(p, head.probabilities(pairs[i][1]), share)) for p, i in zip(_probs(model, X[test]), test, strict=True)]
        s = learn.score([labels[i] for i in test], predicted, NAMES)
        return s.macro, s.per_label["commitment"]["f1"], choice

    cold = shown(base, inside)
    print(f"{args.kind}: {len(inside)} sentences of {len(docs)} documents; cold start (linear + encoder at {enc.weight}) "
          f"macro-F1 {cold[0]:.3f}, commitment F1 {cold[1]:.3f}")
    curve: dict[int, list[float]] = {n: [] for n in CURVE}
    for h in (0, 1):
        train, test = halves[1 - h], halves[h]
        before = shown(base, test)
        curve[0].append(before[0])
        for n in CURVE[1:]:
            if len(train) >= n and len({groups[i] for i in train[:n]}) >= 2:  # reader train needs two articles
                curve[n].append(shown(base, test, train[:n])[0])
        after = shown(base, test, train)
        assert after[2] is not None
        print(f"  half {h}: cold {before[0]:.3f} (commitment {before[1]:.3f}) -> trained on the other half's {len(train)} labels "
              f"{after[0]:.3f} ({after[0] - before[0]:+.3f}; commitment {after[1]:.3f}; encoder share {after[2].share:g}, head moved c {after[2].move})")
    print("  curve (mean of the halves): " + "  ".join(f"{n}: {sum(v) / len(v):.3f}" for n, v in curve.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
