"""Screens at 100,000 articles: the library, the commitment register and `reader stats` over a
database of 100,000 articles against the same over 4,000 (goal: each within 1.5x).

The databases are synthesised in bulk SQL in the rows the store writes (benchmarks/corpus.py
articles of 25 sentences with their entities; a suggestion for every sentence, 5 % of them
commitment with what the extractor found; one article in twenty labelled by `bench` through
event and current-label rows, with a commitment status now and then), so the labelled share is
the same at both sizes. They are built once into a cache folder (default
$TMPDIR/reader-scale-cache) and reused; each run copies nothing, it only opens them, so a
database built by an older reader is migrated (untimed) by the first open.

Measured, each in a fresh process per size (benchmarks/scale_pilot.py, Textual's Pilot,
in-process `run_test`, 120x40): the library from app start until its first rows are painted;
`j` (cursor down) until the cursor's move is painted; `/` and a word, each key until the
filter it makes is painted; the register (`reader commitments`) from app start until its first
rows are painted; `j` there; `s` (the next sort) and `/` and a word there; and `reader stats` as
a whole process. Each figure is the median of --reps repetitions (after one untimed warm-up).

    python -m benchmarks.scale [--reps 3] [--cache DIR] [--sizes 4000,100000] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.common import PYTHON, READER, ROOT, clean_env, machine, median, run_process, say
from benchmarks.corpus import generate

PER_ARTICLE = 25
COMMITMENT_SHARE = 0.05
LABELLED_EVERY = 20  # one article in twenty is labelled, whatever the size
ANNOTATOR = "bench"
BUILD = "1"  # bump when the synthesised rows change, so old caches are not reused
SIZES = (4_000, 100_000)
WORD = "harbour"  # the filter typed on both screens


def _stamp(moment: datetime.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(path: Path, articles: int) -> dict:
    """Synthesise the database at path (a new file) in bulk: the rows reader's write path writes."""
    from reader.model import SKIPPED, article_id
    from reader.store import Store
    from reader.store.suggestions import DEFAULT_SET

    with Store(path):  # the schema, as this reader writes it
        pass
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    rng = random.Random(articles)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    names = ("commitment", "claim", "background")
    batch: dict[str, list[tuple]] = {k: [] for k in ("articles", "sentences", "entities", "suggestions", "commitments", "events", "labels", "fields")}
    sql = {
        "articles": "INSERT INTO articles (id, title, source, url, author, published, site, text, meta, model, model_version, imported_at)"
                    " VALUES (?, ?, ?, ?, NULL, ?, NULL, ?, '{}', 'generated', '0', ?)",
        "sentences": 'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
        "entities": 'INSERT INTO entities (article_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
        "suggestions": "INSERT INTO suggestions (article_id, sentence_index, label_set, label, score, scores, source, reason, updated)"
                       " VALUES (?, ?, ?, ?, ?, ?, 'cold-start', NULL, ?)",
        "commitments": """INSERT INTO commitments (article_id, sentence_index, actor, actor_entities, actor_resolved, actor_note,
                          action, when_text, when_iso, trigger, confidence, article_date, updated)
                          VALUES (?, ?, ?, '[]', NULL, NULL, ?, ?, ?, 'will', 0.8, ?, ?)""",
        "events": """INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, previous, target, created,
                     field, provenance, suggested, uid) VALUES (?, ?, ?, 'set', ?, NULL, NULL, ?, ?, NULL, NULL, ?)""",
        "labels": "INSERT INTO annotations (article_id, sentence_index, annotator, label, created, updated, provenance, suggested)"
                  " VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
        "fields": "INSERT INTO sentence_fields (article_id, sentence_index, annotator, field, value, provenance, updated) VALUES (?, ?, ?, ?, ?, NULL, ?)",
    }

    def flush() -> None:
        for table in ("articles", "sentences", "entities", "suggestions", "commitments", "events", "labels", "fields"):
            conn.executemany(sql[table], batch[table])
            batch[table].clear()

    conn.execute("BEGIN")
    labelled = commitments = 0
    for k in range(articles):
        g = generate(PER_ARTICLE, seed=k)
        aid = article_id(g.text)
        moment = start + datetime.timedelta(seconds=k)
        stamp = _stamp(moment)
        day = (datetime.date(2020, 1, 1) + datetime.timedelta(days=k % 2000)).isoformat()
        batch["articles"].append((aid, g.title, f"generated/{k:06d}.txt", f"https://example.org/scale/{k}", day, g.text, stamp))
        batch["entities"].extend((aid, a, b, label, g.text[a:b]) for a, b, label in g.entities)
        marked = k % LABELLED_EVERY == 0
        for i, (a, b) in enumerate(g.sentences):
            sentence = g.text[a:b]
            batch["sentences"].append((aid, i, a, b, sentence))
            suggested = "commitment" if rng.random() < COMMITMENT_SHARE else rng.choice(names[1:])
            score = round(rng.uniform(0.4, 0.95), 3)
            scores = {n: (score if n == suggested else round((1 - score) / 2, 3)) for n in names}
            batch["suggestions"].append((aid, i, DEFAULT_SET, suggested, score, json.dumps(scores), stamp))
            label = None
            if marked:
                label = SKIPPED if i == 0 else (suggested if rng.random() < 0.8 else rng.choice(names))
                batch["events"].append((aid, i, ANNOTATOR, label, stamp, None, uuid.uuid4().hex))
                batch["labels"].append((aid, i, ANNOTATOR, label, stamp, stamp))
                labelled += 1
            if label == "commitment" or (label is None and suggested == "commitment"):
                words = sentence.split()
                batch["commitments"].append((aid, i, " ".join(words[:2]), " ".join(words[2:10]), None, None, day, stamp))
                commitments += 1
                if marked and rng.random() < 0.3:
                    status = rng.choice(("done", "broken"))
                    batch["events"].append((aid, i, ANNOTATOR, status, stamp, "commitment.status", uuid.uuid4().hex))
                    batch["fields"].append((aid, i, ANNOTATOR, "commitment.status", status, stamp))
        if k % 1000 == 999:
            flush()
    flush()
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"articles": articles, "sentences": articles * PER_ARTICLE, "labelled": labelled, "commitments": commitments}


