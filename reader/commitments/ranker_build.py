"""Fit the actor ranker (`reader.commitments.ranker`) on the labelled corpus (`make model`).

    python -m reader.commitments.ranker_build corpus/ [-o reader/commitments/ranker.json]
        [--exclude-kind K] [--cv] [--rows rows.json]

Reads `corpus/texts/*.txt` the way `reader import` does (same ingest, same parse, same
sentence spans), takes every sentence whose gold label is a commitment, runs the rules for its
predicate and actor, lists the candidates with their features, and marks each by the token F1
of its words against the gold actor. A logistic regression (scikit-learn) learns which
candidates match (F1 >= 0.8); its weights, and the margin by which a candidate must beat the
rules' own, go to a small JSON file. `--cv` reports the actor F1 of the rules, of the oracle
(the best candidate) and of the ranker, cross-validated by article, per kind. Deterministic.

Measured when it was written (actor token F1; benchmarks.commitments unless said):
development kinds, 5 folds by article: rules 0.866, ranker 0.876 (oracle 0.989);
held-out `news`, trained without it: 0.784 -> 0.812 (action 0.707, when 0.906 unchanged);
GUM news: 0.875 -> 0.850 (one "X, who told Y he would ..." where GUM's gold is X, the
ranker's "he").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MATCH = 0.8
# the ranker overrides only rules (by their note) taken at least this often in the corpus
MIN_NOTE = 10
C = 0.3
MARGINS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
MARGIN = 1.0  # chosen by the article-folded cross-validation over the development kinds


def f1(pred: list[str], want: list[str]) -> float:
    if not pred and not want:
        return 1.0
    common = sum((Counter(pred) & Counter(want)).values())
    if not common:
        return 0.0
    p, r = common / len(pred), common / len(want)
    return 2 * p * r / (p + r)


def read_labels(corpus: Path) -> dict[tuple[str, int, int], dict[str, Any]]:
    """Gold records by (text file name, start, end)."""
    with open(corpus / "labels.jsonl", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return {(Path(r["source"]).name, r["start"], r["end"]): r for r in records}


def read_kinds(corpus: Path) -> dict[str, str]:
    with open(corpus / "sources.jsonl", encoding="utf-8") as handle:
        return {r["file"]: r["kind"] for r in map(json.loads, handle) if r}


def gold_commitments(corpus: Path, nlp: Any, exclude: set[str] = frozenset()):
    """Each gold commitment of the corpus as reader reads it (same ingest, parse and sentence
    spans): (file name, kind, article, its sentence span, the gold record, the sentences just
    before it), in file and sentence order."""
    from reader import nlp as reader_nlp
    from reader.ingest import Limits, collect
    from reader.model import Article

    gold = read_labels(corpus)
    kinds = read_kinds(corpus)
    wanted = {k[0] for k, g in gold.items() if g.get("label") == "commitment"}
    files = sorted(p for p in (corpus / "texts").glob("*.txt") if p.name in wanted and kinds.get(p.name) not in exclude)
    articles = [a for a in collect([str(p) for p in files], Limits()) if isinstance(a, Article)]
    names = {a.id: Path(a.source or "").name for a in articles}
    for article, parsed, _ in reader_nlp.parse_spans(nlp, articles):
        name = names[article.id]
        spans = reader_nlp.sentence_spans(nlp, article.text, parsed.sentences)
        context: list = []
        for sentence in parsed.sentences:
            span = spans.get(sentence.index)
            record = gold.get((name, sentence.start, sentence.end))
            if span is not None and record is not None and record.get("label") == "commitment":
                yield name, kinds.get(name, "other"), article, span, record, context[-reader_nlp.CONTEXT:]
            if span is not None:
                context.append(span)


def corpus_items(corpus: Path, nlp: Any, exclude: set[str] = frozenset()) -> list[dict]:
    """One item per gold commitment: its article, kind, and candidates (features, F1)."""
    from reader.commitments import actor as actor_mod
    from reader.commitments import clause, coref, ranker
    from reader.grammar import tree

    items = []
    for name, kind, _, span, record, near in gold_commitments(corpus, nlp, exclude):
        want = ranker.tokens((record.get("commitment") or {}).get("actor"))
        anchor = clause.find(span)
        if anchor is not None:
            found = actor_mod.find(span, anchor, lambda tok, s=span, c=near: coref.names_party(s, tok, c))
            cands = ranker.candidates(span, anchor, found)
            texts = [tree.text_of(span.doc, c.indices) for c in cands]
            rows = [(ranker.features(span, anchor, found, c, len(cands)), f1(ranker.tokens(t), want))
                    for c, t in zip(cands, texts, strict=True)]
        else:
            texts, rows = [""], [({"none": 1.0}, f1([], want))]
        items.append({"article": name, "kind": kind, "rows": rows, "texts": texts, "sentence": span.text})
    return items


def fit(items: list[dict]) -> dict:
    """A pairwise logistic regression (a candidate that matches the gold actor against one of
    the same sentence that does not); returns {"weights", "bias"} and the rules' notes."""
    weights = fit_pairs(items, lambda rows: ([f for f, s in rows if s >= MATCH], [f for f, s in rows if s < MATCH]),
                        C, max_iter=3000)
    notes = Counter(k[len("rules|note="):] for it in items for k in it["rows"][0][0] if k.startswith("rules|note="))
    return {"weights": weights, "bias": 0.0, "notes": dict(sorted(notes.items())), "min_note": MIN_NOTE}


