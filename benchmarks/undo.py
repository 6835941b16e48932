"""Undo and redo against the length of the event log: 200,000 events against 1,000.

A copy of the template database gets N label events by `bench` on the 1,000-sentence article
(through the one write path, `write_many`), one in a hundred a commitment status so the
commitment tracker has something to undo. Then, in a fresh process per size:

- Pilot, article screen: `u` then `U` (redo) in turn, each timed from the key to the key
  handled (the screen repainted); the first `u`, which builds the kept stacks once, apart.
- commitments screen's step: `tracker.undo`/`tracker.redo` (every article's stack of the
  commitment fields), what its `u` calls, timed the same way in the same process.
- for reference, what a keypress cost before: a full replay of the log (`history`).

    python -m benchmarks.undo DB ARTICLE_ID EVENTS PRESSES   (prints JSON; run() drives it)
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import PYTHON, ROOT, SIZE, clean_env, median, say
from benchmarks.fixtures import Articles

ARTICLE = 1000
SMALL, LARGE = 1_000, 200_000
PRESSES = 40


def fill(db: Path, article_id: str, events: int) -> None:
    from reader.store import Store
    from reader.store.labels import Entry, write_many

    labels = ("commitment", "claim", "background")
    with Store(db) as store, store._write() as conn:
        count = conn.execute("SELECT count(*) FROM sentences WHERE article_id = ?", (article_id,)).fetchone()[0]
        entries = []
        for n in range(events):
            index = n % count
            if n % 100 == 99:
                entries.append(Entry(article_id, index, "bench", "set", "done", None, field="commitment.status"))
            else:
                # each pass over the article moves every label on by one, so each event is a change
                label, previous = labels[(n // count + index) % 3], labels[(n // count + index - 1) % 3] if n >= count else None
                entries.append(Entry(article_id, index, "bench", "set", label, previous))
        write_many(conn, entries)


async def measure(db: Path, article_id: str, presses: int) -> dict:
    from reader import tracker
    from reader.store import Store
    from reader.store.labels import history
    from reader.tui.app import ReaderApp

    store = Store(db)
    with store._write() as conn:
        t = time.perf_counter()
        history(conn, article_id, "bench")
        replay_article = time.perf_counter() - t
        t = time.perf_counter()
        history(conn, None, "bench", tracker.FIELDS)
        replay_every = time.perf_counter() - t
    app = ReaderApp(store, annotator="bench", article_id=article_id)
    keys: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("u")
        first = time.perf_counter() - t
        for i in range(presses):
            t = time.perf_counter()
            await pilot.press("U" if i % 2 == 0 else "u")
            keys.append(time.perf_counter() - t)
    t = time.perf_counter()
    tracker.undo(store, "bench")
    first_tracker = time.perf_counter() - t
    steps: list[float] = []
    for i in range(presses):
        t = time.perf_counter()
        (tracker.redo if i % 2 == 0 else tracker.undo)(store, "bench")
        steps.append(time.perf_counter() - t)
    store.close()
    return {"article_key_ms": [1000 * x for x in keys], "article_first_ms": 1000 * first,
            "tracker_step_ms": [1000 * x for x in steps], "tracker_first_ms": 1000 * first_tracker,
            "replay_article_ms": 1000 * replay_article, "replay_every_ms": 1000 * replay_every}


def run(articles: Articles, reps: int) -> dict:
    work = articles.work / "undo"
    work.mkdir(exist_ok=True)
    out: dict = {}
    for events in (SMALL, LARGE):
        db = articles.copy_db(work / f"undo-{events}.db")
        say(f"  {events:,} events")
        fill(db, articles.ids[ARTICLE], events)
        runs = []
        for _ in range(max(1, reps // 2)):  # each run is 40 keypresses: the median of all is kept
            result = subprocess.run(
                [PYTHON, "-m", "benchmarks.undo", str(db), articles.ids[ARTICLE], str(PRESSES)],
                capture_output=True, text=True, cwd=ROOT, env=clean_env(work), check=True,
            )
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        out[str(events)] = {
            "article_ms": median([x for r in runs for x in r["article_key_ms"]]),
            "article_first_ms": runs[0]["article_first_ms"],  # the first run builds the kept stacks
            "tracker_ms": median([x for r in runs for x in r["tracker_step_ms"]]),
            "tracker_first_ms": runs[0]["tracker_first_ms"],
            "replay_article_ms": median([r["replay_article_ms"] for r in runs]),
            "replay_every_ms": median([r["replay_every_ms"] for r in runs]),
        }
    return out


if __name__ == "__main__":
    db, article_id, presses = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(measure(db, article_id, presses))))
