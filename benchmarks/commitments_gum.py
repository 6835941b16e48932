"""Score commitment extraction (actor, action, when) on the GUM news gold commitments.

    .venv/bin/python -m benchmarks.commitments_gum               # all, and each half
    .venv/bin/python -m benchmarks.commitments_gum --out x.jsonl --details dev
    .venv/bin/python -m benchmarks.commitments_gum --app   # also the app's import -> export path
    .venv/bin/python -m benchmarks.commitments_gum --json  # the scores as one JSON object (tests read it)

Each GUM article is parsed the way the app parses it (paragraphs -> nlp.pipe -> segment's
sentence spans); every parsed sentence that overlaps a gold commitment is extracted, with all
sentences before it as context and the article's dateline as its date. The records go to a
JSONL file (article_id, start, end, actor, action, when, when_iso, ...) that
../shared/tools/score_commitments.py scores: token F1 per slot, averaged over gold commitments.

The rules must not be tuned to GUM, so the articles are split in two by name: sorted by file
name, the even positions (afghan, clock, defector, ...) are the development half, the odd
positions the check half. The split was fixed before any rule was written; figures are printed
for all 24 articles and for each half. Skips with a note when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
GUM = SHARED / "corpus" / "gum-news"
LABELS = GUM / "labels.jsonl"
SCORER = SHARED / "tools" / "score_commitments.py"
HALVES = ("dev", "check")


def halves(names: list[str]) -> dict[str, str]:
    """article file stem -> "dev" (even position in name order) or "check" (odd)."""
    return {name: HALVES[k % 2] for k, name in enumerate(sorted(names))}


def load_gold(labels: Path = LABELS) -> tuple[list[dict], dict[str, str]]:
    rows = [json.loads(line) for line in labels.open(encoding="utf-8") if line.strip()]
    source_of = {r["article_id"]: r["source"] for r in rows}
    return rows, source_of


def run(out: Path, labels: Path = LABELS) -> dict:
    from reader import nlp as reader_nlp
    from reader.commitments import article_date, extract, parse_article

    rows, source_of = load_gold(labels)
    gold = [r for r in rows if r["label"] == "commitment"]
    by_article: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        by_article[g["article_id"]].append(g)

    t0 = time.perf_counter()
    nlp = reader_nlp.load()
    load_s = time.perf_counter() - t0

    records, extract_times, all_times = [], [], []
    parse_s = 0.0
    n_sentences = 0
    for article_id in sorted(source_of):
        path = labels.parents[1] / source_of[article_id]
        text = path.read_text(encoding="utf-8")
        t = time.perf_counter()
        sentences = parse_article(nlp, text)
        parse_s += time.perf_counter() - t
        base = article_date(text)
        spans = [s for _, _, s in sentences]
        # every sentence, to time the extractor on ordinary news text as well
        for k, span in enumerate(spans):
            t = time.perf_counter()
            extract(span, spans[:k], base)
            all_times.append(time.perf_counter() - t)
        n_sentences += len(spans)
        for g in by_article.get(article_id, []):
            for k, (a, b, span) in enumerate(sentences):
                if min(b, g["end"]) - max(a, g["start"]) <= 0:
                    continue
                t = time.perf_counter()
                found = extract(span, spans[:k], base)
                extract_times.append(time.perf_counter() - t)
                records.append({
                    "article_id": article_id, "source": source_of[article_id], "start": a, "end": b,
                    "article_date": base.isoformat() if base else None, **found.as_dict(),
                })
    with out.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return {
        "records": records, "gold": gold, "rows": rows, "load_s": load_s, "parse_s": parse_s,
        "extract_times": extract_times, "all_times": all_times, "n_sentences": n_sentences,
    }


def score(records_path: Path, gold_path: Path) -> tuple[str, dict[str, float]]:
    proc = subprocess.run([sys.executable, str(SCORER), str(records_path), str(gold_path)],
                          capture_output=True, text=True, check=True)
    last = proc.stdout.strip().splitlines()[-1]
    figures = {k: float(v) for k, v in (part.split("=") for part in last.split())}
    return proc.stdout.strip(), figures


def score_halves(result: dict, records_path: Path, folder: Path) -> dict[str, dict[str, float]]:
    rows = result["rows"]
    stems = sorted({Path(r["source"]).stem for r in rows})
    half_of = halves(stems)
    scores = {}
    for half in ("all", *HALVES):
        keep = [r for r in rows if half == "all" or half_of[Path(r["source"]).stem] == half]
        gold_path = folder / f"gold-{half}.jsonl"
        gold_path.write_text("".join(json.dumps(r) + "\n" for r in keep), encoding="utf-8")
        n = sum(1 for r in keep if r["label"] == "commitment")
        text, figures = score(records_path, gold_path)
        scores[half] = {"n": n, **figures}
    return scores


def app_path(folder: Path, labels: Path = LABELS) -> dict[str, dict[str, float]]:
    """The official path: `reader import` of the gold labels into a fresh database, `reader
    export --format commitments`, the scorer; per half as above. Articles are rebuilt there from
    the sentence export, so a sentence may be parsed as a paragraph of its own."""
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    db, out = folder / "app.db", folder / "app-commitments.jsonl"
    for args in (["import", "--db", str(db), str(labels)], ["export", "--db", str(db), "--format", "commitments", "-o", str(out), "--force"]):
        subprocess.run([sys.executable, "-m", "reader", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    rows, _ = load_gold(labels)
    return score_halves({"rows": rows}, out, folder)


def details(result: dict, half: str) -> None:
    """Extracted beside gold, per commitment of one half (for development; prints corpus text)."""
    stems = sorted({Path(r["source"]).stem for r in result["rows"]})
    half_of = halves(stems)
    for g in result["gold"]:
        if half_of[Path(g["source"]).stem] != half:
            continue
        want = g.get("commitment") or {}
        best = max((r for r in result["records"] if r["article_id"] == g["article_id"]),
                   key=lambda r: min(r["end"], g["end"]) - max(r["start"], g["start"]), default=None)
        print(f"\n{g['source']} {g['start']}-{g['end']}: {g['text'][:160]}")
        for slot in ("actor", "action", "when"):
            got = best.get(slot) if best else None
            mark = "  " if (got or None) == (want.get(slot) or None) else "!!"
            print(f"  {mark} {slot:6} gold={want.get(slot)!r}\n            got ={got!r}")
        if best:
            print(f"     resolved={best.get('actor_resolved')!r} when_iso={best.get('when_iso')} note={best.get('actor_note')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="where to write the JSONL (default: a temporary file)")
    parser.add_argument("--details", choices=HALVES, help="print extracted beside gold for one half")
    parser.add_argument("--app", action="store_true", help="also score the app's import -> export path")
    parser.add_argument("--json", action="store_true", help="print only the scores, as JSON ({half: {n, actor, action, when}})")
    parser.add_argument("--labels", type=Path, default=LABELS, help="the gold labels.jsonl (its texts are in the folder above it)")
    args = parser.parse_args(argv)
    if not (args.labels.exists() and SCORER.exists()):
        print(f"skipped: the GUM gold data or the scorer is not at {SHARED} (../shared)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out = args.out or folder / "commitments-gum.jsonl"
        result = run(out, args.labels)
        scores = score_halves(result, out, folder)
        app = app_path(folder, args.labels) if args.app else None
    if args.json:
        print(json.dumps(scores))
        return 0
    if args.details:
        details(result, args.details)
    print(f"\ncommitment extraction on GUM news ({len(result['gold'])} gold commitments, "
          f"{len(result['records'])} parsed sentences extracted)")
    print("| articles | commitments | actor | action | when |")
    print("| --- | --- | --- | --- | --- |")
    for half, s in scores.items():
        print(f"| {half} | {s['n']} | {s['actor']:.3f} | {s['action']:.3f} | {s['when']:.3f} |")
    if app:
        print("\nthe app's path (reader import -> reader export --format commitments -> scorer):")
        print("| articles | commitments | actor | action | when |")
        print("| --- | --- | --- | --- | --- |")
        for half, s in app.items():
            print(f"| {half} | {s['n']} | {s['actor']:.3f} | {s['action']:.3f} | {s['when']:.3f} |")
    ex, every = result["extract_times"], result["all_times"]
    print(f"\nextract() per sentence: median {statistics.median(ex) * 1e3:.2f} ms, max {max(ex) * 1e3:.2f} ms "
          f"over the {len(ex)} commitment sentences; median {statistics.median(every) * 1e3:.2f} ms, "
          f"mean {statistics.fmean(every) * 1e3:.2f} ms, max {max(every) * 1e3:.2f} ms over all "
          f"{result['n_sentences']} sentences (first call includes importing dateparser)")
    print(f"for scale: spaCy parse {result['parse_s'] / result['n_sentences'] * 1e3:.2f} ms per sentence; "
          f"model load {result['load_s']:.1f} s")
    if args.out:
        print(f"records: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
