"""Team work at scale: `reader agreement` on 200,000 labels by 3 annotators, and `reader merge`
of a database of 200,000 events, each against a floor measured in the same run: a bare
sqlite3 process that reads the same rows (goal <= 3x). Both are whole processes, as a user
runs them; the in-process figures (the same work without interpreter start-up and imports)
are printed beside them.

The database is built through the public Store API (Store.add_article with generated
articles of 50 sentences, no spaCy), then one Store.set_label, and for the other labels a
bulk insert of exactly the rows set_label writes (a 'set' event with its uid, and the current
label), checked against the row set_label wrote.

    python -m benchmarks.team [--reps 5] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.common import PYTHON, READER, clean_env, median, run_process, say

PER_ARTICLE = 50
ANNOTATORS = ("ann", "bob", "cy")
LABELS = ("commitment", "claim", "background")
TOTAL = 200_000

AGREEMENT_FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute("SELECT article_id, sentence_index, annotator, label FROM annotations").fetchall()
print(len(rows))
"""

# What a merge must at least do besides reading: write the same rows (bulk inserts, no checks).
WRITE_FLOOR = """
import sqlite3, sys
src = sqlite3.connect(sys.argv[1])
dst = sqlite3.connect(sys.argv[2], isolation_level=None)
dst.execute("PRAGMA cache_size = -65536")
dst.execute("BEGIN IMMEDIATE")
have = {r[0] for r in dst.execute("SELECT id FROM articles")}
articles = [r for r in src.execute("SELECT * FROM articles") if r[0] not in have]
dst.executemany(f"INSERT INTO articles VALUES ({','.join('?' * 12)})", articles)
for table, columns in (("sentences", 'article_id, idx, start, "end", text'), ("entities", 'article_id, start, "end", label, text')):
    rows = [r for r in src.execute(f"SELECT {columns} FROM {table}") if r[0] not in have]
    dst.executemany(f"INSERT INTO {table} ({columns}) VALUES ({','.join('?' * len(columns.split(',')))})", rows)
columns = "article_id, sentence_index, annotator, action, label, previous, target, created, field, provenance, suggested, uid"
dst.executemany(f"INSERT INTO annotation_events ({columns}) VALUES ({','.join('?' * 12)})", src.execute(f"SELECT {columns} FROM annotation_events"))
columns = "article_id, sentence_index, annotator, label, created, updated, provenance, suggested"
dst.executemany(f"INSERT INTO annotations ({columns}) VALUES ({','.join('?' * 8)})", src.execute(f"SELECT {columns} FROM annotations"))
dst.execute("COMMIT")
"""

MERGE_FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
n = 0
for table in ("articles", "sentences", "entities", "annotation_events", "annotations", "sentence_fields", "assignments"):
    n += len(conn.execute(f"SELECT * FROM {table}").fetchall())
print(n)
"""


def build(path: Path, labels: int = TOTAL, *, label: bool = True) -> int:
    """A database with `labels` labels: 3 annotators on every sentence, mostly agreeing (with
    label=False: only the articles, as the lead's database before the annotators' work)."""
    from reader.model import Article, Parsed, Sentence
    from reader.store import Store, now

    sentences = -(-labels // len(ANNOTATORS))
    rng = random.Random(11)
    with Store(path) as store:
        for k in range(-(-sentences // PER_ARTICLE)):
            parts, spans, pos = [], [], 0
            for i in range(PER_ARTICLE):
                text = f"In article {k} the council said on day {i} that it would act."
                parts.append(text)
                spans.append((pos, pos + len(text)))
                pos += len(text) + 1
            article = Article(" ".join(parts), title=f"Generated {k}", source=f"generated/{k:05d}.txt")
            store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "generated", "0"))
        conn = store.conn
        if not label:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return 0
        units = conn.execute("SELECT article_id, idx FROM sentences ORDER BY article_id, idx LIMIT ?", (sentences,)).fetchall()
        first = units[0]
        store.set_label(first[0], first[1], "claim", ANNOTATORS[0])
        events, current = [], []
        for n, (article_id, index) in enumerate(units):
            truth = LABELS[(index * 7 + n) % 3]
            for annotator in ANNOTATORS:
                if (article_id, index, annotator) == (first[0], first[1], ANNOTATORS[0]):
                    continue
                value = truth if rng.random() < 0.7 else rng.choice(LABELS)
                stamp = now()
                events.append((article_id, index, annotator, "set", value, None, None, stamp, uuid.uuid4().hex))
                current.append((article_id, index, annotator, value, stamp, stamp))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            """INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, previous, target, created, uid)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", events)
        conn.executemany(
            "INSERT INTO annotations (article_id, sentence_index, annotator, label, created, updated) VALUES (?, ?, ?, ?, ?, ?)", current)
        conn.execute("COMMIT")
        shape = "SELECT action, previous, target, field, provenance FROM annotation_events WHERE article_id = ? AND sentence_index = ? AND annotator = ?"
        assert conn.execute(shape, (*first, ANNOTATORS[0])).fetchall() == conn.execute(shape, (*units[-1], ANNOTATORS[-1])).fetchall()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return conn.execute("SELECT count(*) FROM annotation_events").fetchone()[0]


def _floor(script: str, db: Path, env: dict[str, str], work: Path) -> float:
    path = work / "floor.py"
    path.write_text(script)
    return run_process([PYTHON, str(path), str(db)], env=env).seconds


