"""Label suggestions on the GUM news gold: the cold start, then the trained textcat.

    PYTHONPATH=. python benchmarks/suggest_gum.py [--out DIR] [--folds 6]

Parses the 24 articles as the app does (paragraphs -> nlp.pipe -> reader.segment sentences),
writes the cold start's suggestions as JSONL records (article_id, start, end, text,
suggestion {label, score, source}) and scores them with ../shared/tools/score_suggestions.py,
on all 24 articles and on each half (articles in file-name order, even = development half,
odd = check half: the cold start's rules were written looking at the first only). Then
cross-validates the trained textcat by article, scores the held-out predictions the same way
(all 24 and each half), and prints the learning curve and the timings. Exits 0 with a note when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import gum_corpus  # noqa: E402


def write_records(path: Path, articles, suggestion_of) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for article in articles:
            for s in article.sentences:
                record = {"article_id": article.article_id, "start": s.start, "end": s.end, "text": s.text,
                          "suggestion": suggestion_of(s)}
                out.write(json.dumps(record) + "\n")


def score(records: Path, gold: Path | None = None) -> str:
    cmd = [sys.executable, str(gum_corpus.SCORER), str(records)] + ([str(gold)] if gold else [])
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def gold_subset(path: Path, article_ids: set[str]) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for record in gum_corpus.gold_records():
            if record["article_id"] in article_ids:
                out.write(json.dumps(record) + "\n")
    return path


def macro(text: str) -> str:
    return text.splitlines()[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for the JSONL files (default: a temporary one)")
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    args = parser.parse_args(argv)
    if not gum_corpus.available():
        print(f"skipped: {gum_corpus.LABELS} is absent")
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="suggest-gum-"))
    out.mkdir(parents=True, exist_ok=True)

    from reader import nlp as reader_nlp
    from reader.suggest import coldstart, textcat

    nlp = textcat.load_base()
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(gum_corpus.GUM_NEWS.glob("*.txt"))}
    # What the lemmatizer costs: the app's pipeline with and without it, same paragraphs.
    lean = reader_nlp.load()
    timings = {}
    for name, pipeline in (("without lemmatizer", lean), ("with lemmatizer", nlp)):
        gum_corpus.parse_articles(pipeline, texts)  # warm-up
        t = time.perf_counter()
        for _ in range(3):
            gum_corpus.parse_articles(pipeline, texts)
        timings[name] = (time.perf_counter() - t) / 3 / len(texts)
    print(f"parse per article: without lemmatizer {timings['without lemmatizer'] * 1000:.1f} ms, "
          f"with {timings['with lemmatizer'] * 1000:.1f} ms "
          f"(+{(timings['with lemmatizer'] / timings['without lemmatizer'] - 1) * 100:.0f}%)")

    articles = gum_corpus.load(nlp)
    sentences = [s for a in articles for s in a.sentences]
    t = time.perf_counter()
    cold = {id(s): coldstart.suggest(s.span) for s in sentences}
    per_sentence = (time.perf_counter() - t) / len(sentences)
    print(f"cold start: {per_sentence * 1e6:.0f} µs per sentence ({len(sentences)} sentences)")
    cold_path = out / "coldstart.jsonl"
    write_records(cold_path, articles, lambda s: cold[id(s)].as_record("coldstart"))
    halves = {"development half": articles[0::2], "check half": articles[1::2]}
    print("\n== cold start, all 24 articles ==")
    print(score(cold_path))
    for name, part in halves.items():
        gold = gold_subset(out / f"gold-{name.split()[0]}.jsonl", {a.article_id for a in part})
        print(f"== cold start, {name} ({len(part)} articles) ==")
        print(score(cold_path, gold))

    labelled = [(a.article_id, s) for a in articles for s in a.sentences if s.gold]
    examples = [(s.span, s.gold) for _, s in labelled]
    groups = [g for g, _ in labelled]
    labels = list(coldstart.LABELS)

    def held_out(fraction: float = 1.0) -> tuple[Path, float]:
        t = time.perf_counter()
        held = textcat.cross_validate(examples, groups, labels, folds=args.folds, base=nlp, train_fraction=fraction)
        spent = time.perf_counter() - t
        probs_of = {id(s): p for (_, s), p in zip(labelled, held, strict=True)}

        def trained(s):
            probs = probs_of.get(id(s))
            if not probs:
                return None
            label = max(probs, key=probs.get)
            return {"label": label, "score": round(probs[label], 4), "source": "textcat-cv"}

        path = out / f"textcat-cv-{int(fraction * 100)}.jsonl"
        write_records(path, articles, trained)
        return path, spent

    cv_path, cv_time = held_out()
    print(f"\n== trained textcat, {args.folds}-fold cross-validation by article ({cv_time:.1f} s), all 24 ==")
    print(score(cv_path))
    for name in halves:
        gold = out / f"gold-{name.split()[0]}.jsonl"
        print(f"== trained textcat, cross-validated, scored on the {name} ==")
        print(score(cv_path, gold))

    if not args.no_curve:
        print("\n== learning curve (held-out macro-F1, same folds; cold start on all 24 for reference) ==")
        print(f"  0% (cold start): {macro(score(cold_path))}")
        for fraction in (0.25, 0.5, 0.75):
            path, _ = held_out(fraction)
            print(f"{int(fraction * 100):3d}% of the training labels: {macro(score(path))}")
        print(f"100% of the training labels: {macro(score(cv_path))}")

    print("\n== training on all labelled sentences ==")
    t = time.perf_counter()
    final = textcat.train(examples, labels, base=nlp, groups=groups)
    print(f"train(): {time.perf_counter() - t:.2f} s for {len(examples)} sentences (features, inner CV and fit); "
          f"chose {textcat.selection(final)}")
    print(f"(JSONL files in {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
