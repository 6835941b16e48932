"""Build the shipped suggestion model from the repository's labelled corpus (`make model`).

    python -m reader.suggest.build corpus/ [-o reader/suggest/shipped] [--exclude-kind K]

Reads `corpus/texts/*.txt` the way `reader import` does (same ingest, same sentence
splitting), matches every sentence to its gold label in `corpus/labels.jsonl` by file and
offsets, computes the learned suggester's features from the parse, fits the classifier on
all of them and writes the model with the corpus's features (so that `reader train` can add
the user's labels to the corpus without parsing it again). Deterministic: the same corpus and
spaCy model give the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from reader.model import DEFAULT_LABELS


def read_labels(corpus: Path) -> dict[tuple[str, int, int], dict[str, Any]]:
    """Gold records by (text file name, start, end)."""
    out = {}
    with open(corpus / "labels.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            out[(Path(record["source"]).name, record["start"], record["end"])] = record
    return out


def read_kinds(corpus: Path) -> dict[str, str]:
    kinds = {}
    with open(corpus / "sources.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            kinds[record["file"]] = record["kind"]
    return kinds


def corpus_rows(corpus: Path, nlp: Any, exclude: set[str] = frozenset()) -> tuple[list, list[str], list[str], list[str], int]:
    """(rows, labels, documents, kinds, sentences without a gold label) of the corpus."""
    from reader import nlp as reader_nlp
    from reader.ingest import Limits, collect
    from reader.model import Article
    from reader.suggest import learned

    gold = read_labels(corpus)
    kinds = read_kinds(corpus)
    files = sorted(p for p in (corpus / "texts").glob("*.txt") if kinds.get(p.name) not in exclude)
    articles = [a for a in collect([str(p) for p in files], Limits()) if isinstance(a, Article)]
    names = {a.id: Path(a.source or "").name for a in articles}
    rows, labels, groups, kind_of, missing = [], [], [], [], 0
    for article, parsed, _ in reader_nlp.parse_spans(nlp, articles):
        name = names[article.id]
        spans = reader_nlp.sentence_spans(nlp, article.text, parsed.sentences)
        for sentence in parsed.sentences:
            record = gold.get((name, sentence.start, sentence.end))
            if record is None or record.get("label") not in DEFAULT_LABELS:
                missing += 1
                continue
            rows.append(learned.features(spans[sentence.index]))
            labels.append(record["label"])
            groups.append(name)
            kind_of.append(kinds.get(name, "other"))
    return rows, labels, groups, kind_of, missing


# Sentences (in reader's own words) whose feature columns the model records at build: a change to
# what `learned.features` computes, without `make model`, shows as a different digest.
PROBES = ("The council pledged to reopen the library by June.", "Critics said the plan would fail.",
          "The bridge was built in 1932.")


def feature_digest(nlp: Any) -> str:
    """A digest of which columns the probe sentences' features use (not their values, which
    vary in the last digits between machines)."""
    from reader.suggest import learned

    columns = [learned.features(doc[:])[0] for doc in nlp.pipe(PROBES)]
    return hashlib.sha256(json.dumps(columns).encode()).hexdigest()[:16]


def build(corpus: Path, output: Path, exclude: set[str] = frozenset()) -> dict[str, Any]:
    from reader.suggest import component, learned

    started = time.monotonic()
    nlp = component.load_base(None)
    rows, labels, groups, kinds, missing = corpus_rows(corpus, nlp, exclude)
    digest = hashlib.sha256((corpus / "labels.jsonl").read_bytes()).hexdigest()[:16]
    info = {"corpus_labels_sha256": digest, "sentences": len(rows), "documents": len(set(groups)),
            "labels": dict(Counter(labels)), "kinds": dict(Counter(kinds)), "unlabelled_sentences": missing,
            "spacy_model": "-".join(component.model_name(nlp)),
            "features_sha256": feature_digest(nlp), "tensor_scale": learned.TENSOR_SCALE, "C": learned.C, "balanced": learned.BALANCED, "excluded_kinds": sorted(exclude)}
    model = learned.fit(learned.matrix(rows), labels, DEFAULT_LABELS, info=info)
    output.mkdir(parents=True, exist_ok=True)
    learned.save_corpus(output, learned.Corpus(rows, labels, groups, kinds))
    model.save(output)
    info["seconds"] = round(time.monotonic() - started, 1)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reader.suggest.build", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).resolve().parent / "shipped")
    parser.add_argument("--exclude-kind", action="append", default=[], help="leave out one kind of source (repeatable)")
    args = parser.parse_args(argv)
    if not (args.corpus / "labels.jsonl").is_file():
        print(f"reader: {args.corpus} holds no labels.jsonl", file=sys.stderr)
        return 2
    info = build(args.corpus, args.output, set(args.exclude_kind))
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