def database(cache: Path, articles: int) -> Path:
    """The cached database of this size, built if missing (or built by an older BUILD)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"scale-{articles}-b{BUILD}.db"
    facts = path.with_suffix(".json")
    if path.exists() and facts.exists():
        say(f"  reusing {path} ({json.loads(facts.read_text())})")
        return path
    for stale in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    began = time.monotonic()
    built = build(path, articles)
    facts.write_text(json.dumps(built))
    say(f"  built {path}: {built} ({time.monotonic() - began:.0f} s)")
    return path


def measure(db: Path, reps: int, env: dict[str, str]) -> dict:
    """The Pilot figures (a fresh process) and `reader stats` (whole processes)."""
    from reader.store import Store

    with Store(db):  # a database built by an older reader is migrated here, untimed
        pass
    proc = subprocess.run([PYTHON, "-m", "benchmarks.scale_pilot", str(db), str(reps), WORD], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scale_pilot failed on {db}:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    stats = [run_process([*READER, "stats", "--db", str(db), "--annotator", ANNOTATOR], env=env).seconds for _ in range(reps + 1)][1:]
    out["stats_s"] = stats
    return out


FIGURES = (
    ("library_open", "library: app start to first rows painted"),
    ("library_down", "library: `j` to the cursor's move painted"),
    ("library_filter", f"library: `/` + “{WORD}”, per key to its filter painted"),
    ("register_open", "register: app start to first rows painted"),
    ("register_down", "register: `j` to the cursor's move painted"),
    ("register_sort", "register: `s` (next sort) to the new order painted"),
    ("register_filter", f"register: `/` + “{WORD}”, per key to its filter painted"),
    ("stats_s", "`reader stats` (whole process)"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reader-scale-cache")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="small,large article counts")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    small, large = (int(s) for s in args.sizes.split(","))
    info = machine()
    say(f"machine: {info['nproc']} cores, {info['cpu']}, reader at {info['commit']}")
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="reader-scale-") as home:
        env = clean_env(Path(home))
        for size in (small, large):
            say(f"{size:,} articles:")
            db = database(args.cache, size)
            results[size] = measure(db, args.reps, env)
            say("  " + ", ".join(f"{key} {median(results[size][key]) * 1000:.0f} ms" for key, _ in FIGURES))
    print(f"\nscreens at {large:,} articles against {small:,}: medians of {args.reps}, "
          f"reader at {info['commit']}, {time.strftime('%Y-%m-%d %H:%M')}\n")
    print(f"| what | {small:,} | {large:,} | ratio | goal |")
    print("| --- | --- | --- | --- | --- |")
    rows = []
    for key, what in FIGURES:
        a, b = median(results[small][key]), median(results[large][key])
        rows.append({"id": key, "what": what, "small_ms": a * 1000, "large_ms": b * 1000, "ratio": b / a})
        print(f"| {what} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {b / a:.2f}× | ≤ 1.5× {'✅' if b / a <= 1.5 else '❌'} |")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": rows, "results": {str(k): v for k, v in results.items()}}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
