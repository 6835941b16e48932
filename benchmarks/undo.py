"""Undo and redo against the length of the event log: 200,000 events against 1,000.

A copy of the template database gets N label events by `bench` on the 1,000-sentence article
(through the one write path, `write_many`), one in a hundred a commitment status so the
commitment tracker has something to undo. Then, in a fresh process per size:

- Pilot, article screen: `u` then `U` (redo) in turn, each timed from the key to the key
  handled (the screen repainted); the first `u`, which builds the kept stacks once, apart.
- commitments screen's step: `tracker.undo`/`tracker.redo` (every article's stack of the
  commitment fields), what its `u` calls: both databases open in one process, after the Pilot
  runs built their article stacks, and the steps alternate between them (1,000, 200,000,
  1,000, ...), so that load which comes and goes weighs on both; timed one by one, the two
  sizes' medians moved between 1.0x and 1.8x of each other from run to run.
- for reference, what a keypress cost before: a full replay of the log (`history`);
- real terminal (tmux): both sizes open side by side in `reader`, then in turn 20 `u` and 20 `U`
  typed in one burst each, timed until the status bar shows the sentence the last of them went
  to (`sentence K/N` in the program's output); per key, the first round dropped.

    python -m benchmarks.undo DB ARTICLE_ID PRESSES              (prints JSON; run() drives it)
    python -m benchmarks.undo --tracker SMALL_DB LARGE_DB PRESSES
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import PYTHON, READER, ROOT, SIZE, Stream, Tmux, clean_env, median, say
from benchmarks.fixtures import Articles

ARTICLE = 1000
SMALL, LARGE = 1_000, 200_000
PRESSES = 40
BURST = 20  # keys per tmux burst


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
    store.close()
    return {"article_key_ms": [1000 * x for x in keys], "article_first_ms": 1000 * first,
            "replay_article_ms": 1000 * replay_article, "replay_every_ms": 1000 * replay_every}


def tracker_steps(small: Path, large: Path, presses: int) -> dict:
    """The commitments screen's undo/redo step in both databases, alternating."""
    from reader import tracker
    from reader.store import Store

    stores = {"small": Store(small), "large": Store(large)}
    first, steps = {}, {name: [] for name in stores}
    for name, store in stores.items():
        t = time.perf_counter()
        tracker.undo(store, "bench")  # the first builds the view's kept stacks
        first[name] = time.perf_counter() - t
    for i in range(presses):
        for name, store in stores.items():
            t = time.perf_counter()
            (tracker.redo if i % 2 == 0 else tracker.undo)(store, "bench")
            steps[name].append(time.perf_counter() - t)
    for store in stores.values():
        store.close()
    return {name: {"tracker_step_ms": [1000 * x for x in steps[name]], "tracker_first_ms": 1000 * first[name]} for name in stores}


def _last_changes(events: int, sentences: int) -> list[int]:
    """The sentences of the latest BURST label changes `fill` wrote, latest first."""
    return [n % sentences for n in range(events - 1, -1, -1) if n % 100 != 99][:BURST]


def terminal(articles: Articles, tmux: Tmux, reps: int, dbs: dict[int, Path]) -> dict:
    work = articles.work / "undo"
    config = work / "empty.toml"
    config.write_text("")
    total = articles.sentences[ARTICLE]
    open_: dict[int, tuple[str, Stream, int]] = {}
    times: dict[int, list[float]] = {events: [] for events in dbs}
    try:
        for events, db in dbs.items():
            name = f"undo-tmux-{events}"
            stream = Stream(work / f"{name}.out")
            argv = [*READER, str(articles.files[ARTICLE]), "--db", str(db), "--config", str(config), "--annotator", "bench"]
            open_[events] = (name, stream, tmux.start(name, argv, clean_env(work), work / f"{name}.stamp", output=stream.path))
            tmux.wait_screen(name, rf"sentence \d+/{total}\b")
            # redo whatever the Pilot run left undone (its first `u` builds the view, 3-4 s at
            # 200,000 events), so the bursts start from the top of the log
            tmux.send(name, "UUU")
            tmux.wait_screen(name, "nothing to redo")
        for rep in range(2 * reps + 1):
            for events, (name, stream, _pid) in open_.items():
                changed = _last_changes(events, total)
                per_key = []
                for key, lands in (("u", changed[-1]), ("U", changed[0])):
                    stream.skip()
                    start = time.time()
                    tmux.send(name, key * BURST)
                    end = stream.wait_for(rf"sentence {lands + 1}/{total}(?!\d)".encode())
                    per_key.append(1000 * (end - start) / BURST)
                if rep:  # the first round builds the kept stacks (the first undo) and warms up
                    times[events].append(sum(per_key) / 2)
        say("  tmux undo/redo bursts: " + ", ".join(f"{events:,} events {median(t):.2f} ms/key" for events, t in times.items()))
    finally:
        for name, _stream, pid in open_.values():
            tmux.kill(name, pid)
    return {str(events): {"tmux_ms": median(t), "samples": t} for events, t in times.items()}


def run(articles: Articles, reps: int, tmux: Tmux | None = None) -> dict:
    work = articles.work / "undo"
    work.mkdir(exist_ok=True)
    out: dict = {}
    dbs = {}
    for events in (SMALL, LARGE):
        db = dbs[events] = articles.copy_db(work / f"undo-{events}.db")
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
            "replay_article_ms": median([r["replay_article_ms"] for r in runs]),
            "replay_every_ms": median([r["replay_every_ms"] for r in runs]),
        }
    runs = []
    for _ in range(max(1, reps // 2)):
        result = subprocess.run(
            [PYTHON, "-m", "benchmarks.undo", "--tracker", str(dbs[SMALL]), str(dbs[LARGE]), str(5 * PRESSES)],
            capture_output=True, text=True, cwd=ROOT, env=clean_env(work), check=True,
        )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    for events, name in ((SMALL, "small"), (LARGE, "large")):
        out[str(events)]["tracker_ms"] = median([x for r in runs for x in r[name]["tracker_step_ms"]])
        out[str(events)]["tracker_first_ms"] = runs[0][name]["tracker_first_ms"]
    if tmux is not None:
        for events, measured in terminal(articles, tmux, reps, dbs).items():
            out[events].update(measured)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "--tracker":
        print(json.dumps(tracker_steps(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
    else:
        db, article_id, presses = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        print(json.dumps(asyncio.run(measure(db, article_id, presses))))