def agreement(db: Path, work: Path, env: dict[str, str], reps: int) -> dict:
    argv = [*READER, "agreement", "--db", str(db), "--json"]
    out = work / "agreement.json"
    with open(out, "wb") as handle:
        run_process(argv, env=env, stdout=handle)  # warm-up; and the answer is checked
    result = json.loads(out.read_text())
    assert result["annotators"] == list(ANNOTATORS) and result["sentences"] * 3 >= TOTAL - 3, result["sentences"]
    times, floors = [], []
    for _ in range(reps):
        times.append(run_process(argv, env=env).seconds)
        floors.append(_floor(AGREEMENT_FLOOR, db, env, work))
    inside, bare = in_process_agreement(db, reps)
    return {"reader_s": median(times), "floor_s": median(floors), "ratio": median(times) / median(floors),
            "in_process_s": inside, "in_process_floor_s": bare, "in_process_ratio": inside / bare, "alpha": result["alpha"],
            "samples": {"reader": times, "floor": floors}}


def in_process_agreement(db: Path, reps: int) -> tuple[float, float]:
    import sqlite3

    from reader.store import Store
    from reader.team.agreement import measure

    times, floors = [], []
    for _ in range(reps):
        started = time.perf_counter()
        with Store(db, readonly=True) as store:
            measure(store.votes(), LABELS)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        conn = sqlite3.connect(db)
        conn.execute("SELECT article_id, sentence_index, annotator, label FROM annotations").fetchall()
        conn.close()
        floors.append(time.perf_counter() - started)
    return median(times), median(floors)


def merge(db: Path, work: Path, env: dict[str, str], reps: int) -> dict:
    """Into an empty database, and into the lead's database that holds the articles already
    (the usual case: only the events and labels are new)."""
    from reader.store import Store

    empty = work / "empty.db"
    if not empty.exists():
        with Store(empty):
            pass
    lead = work / "lead-articles.db"
    if not lead.exists():
        build(lead, label=False)
    out = {"events": _count(db)}
    for name, start in (("into_empty", empty), ("into_articles", lead)):
        times, floors, writes, inside = [], [], [], []
        for n in range(reps):
            target = work / f"merged-{name}-{n}.db"
            shutil.copy(start, target)
            times.append(run_process([*READER, "merge", "--db", str(target), str(db)], env=env).seconds)
            floors.append(_floor(MERGE_FLOOR, db, env, work))
            bare = work / f"written-{name}-{n}.db"
            shutil.copy(start, bare)
            (work / "write_floor.py").write_text(WRITE_FLOOR)
            writes.append(run_process([PYTHON, str(work / "write_floor.py"), str(db), str(bare)], env=env).seconds)
            again = work / f"in-process-{name}-{n}.db"
            shutil.copy(start, again)
            started = time.perf_counter()
            with Store(again) as store:
                other = store.open_other(db)
                try:
                    report = store.merge_from(other)
                finally:
                    other.close()
            inside.append(time.perf_counter() - started)
            assert report.events_added == out["events"], report
        with Store(work / f"merged-{name}-0.db", readonly=True) as merged, Store(db, readonly=True) as source:
            assert merged.votes() == source.votes()
        bare_read = _in_process_merge_floor(db, reps)
        out[name] = {"reader_s": median(times), "floor_s": median(floors), "ratio": median(times) / median(floors),
                     "write_floor_s": median(writes), "write_ratio": median(times) / median(writes),
                     "in_process_s": median(inside), "in_process_floor_s": bare_read, "in_process_ratio": median(inside) / bare_read,
                     "samples": {"reader": times, "floor": floors, "write_floor": writes, "in_process": inside}}
    return out


def _count(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM annotation_events").fetchone()[0]
    finally:
        conn.close()


def _in_process_merge_floor(db: Path, reps: int) -> float:
    import sqlite3

    floors = []
    for _ in range(reps):
        started = time.perf_counter()
        conn = sqlite3.connect(db)
        for table in ("articles", "sentences", "entities", "annotation_events", "annotations", "sentence_fields", "assignments"):
            conn.execute(f"SELECT * FROM {table}").fetchall()
        conn.close()
        floors.append(time.perf_counter() - started)
    return median(floors)


def run(reps: int = 5, work: Path | None = None) -> dict:
    work = work or Path(tempfile.mkdtemp(prefix="reader-bench-team-"))
    work.mkdir(parents=True, exist_ok=True)
    env = clean_env(work)
    db = work / "team-200k.db"
    if not db.exists():
        started = time.monotonic()
        events = build(db)
        say(f"  built a database of {events:,} label events by {len(ANNOTATORS)} annotators ({time.monotonic() - started:.0f} s)")
    out = {"agreement": agreement(db, work, env, reps), "merge": merge(db, work, env, reps)}
    rows = {"agreement": out["agreement"], "merge into an empty database": out["merge"]["into_empty"],
            "merge into a database holding the articles": out["merge"]["into_articles"]}
    for name, row in rows.items():
        line = (f"  {name}: reader {row['reader_s']:.2f} s, floor (reading the rows) {row['floor_s']:.2f} s, "
                f"ratio {row['ratio']:.2f}x (goal <= 3x); in process {row['in_process_s']:.2f} s vs {row['in_process_floor_s']:.2f} s, "
                f"{row['in_process_ratio']:.2f}x")
        if "write_floor_s" in row:
            line += f"; bare SQL writing the same rows {row['write_floor_s']:.2f} s, {row['write_ratio']:.2f}x"
        say(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    result = run(args.reps, args.work)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
