"""Score the commitment slots (actor, action, when) on the training corpus, per kind of source.

    .venv/bin/python -m benchmarks.commitments                  # corpus/labels.jsonl
    .venv/bin/python -m benchmarks.commitments --gum            # the final check on GUM's news
    .venv/bin/python -m benchmarks.commitments --db /tmp/c.db --out /tmp/c.jsonl

The path is the app's own: `reader import` restores the texts and labels into a database (once:
the database is kept, only its extracted commitments are cleared on later runs, so a change to
the extractor is measured by re-extraction alone), `reader export --format commitments` extracts
every commitment sentence, and ../shared/tools/score_commitments.py scores the records: token F1
per slot, averaged over the gold commitments. The corpus is scored per `kind` of source (from
labels.jsonl) and overall. The rules are developed on the corpus; GUM (`--gum`) is a final check
only. Skips with a note when the scorer (../shared) is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score_commitments.py"
CORPUS = ROOT / "corpus" / "labels.jsonl"
GUM = SHARED / "corpus" / "gum-news" / "labels.jsonl"
SLOTS = ("actor", "action", "when")


def reader(*args: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "reader", *args], check=True, env=env, stdout=subprocess.DEVNULL)


def extract(labels: Path, db: Path, out: Path) -> None:
    """Import once; on later runs clear the extracted commitments so that export reads them again."""
    if not db.exists():
        reader("import", "--db", str(db), str(labels))
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM commitments")
    reader("export", "--db", str(db), "--format", "commitments", "-o", str(out), "--force")


def score(out: Path, gold: list[dict]) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.writelines(json.dumps(g) + "\n" for g in gold)
    try:
        last = subprocess.run([sys.executable, str(SCORER), str(out), f.name], check=True, capture_output=True,
                              text=True).stdout.strip().splitlines()[-1]
    finally:
        os.unlink(f.name)
    return {k: float(v) for k, v in (part.split("=") for part in last.split())}


def report(labels: Path, out: Path) -> dict[str, dict]:
    gold = [g for g in map(json.loads, labels.open(encoding="utf-8")) if g.get("label") == "commitment"]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        by_kind[g.get("kind") or "-"].append(g)
    table = {kind: {"n": len(rows), **score(out, rows)} for kind, rows in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))}
    if len(table) > 1:
        table["all"] = {"n": len(gold), **score(out, gold)}
    print(f"{'kind':<16}{'n':>6}" + "".join(f"{s:>8}" for s in SLOTS))
    for kind, row in table.items():
        print(f"{kind:<16}{row['n']:>6}" + "".join(f"{row[s]:>8.3f}" for s in SLOTS))
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gum", action="store_true", help="score GUM's 24 news articles (a final check, never to tune on)")
    ap.add_argument("--db", type=Path, help="the database to import into once and re-extract in (default: under the temp folder)")
    ap.add_argument("--out", type=Path, help="where the exported commitments go (default: under the temp folder)")
    ap.add_argument("--json", action="store_true", help="also print the table as JSON")
    args = ap.parse_args(argv)
    if not SCORER.exists():
        print(f"note: {SCORER} is absent: nothing scored", file=sys.stderr)
        return 0
    labels = GUM if args.gum else CORPUS
    name = "gum" if args.gum else "corpus"
    tmp = Path(tempfile.gettempdir())
    db = args.db or tmp / f"reader-commitments-{name}.db"
    out = args.out or tmp / f"reader-commitments-{name}.jsonl"
    extract(labels, db, out)
    table = report(labels, out)
    if args.json:
        print(json.dumps(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
