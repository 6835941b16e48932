"""The `reader train` floor: the same spaCy work as training, with none of reader's machinery.

    python benchmarks/train_floor.py DB MODEL [FOLDS]

Reads the labelled sentences straight from the database with one sqlite3 connection (article
text, sentence offsets, the current label of each labelled sentence), `spacy.load`s the same
model with every component (as `component.load_base` does), parses each article's stored
sentences the way training does (`reader.nlp.sentence_spans`: paragraphs through one
`nlp.pipe`, each sentence a Span in its paragraph), then runs
`reader.learn.choose` (the two ways of moving the shipped model, each cross-validated), the sentence
encoder over the labelled sentences with `mix.choose` (its share and head), and `learn.fit` once on all
labels: exactly the training `reader train` performs. No Store, no CLI, no resolution of
several annotators' votes, no cold-start baseline, no model written to disk or registered.

Prints one JSON object: labels, articles, folds, the held-out macro-F1 (which must equal
reader's: same data, same deterministic fit) and `seconds`, timed like the figure `reader
train` reports (`learn.train`: from reading the labels, spaCy and the suggester already imported).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections import namedtuple

LABELS = ("commitment", "claim", "background")
Sentence = namedtuple("Sentence", "index start end")


def main(argv: list[str]) -> None:
    import spacy

    from reader.nlp import sentence_spans
    from reader import learn
    from reader.model import LabelSet
    from reader.suggest import learned

    started = time.monotonic()
    db, model = argv[0], argv[1]
    folds = int(argv[2]) if len(argv) > 2 else 6
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    # reader.learn.training_labels walks articles in this order, labels by sentence index
    articles = [r[0] for r in conn.execute(
        "SELECT id FROM articles WHERE id IN (SELECT article_id FROM annotations) ORDER BY imported_at, id")]
    texts, sentences, labels = {}, {}, {}
    for article_id in articles:
        texts[article_id] = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        sentences[article_id] = [Sentence(*r) for r in conn.execute(
            'SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,))]
        labels[article_id] = [(i, label) for i, label in conn.execute(
            "SELECT sentence_index, label FROM annotations WHERE article_id = ? AND label IN (?, ?, ?) ORDER BY sentence_index",
            (article_id, *LABELS))]
    conn.close()

    nlp = spacy.load(model)
    spans = {}
    for article_id in sorted(articles):  # reader parses the articles in sorted order
        for index, span in sentence_spans(nlp, texts[article_id], sentences[article_id]).items():
            spans[(article_id, index)] = span
    pairs, groups = [], []
    for article_id in articles:  # and keeps its examples in the order it read them
        for index, label in labels[article_id]:
            if (article_id, index) in spans:
                pairs.append((spans[(article_id, index)], label))
                groups.append(article_id)
    k = max(2, min(folds, len(articles)))
    rows = [learned.features(span) for span, _ in pairs]
    golds = [label for _, label in pairs]
    base = learn._base(LabelSet())
    corpus = learn._corpus(base)
    how, held = learn.choose(rows, golds, groups, list(LABELS), base, corpus, k)  # both ways, as reader train
    # and, as reader train, the sentence encoder's share chosen on the same held-out labels
    from reader import mix

    found = mix.encode([span.text for span, _ in pairs])
    move = None
    if found is not None:
        choice = mix.choose(held, found, golds, groups, k, lambda p: learn.score(golds, p, LABELS).macro)
        held, move = choice.probs, choice.move
    learn.fit(rows, golds, list(LABELS), base, corpus, how)
    if found is not None:
        mix.fit_head(found, golds, move)
    macro = learn.score(golds, [max(p, key=p.get) if p else None for p in held], LABELS).macro
    print(json.dumps({"labels": len(pairs), "articles": len(articles), "folds": k, "macro_f1": round(macro, 4),
                      "seconds": round(time.monotonic() - started, 2)}))


if __name__ == "__main__":
    main(sys.argv[1:])
