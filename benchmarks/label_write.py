"""Goal 5, label write: keypress to committed row, median and p99.

Pilot (headless) presses `1`, `2`, `3` in turn on the 1,000-sentence article (auto-advance,
so each press labels a new sentence), 20 ms apart as a person types. Each press is timed
from the key event handed to the driver until a second sqlite3 connection, the way another
program would look, sees the sentence's row in `annotations` with the new label. Also timed:
Store.set_label itself inside the keypress handler (its transaction and commit).

    python -m benchmarks.label_write DB ARTICLE_ID PRESSES   (prints JSON; run() drives it)
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import PYTHON, ROOT, SIZE, clean_env, median, p99, say
from benchmarks.fixtures import Articles

ARTICLE = 1000
PRESSES = 500
GAP = 0.02


async def measure(db: Path, article_id: str, presses: int) -> dict:
    from textual import events

    from reader.store import Store
    from reader.tui.app import ReaderApp

    store = Store(db)
    app = ReaderApp(store, annotator="bench", article_id=article_id)
    other = sqlite3.connect(db)  # a second connection, as another program would read
    press_to_row: list[float] = []
    inside: list[float] = []
    set_label = store.set_label

    def timed_set_label(*args, **kwargs):
        start = time.perf_counter()
        try:
            return set_label(*args, **kwargs)
        finally:
            inside.append(time.perf_counter() - start)

    store.set_label = timed_set_label
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.view
        names = app.label_set.names
        for i in range(presses):
            await asyncio.sleep(GAP)
            index, key, label = view.cursor, str(1 + i % 3), names[i % 3]
            start = time.perf_counter()
            app._driver.send_message(events.Key(key, key))
            while True:
                row = other.execute(
                    "SELECT label FROM annotations WHERE article_id = ? AND sentence_index = ? AND annotator = 'bench'",
                    (article_id, index),
                ).fetchone()
                if row and row[0] == label:
                    break
                if time.perf_counter() - start > 10:
                    raise RuntimeError(f"press {i}: the label never reached the database")
                await asyncio.sleep(0)
            press_to_row.append(time.perf_counter() - start)
    other.close()
    return {"press_to_row_ms": [1000 * t for t in press_to_row], "set_label_ms": [1000 * t for t in inside]}


def run(articles: Articles) -> dict:
    work = articles.work / "label-write"
    work.mkdir(exist_ok=True)
    db = articles.copy_db(work / "labels.db")
    result = subprocess.run(
        [PYTHON, "-m", "benchmarks.label_write", str(db), articles.ids[ARTICLE], str(PRESSES)],
        capture_output=True, text=True, env=clean_env(work), cwd=str(ROOT),
    )
    if result.returncode != 0:
        raise RuntimeError(f"label_write failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout)
    rows, inside = data["press_to_row_ms"][10:], data["set_label_ms"][10:]  # the first ten warm up
    out = {
        "presses": len(rows),
        "median_ms": median(rows),
        "p99_ms": p99(rows),
        "set_label_median_ms": median(inside),
        "set_label_p99_ms": p99(inside),
    }
    say(f"  label write: press to committed row median {out['median_ms']:.2f} ms, p99 {out['p99_ms']:.2f} ms "
        f"(Store.set_label {out['set_label_median_ms']:.2f} / {out['set_label_p99_ms']:.2f} ms)")
    return out


if __name__ == "__main__":
    db, article_id, presses = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(measure(Path(db), article_id, presses))))
