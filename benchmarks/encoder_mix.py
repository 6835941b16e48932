"""The sentence encoder beside the linear model, on a kind of source neither was trained on.

    python tools/encoder_build.py corpus -o /tmp/enc-news --without news   # 35-70 min, PyTorch
    python -m benchmarks.encoder_mix news /tmp/enc-news

The linear model is fitted (as `make model` fits it) on the corpus's stored features without
that kind; the encoder in FOLDER was fine-tuned without it; both score the kind's sentences,
mixed as `Suggestion.refined` mixes them, at the encoder's weights 0 (the linear model alone),
0.25, 0.5 (the shipped weight) and 1 (the encoder alone). Prints macro-F1 and commitment F1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy

from reader.learn import score
from reader.model import DEFAULT_LABELS, Suggestion
from reader.suggest import encoder, learned

ROOT = Path(__file__).resolve().parent.parent


def corpus_texts(groups: list[str]) -> list[str]:
    """The text of each row of the stored features (rows follow each document's sentences in order)."""
    rows = [json.loads(line) for line in (ROOT / "corpus" / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    by_document: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        by_document[r["source"].rsplit("/", 1)[-1]].append((r["sentence_index"], r["text"]))
    queues = {name: [text for _, text in sorted(items)] for name, items in by_document.items()}
    taken: dict[str, int] = defaultdict(int)
    out = []
    for group in groups:
        out.append(queues[group][taken[group]])
        taken[group] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    X, labels, groups, kinds = learned.load_corpus()
    held = numpy.asarray([k == args.kind for k in kinds])
    if not held.any():
        print(f"no sentences of the kind {args.kind!r} in the corpus", file=sys.stderr)
        return 2
    names = list(DEFAULT_LABELS)
    train = numpy.flatnonzero(~held)
    model = learned.fit(X[train], [labels[i] for i in train], names)
    test = numpy.flatnonzero(held)
    z = numpy.asarray(X[test] @ model.weights.T) + model.bias
    z = numpy.exp(z - z.max(axis=1, keepdims=True))
    linear = z / z.sum(axis=1, keepdims=True)
    texts = corpus_texts(groups)
    found = encoder.load(args.folder).probabilities([texts[i] for i in test])
    golds = [labels[i] for i in test]
    for weight in (0.0, 0.25, 0.5, 1.0):
        predicted = []
        for p, e in zip(linear, found, strict=True):
            own = dict(zip(names, map(float, p), strict=True))
            best = max(own, key=own.__getitem__)
            predicted.append(Suggestion(best, own[best], own, "").refined(e, weight).label)
        s = score(golds, predicted, names)
        print(f"{args.kind}: encoder weight {weight:.2f}: macro-F1 {s.macro:.3f}, commitment F1 {s.per_label['commitment']['f1']:.3f} "
              f"({len(golds)} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
