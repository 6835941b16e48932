"""Goal 4, export: 200,000 labelled sentences to JSONL (`reader export -o FILE`, unit
sentence) against one bare sqlite3 cursor + json.dumps (benchmarks/export_floor.py), both
whole processes; goal <= 2x, and peak RSS flat: 200k within 1.2x of 20k.

The databases are built through the public Store API: Store.add_article(article, parsed) with
generated articles of 50 sentences whose sentences and entities the generator placed itself
(no spaCy needed), then one Store.set_label per database and, for every other sentence, a bulk
insert of exactly the rows set_label writes (annotation_events: a 'set' event with no previous
label; annotations: the current label), checked against the row set_label wrote.

Also one long article: the 5,000-sentence generated article as spaCy parsed it, every sentence
labelled, exported against the same floor (same goal: the 200k figure depends on how long the
articles are, since reader matches entities to sentences article by article).
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

from benchmarks.common import BENCH, PYTHON, READER, clean_env, median, run_process, say
from benchmarks.corpus import generate
from benchmarks.fixtures import Articles

PER_ARTICLE = 50
ANNOTATOR = "bench"
SMALL, LARGE = 20_000, 200_000


def build(path: Path, sentences: int) -> dict:
    from reader.model import Article, Entity, Parsed, Sentence
    from reader.store import Store

    with Store(path) as store:
        for k in range(sentences // PER_ARTICLE):
            g = generate(PER_ARTICLE, seed=k)
            article = Article(text=g.text, title=g.title, source=f"generated/{k:05d}.txt", url=f"https://example.org/bench/{k}")
            parsed = Parsed(
                sentences=tuple(Sentence(i, a, b) for i, (a, b) in enumerate(g.sentences)),
                entities=tuple(Entity(a, b, label, g.text[a:b]) for a, b, label in g.entities),
                model="generated",
                model_version="0",
            )
            store.add_article(article, parsed)
        labelled = label_all(store)
    assert labelled == sentences, (labelled, sentences)
    return {"articles": sentences // PER_ARTICLE, "labelled": labelled, "bytes": path.stat().st_size}


def label_all(store, article_ids: list[str] | None = None) -> int:
    """Label every sentence of the articles (default: all): the first with Store.set_label, the
    rest with the very rows set_label writes, in one transaction. Returns the labelled count."""
    from reader.store import now

    labels = ("commitment", "claim", "background")
    rng = random.Random(7)
    conn = store.db.conn
    ids = article_ids or [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY imported_at, id")]
    rows = [(a, i) for a in ids for (i,) in conn.execute("SELECT idx FROM sentences WHERE article_id = ? ORDER BY idx", (a,))]
    (first_article, first_index), rest = rows[0], rows[1:]
    store.set_label(first_article, first_index, labels[0], ANNOTATOR)
    stamp = now()
    events, current = [], []
    for article_id, index in rest:
        label = labels[rng.randrange(3)]
        events.append((article_id, index, ANNOTATOR, "set", label, None, None, stamp))
        current.append((article_id, index, ANNOTATOR, label, stamp, stamp))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        """INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, previous, target, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        events,
    )
    conn.executemany(
        "INSERT INTO annotations (article_id, sentence_index, annotator, label, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
        current,
    )
    conn.execute("COMMIT")
    # The bulk rows must look exactly like the one set_label wrote (bar times and ids).
    shape = "SELECT action, previous, target, annotator FROM annotation_events WHERE article_id = ? AND sentence_index = ?"
    assert conn.execute(shape, rows[0]).fetchall() == conn.execute(shape, rows[-1]).fetchall()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return conn.execute("SELECT count(*) FROM annotations").fetchone()[0]


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def _compare(reader_out: Path, floor_out: Path, sample: int = 2000) -> str | None:
    """None when the first `sample` records are equal; else what differs."""
    with open(reader_out, encoding="utf-8") as a, open(floor_out, encoding="utf-8") as b:
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            if n >= sample:
                return None
            left, right = json.loads(x), json.loads(y)
            if left != right:
                keys = sorted(set(left) ^ set(right)) or sorted(k for k in left if left[k] != right.get(k))
                return f"record {n}: reader and floor differ in {keys}"
    return None