def fit_pairs(items: list[dict], split: Any, c: float, max_iter: int) -> dict[str, float]:
    """The weights of a logistic regression without intercept on the differences of candidate
    pairs of the same sentence: `split(rows)` gives a sentence's (good, bad) candidates' features,
    and each of the first three good ones is set against each bad one, both ways round (this
    ranker's and the action head's fit)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    vec.fit([f for it in items for f, _ in it["rows"]])
    pairs, ys = [], []
    for it in items:
        good, bad = split(it["rows"])
        for g in good[:3]:
            for b in bad:
                diff = dict(g)
                for k, v in b.items():
                    diff[k] = diff.get(k, 0.0) - v
                pairs += [diff, {k: -v for k, v in diff.items()}]
                ys += [1, 0]
    if not pairs:  # no sentence where one candidate is better: nothing to learn
        return {}
    clf = LogisticRegression(C=c, max_iter=max_iter, fit_intercept=False)
    clf.fit(vec.transform(pairs), ys)
    names = vec.get_feature_names_out()
    return {str(n): round(float(w), 5) for n, w in zip(names, clf.coef_[0], strict=True) if abs(w) > 1e-6}


def pick(model: dict, rows: list, margin: float) -> float:
    """The F1 of the candidate the model chooses (the rules' is row 0)."""
    from reader.commitments.ranker import overridable, score

    if len(rows) <= 2 and rows and "none" not in rows[0][0]:
        return rows[0][1]
    note = next((k[len("rules|note="):] for k in rows[0][0] if k.startswith("rules|note=")), "-")
    if not overridable(model, note):
        return rows[0][1]
    scores = [score(model, f) for f, _ in rows]
    k = max(range(len(rows)), key=lambda i: (scores[i], -i))
    return rows[k][1] if k and scores[k] >= scores[0] + margin else rows[0][1]


def fold_picks(items: list[dict], fit: Callable[[list[dict]], Any], pick: Callable[[Any, list, float], Any],
               margins: Sequence[float], folds: int = 5) -> dict[float, list[Any]]:
    """What `pick` chooses for each item at each margin, from a model `fit` on the other folds
    (folds by article, assigned by a hash of its name: stable across runs). Shared by the
    actor ranker's and the action head's cross-validation."""
    articles = sorted({it["article"] for it in items}, key=lambda a: hashlib.sha256(a.encode()).hexdigest())
    fold = {a: k % folds for k, a in enumerate(articles)}
    chosen: dict[float, list[Any]] = {m: [None] * len(items) for m in margins}
    for k in range(folds):
        model = fit([it for it in items if fold[it["article"]] != k])
        for i, it in enumerate(items):
            if fold[it["article"]] == k:
                for m in margins:
                    chosen[m][i] = pick(model, it["rows"], m)
    return chosen


def cross_validate(items: list[dict], folds: int = 5) -> dict[str, dict[str, float]]:
    """Actor F1 per kind: rules, oracle, ranker at each margin, by article folds."""
    return summary(items, fold_picks(items, fit, pick, MARGINS, folds))


def summary(items: list[dict], chosen: dict[float, list[float]]) -> dict[str, dict[str, float]]:
    by: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by[it["kind"]].append(i)
        by["all"].append(i)
    out = {}
    for kind, idx in sorted(by.items(), key=lambda kv: -len(kv[1])):
        row = {"n": len(idx), "rules": _mean(items[i]["rows"][0][1] for i in idx),
               "oracle": _mean(max(s for _, s in items[i]["rows"]) for i in idx),
               "or>=.8": _mean(max(s for _, s in items[i]["rows"]) >= MATCH for i in idx),
               "rule>=.8": _mean(items[i]["rows"][0][1] >= MATCH for i in idx)}
        for m, values in chosen.items():
            row[f"m{m}"] = _mean(values[i] for i in idx)
        out[kind] = row
    return out


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else 0.0


def build(corpus: Path, output: Path, exclude: set[str] = frozenset(), margin: float = MARGIN, rows: Path | None = None) -> dict:
    items = load_items(corpus, exclude, rows)
    return write(output, fit(items), margin, corpus, items, exclude, feature_digest(), C=C, match=MATCH, min_note=MIN_NOTE)


def write(output: Path, model: dict, margin: float, corpus: Path, items: list[dict], exclude: set[str], digest: str,
          **settings: Any) -> dict:
    """Write a fitted model (this ranker's or the action head's) with what it was built from."""
    model["margin"] = margin
    model["info"] = {"corpus_labels_sha256": hashlib.sha256((corpus / "labels.jsonl").read_bytes()).hexdigest()[:16],
                     "commitments": len(items), "excluded_kinds": sorted(exclude), **settings, "features_sha256": digest}
    output.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return model["info"]


def load_items(corpus: Path, exclude: set[str], rows: Path | None, items_of: Any = None) -> list[dict]:
    """The corpus items (`corpus_items`, or the `items_of` given), from `rows` when given and
    present (a cache of an earlier parse)."""
    if rows is not None and rows.exists():
        items = json.loads(rows.read_text(encoding="utf-8"))
        return [it for it in items if it["kind"] not in exclude]
    from reader import nlp as reader_nlp

    items = (items_of or corpus_items)(corpus, reader_nlp.load(), exclude if rows is None else set())
    if rows is not None:  # the cache holds every kind; what is excluded is left out on reading
        rows.write_text(json.dumps(items), encoding="utf-8")
    return [it for it in items if it["kind"] not in exclude]


# Sentences (in reader's own words) whose candidate features the model records at build: a change
# to what `ranker.features` computes, without `make model`, shows as a different digest.
PROBES = ("The mayor said the council would reopen the library by June.",
          "Officials from the ministry pledged that they will publish the report.",
          "We will keep the station open, a spokeswoman for the railway said.")


def feature_digest(nlp: Any = None) -> str:
    from reader.commitments import ranker

    def columns(span, anchor, found) -> list:
        cands = ranker.candidates(span, anchor, found)
        return [sorted(ranker.features(span, anchor, found, c, len(cands))) for c in cands]

    return probe_digest(PROBES, columns, nlp)


def probe_digest(probes: tuple[str, ...], columns_of: Any, nlp: Any = None) -> str:
    """A digest of the feature names `columns_of(span, anchor, rules' actor)` gives on each of
    the probe sentences (this ranker's and the action head's)."""
    from reader.commitments import actor as actor_mod
    from reader.commitments import clause

    if nlp is None:
        from reader import nlp as reader_nlp

        nlp = reader_nlp.load()
    columns = []
    for doc in nlp.pipe(probes):
        span = doc[:]
        anchor = clause.find(span)
        columns.append(columns_of(span, anchor, actor_mod.find(span, anchor)))
    return hashlib.sha256(json.dumps(columns).encode()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reader.commitments.ranker_build", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).resolve().parent / "ranker.json")
    parser.add_argument("--exclude-kind", action="append", default=[], help="leave out one kind of source (repeatable)")
    parser.add_argument("--margin", type=float, default=MARGIN, help="how much a candidate must outscore the rules' actor")
    parser.add_argument("--cv", action="store_true", help="report cross-validated actor F1 by kind instead of writing")
    parser.add_argument("--rows", type=Path, help="cache of the corpus's candidates (read when present, else written)")
    args = parser.parse_args(argv)
    if not (args.corpus / "labels.jsonl").is_file():
        print(f"reader: {args.corpus} holds no labels.jsonl", file=sys.stderr)
        return 2
    if args.cv:
        table = cross_validate(load_items(args.corpus, set(args.exclude_kind), args.rows))
        columns = list(next(iter(table.values())))
        print(f"{'kind':<15}" + "".join(f"{c:>8}" for c in columns))
        for kind, row in table.items():
            print(f"{kind:<15}" + "".join(f"{row[c]:>8}" for c in columns))
        return 0
    print(json.dumps(build(args.corpus, args.output, set(args.exclude_kind), args.margin, args.rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
