"""Learning, measured on the repository's corpus (and on GUM's news when ../shared is there).

    python -m benchmarks.learning [--kinds K,K] [--gum] [--json OUT]

Every figure is macro-F1 on sentences the model was not trained on, against the parse rules
alone on the same sentences:

1. **Cold start by source held out**: for each kind of source in `corpus/`, the learned
   suggester fitted on every other kind (the shipped corpus's own features), scored on that
   kind.
2. **In-domain learning**: for each kind, its documents split into halves (even / odd in name
   order); the cold start of (1) moved by one half's labels (`learned.adapt` with the other
   kinds as its corpus, as `reader train` moves the shipped model with a user's labels),
   scored on the other half, against the cold start of (1) on the same half. Both halves.
3. **A curve**: the same at 0, 50, 100, 200 and 400 in-domain labels (the first n labels of the
   training half, in document order, as a user labels), averaged over the two halves.
4. With `--gum`, the shipped model on GUM's 24 news articles (never in the corpus) through
   reader's own import, and GUM's halves through `reader import` of the gold labels of one
   half, `reader train`, `reader export --all --suggestions` and the shared scorer.

The corpus features are the ones `make model` stored (`reader/suggest/shipped/corpus.npz`),
so nothing here parses the corpus again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy
import contextlib

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = ["commitment", "claim", "background"]
CURVE = (0, 50, 100, 200, 400)


def macro(golds: list[str], predicted: list[str]) -> float:
    from reader.learn import score

    return score(golds, predicted, LABELS).macro


def _rules(X: Any) -> list[str]:
    """The parse rules' label of each row: the COLD:<label> feature it carries."""
    from reader.suggest import learned

    columns = {learned._h(f"COLD:{label}"): label for label in LABELS}  # noqa: SLF001
    out = []
    for i in range(X.shape[0]):
        row = X.indices[X.indptr[i]:X.indptr[i + 1]]
        out.append(next(columns[c] for c in row if c in columns))
    return out


def _predict(model: Any, X: Any) -> list[str]:
    Z = X @ model.weights.T + model.bias
    return [LABELS[i] for i in numpy.asarray(Z).argmax(axis=1)]


def corpus_figures(kinds_wanted: list[str] | None = None) -> dict[str, Any]:
    from reader.suggest import learned

    X, y, groups, kinds = learned.load_corpus()
    y_arr, kinds_arr, groups_arr = numpy.asarray(y), numpy.asarray(kinds), numpy.asarray(groups)
    rules = numpy.asarray(_rules(X))
    out: dict[str, Any] = {"by_source": {}, "in_domain": {}, "curve": {}}
    for kind in sorted(set(kinds)):
        if kinds_wanted and kind not in kinds_wanted:
            continue
        inside = numpy.where(kinds_arr == kind)[0]
        outside = numpy.where(kinds_arr != kind)[0]
        cold = learned.fit(X[outside], list(y_arr[outside]), LABELS)
        cold_pred = numpy.asarray(_predict(cold, X[inside]))
        out["by_source"][kind] = {"sentences": len(inside), "documents": len(set(groups_arr[inside])),
                                  "rules": round(macro(list(y_arr[inside]), list(rules[inside])), 3),
                                  "learned": round(macro(list(y_arr[inside]), list(cold_pred)), 3)}
        docs = sorted(set(groups_arr[inside]))
        if len(docs) < 4:
            continue
        halves = [[i for i in inside if docs.index(groups_arr[i]) % 2 == h] for h in (0, 1)]
        rows = []
        curve: dict[int, list[float]] = {n: [] for n in CURVE}
        for h in (0, 1):
            train, test = halves[1 - h], halves[h]
            base = macro(list(y_arr[test]), [cold_pred[list(inside).index(i)] for i in test])
            for n in CURVE:
                take = train if n == max(CURVE) + 1 else train[:n]
                if n == 0:
                    curve[n].append(base)
                    continue
                if len(take) < n:
                    continue
                model = learned.adapt(cold, X[take], list(y_arr[take]), LABELS, corpus=(X[outside], list(y_arr[outside])))
                curve[n].append(macro(list(y_arr[test]), _predict(model, X[test])))
            model = learned.adapt(cold, X[train], list(y_arr[train]), LABELS, corpus=(X[outside], list(y_arr[outside])))
            warm = macro(list(y_arr[test]), _predict(model, X[test]))
            rows.append({"half": h, "train_labels": len(train), "cold": round(base, 3), "trained": round(warm, 3),
                         "gain": round(warm - base, 3)})
        out["in_domain"][kind] = rows
        out["curve"][kind] = {n: round(sum(v) / len(v), 3) for n, v in curve.items() if v}
    return out


def _reader(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True, text=True, timeout=3600)


def _score(path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, str(SHARED / "tools" / "score_suggestions.py"), str(path)],
                          capture_output=True, text=True, timeout=600)
    figures = {}
    for part in done.stdout.replace("\n", " ").split():
        if "=" in part:
            key, _, value = part.partition("=")
            with contextlib.suppress(ValueError):
                figures[key] = float(value)
    return figures