def libraries(work: Path) -> dict[int, Path]:
    """The 20,000- and 200,000-sentence databases (built once; start-up opens the large one too)."""
    paths = {}
    for size in (SMALL, LARGE):
        paths[size] = work / f"library-{size}.db"
        started = time.monotonic()
        facts = build(paths[size], size)
        say(f"  built a database of {facts['articles']:,} articles, {size:,} labelled sentences ({time.monotonic() - started:.0f} s)")
    return paths


def long_article(articles: Articles, work: Path, env: dict[str, str], reps: int) -> dict:
    """One long article, every sentence labelled: the 5,000-sentence article as spaCy parsed it."""
    from reader.store import Store

    db = articles.copy_db(work / "long-article.db")
    with Store(db) as store:
        labelled = label_all(store, [articles.ids[5000]])
    times, floors = [], []
    for _ in range(reps):
        times.append(run_process([*READER, "export", "--db", str(db), "-o", str(work / "long-reader.jsonl"), "--force"], env=env).seconds)
        floors.append(run_process([PYTHON, str(BENCH / "export_floor.py"), str(db), str(work / "long-floor.jsonl")], env=env).seconds)
    assert _lines(work / "long-reader.jsonl") == labelled == _lines(work / "long-floor.jsonl")
    say(f"  export of one {labelled:,}-sentence article: reader {median(times):.2f} s, floor {median(floors):.2f} s")
    return {"sentences": labelled, "entities": articles.entities[5000], "reader_s": median(times), "floor_s": median(floors),
            "ratio": median(times) / median(floors), "samples": {"reader": times, "floor": floors},
            "records_differ": _compare(work / "long-reader.jsonl", work / "long-floor.jsonl", sample=labelled)}


def run(articles: Articles, reps: int, dbs: dict[int, Path]) -> dict:
    help_text = subprocess.run([*READER, "export", "--help"], capture_output=True, text=True).stdout
    if "sentence" not in help_text:
        return {"skipped": "`reader export` has no sentence unit yet"}
    work = articles.work / "export"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    out: dict = {}

    def reader(size: int) -> tuple[float, float]:
        target = work / f"reader-{size}.jsonl"
        run = run_process([*READER, "export", "--db", str(dbs[size]), "-o", str(target), "--force"], env=env)
        assert _lines(target) == size, f"reader exported {_lines(target)} lines, expected {size}"
        return run.seconds, run.peak_rss_mb

    def floor(size: int) -> tuple[float, float]:
        target = work / f"floor-{size}.jsonl"
        run = run_process([PYTHON, str(BENCH / "export_floor.py"), str(dbs[size]), str(target)], env=env)
        assert _lines(target) == size, f"floor wrote {_lines(target)} lines, expected {size}"
        return run.seconds, run.peak_rss_mb

    out["long_article"] = long_article(articles, work, env, reps)
    reader(SMALL)  # untimed warm-up
    floor(SMALL)
    samples: dict[str, list[float]] = {k: [] for k in ("reader_s", "reader_rss", "floor_s", "floor_rss", "small_s", "small_rss")}
    for i in range(reps):
        seconds, rss = reader(LARGE)
        samples["reader_s"].append(seconds)
        samples["reader_rss"].append(rss)
        seconds, rss = floor(LARGE)
        samples["floor_s"].append(seconds)
        samples["floor_rss"].append(rss)
        seconds, rss = reader(SMALL)
        samples["small_s"].append(seconds)
        samples["small_rss"].append(rss)
        say(f"  export {i + 1}/{reps}: reader {samples['reader_s'][-1]:.2f} s ({samples['reader_rss'][-1]:.0f} MB), "
            f"floor {samples['floor_s'][-1]:.2f} s ({samples['floor_rss'][-1]:.0f} MB), "
            f"reader at 20k {samples['small_s'][-1]:.2f} s ({samples['small_rss'][-1]:.0f} MB)")
    out.update(
        reader_s=median(samples["reader_s"]),
        floor_s=median(samples["floor_s"]),
        ratio=median(samples["reader_s"]) / median(samples["floor_s"]),
        reader_rss_mb=median(samples["reader_rss"]),
        floor_rss_mb=median(samples["floor_rss"]),
        reader_small_s=median(samples["small_s"]),
        reader_small_rss_mb=median(samples["small_rss"]),
        rss_ratio=median(samples["reader_rss"]) / median(samples["small_rss"]),
        records_differ=_compare(work / f"reader-{LARGE}.jsonl", work / f"floor-{LARGE}.jsonl"),
        samples=samples,
    )
    return out