def gum_figures() -> dict[str, Any]:
    """The shipped cold start on GUM's news, and reader train on each half's gold labels."""
    gum = SHARED / "corpus" / "gum-news"
    gold = [json.loads(line) for line in (gum / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    names = sorted({Path(r["source"]).name for r in gold})
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = tmp_path / "cold.db"
        _reader("import", "--db", str(db), *[str(gum / n) for n in names])
        _reader("export", "--db", str(db), "--all", "--suggestions", "-o", str(tmp_path / "cold.jsonl"))
        out["cold_start"] = _score(tmp_path / "cold.jsonl")
        halves = {h: [n for n in names if names.index(n) % 2 == h] for h in (0, 1)}
        for h in (0, 1):
            train, test = halves[1 - h], halves[h]
            half_db = tmp_path / f"half{h}.db"
            labels = tmp_path / f"labels{h}.jsonl"
            labels.write_text("".join(json.dumps(r) + "\n" for r in gold if Path(r["source"]).name in train), encoding="utf-8")
            _reader("import", "--db", str(half_db), *[str(gum / n) for n in names])
            _reader("import", "--db", str(half_db), str(labels))
            started = time.monotonic()
            trained = _reader("train", "--db", str(half_db), "--json")
            seconds = time.monotonic() - started
            report = json.loads(trained.stdout) if trained.returncode == 0 else {"error": trained.stderr.strip()}
            exported = tmp_path / f"half{h}.jsonl"
            _reader("export", "--db", str(half_db), "--all", "--suggestions", "-o", str(exported))
            keep = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
            test_ids = {r["article_id"] for r in gold if Path(r["source"]).name in test}
            only = tmp_path / f"half{h}-test.jsonl"
            only.write_text("".join(json.dumps(r) + "\n" for r in keep if r["article_id"] in test_ids), encoding="utf-8")
            cold_only = tmp_path / f"cold{h}-test.jsonl"
            cold_rows = [json.loads(line) for line in (tmp_path / "cold.jsonl").read_text(encoding="utf-8").splitlines()]
            cold_only.write_text("".join(json.dumps(r) + "\n" for r in cold_rows if r["article_id"] in test_ids), encoding="utf-8")
            gold_half = tmp_path / f"gold{h}.jsonl"
            gold_half.write_text("".join(json.dumps(r) + "\n" for r in gold if Path(r["source"]).name in test), encoding="utf-8")
            out[f"half{h}"] = {
                "cold": _score_with(cold_only, gold_half), "trained": _score_with(only, gold_half),
                "kept": report.get("kept"), "train_seconds": round(seconds, 1), "train_labels": report.get("labels"),
            }
    return out


def _score_with(path: Path, gold: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, str(SHARED / "tools" / "score_suggestions.py"), str(path), str(gold)],
                          capture_output=True, text=True, timeout=600)
    figures = {}
    for part in done.stdout.replace("\n", " ").split():
        key, _, value = part.partition("=")
        with contextlib.suppress(ValueError):
            figures[key] = float(value)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.learning")
    parser.add_argument("--kinds", help="only these kinds of source (comma-separated)")
    parser.add_argument("--gum", action="store_true", help="also GUM's news (needs ../shared)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    started = time.monotonic()
    figures: dict[str, Any] = {"corpus": corpus_figures(args.kinds.split(",") if args.kinds else None)}
    c = figures["corpus"]
    print("== cold start by source held out (macro-F1: parse rules -> learned)")
    for kind, row in c["by_source"].items():
        print(f"  {kind:14s} {row['sentences']:5d} sentences {row['documents']:3d} docs: {row['rules']:.3f} -> {row['learned']:.3f}")
    print("== in-domain: the cold start moved by one half's labels, scored on the other half")
    for kind, rows in c["in_domain"].items():
        print(f"  {kind:14s} " + "   ".join(f"half {r['half']}: {r['cold']:.3f} -> {r['trained']:.3f} ({r['gain']:+.3f}, {r['train_labels']} labels)" for r in rows))
    print("== curve: macro-F1 at 0/50/100/200/400 in-domain labels (mean of the halves)")
    for kind, points in c["curve"].items():
        print(f"  {kind:14s} " + "  ".join(f"{n}: {v:.3f}" for n, v in points.items()))
    if args.gum:
        if not (SHARED / "corpus" / "gum-news" / "labels.jsonl").exists():
            print("== GUM: ../shared is absent")
        else:
            figures["gum"] = g = gum_figures()
            print(f"== GUM news (never in the corpus): cold start macro-F1 {g['cold_start'].get('macro-F1')}")
            for h in (0, 1):
                r = g[f"half{h}"]
                print(f"  half {h}: cold {r['cold'].get('macro-F1')} -> reader train on the other half's {r['train_labels']} labels "
                      f"{r['trained'].get('macro-F1')} (kept: {r['kept']}, {r['train_seconds']} s)")
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
