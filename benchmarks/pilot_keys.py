"""Keypresses through Textual's Pilot (headless), one process per article:

    python -m benchmarks.pilot_keys DB ARTICLE_ID PRESSES REPS

Each keypress is timed from the moment the key event is handed to the driver until the app
has handled it AND the screen has been repainted with the result: App._display (called by the
compositor with the rendered update; headless it writes nothing) is wrapped to signal a paint
in which the cursor (and, for a label, the label) has changed. Keys are 20 ms apart, so each
gets its own frame (Textual paints at most 60 times a second). Prints JSON: per repetition,
the mean milliseconds per key of PRESSES cursor moves (`j`) and of PRESSES labels (`1`/`2`/`3`
with auto-advance, so every press is a real change and moves on).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from textual import events

from benchmarks.common import SIZE
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen

GAP = 0.02


async def measure(db: Path, article_id: str, presses: int, reps: int) -> dict:
    app = ReaderApp(Store(db), annotator="bench", article_id=article_id)
    out: dict = {"move_ms": [], "label_ms": [], "paints": 0}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.parsed, "the article did not open parsed"
        view = screen.view
        out["sentences"] = len(view.sentences)
        painted = asyncio.Event()
        wanted: list[Callable[[], bool]] = []
        display = app._display

        def watched(on: object, renderable: object) -> None:
            display(on, renderable)
            if renderable is not None and wanted and wanted[0]():
                out["paints"] += 1
                painted.set()

        app._display = watched  # the compositor calls app._display(screen, update) after rendering

        async def press(key: str, done: Callable[[], bool]) -> float:
            # Keys 20 ms apart, as a person types: Textual paints at most 60 times a second, so
            # back-to-back keys would each wait for the next frame and measure the frame rate.
            await asyncio.sleep(GAP)
            painted.clear()
            wanted[:] = [done]
            start = time.perf_counter()
            app._driver.send_message(events.Key(key, key))
            await asyncio.wait_for(painted.wait(), 10)
            elapsed = time.perf_counter() - start
            wanted.clear()
            return elapsed

        async def top() -> None:
            await pilot.press("g")
            await pilot.pause()
            assert view.cursor == 0

        for rep in range(reps + 1):  # the first repetition warms caches and is dropped
            await top()
            moves = []
            for i in range(presses):
                moves.append(await press("j", lambda i=i: view.cursor == i + 1))
            await top()
            key = str(1 + rep % 3)
            name = app.label_set.names[rep % 3]
            labels = []
            for i in range(presses):
                labels.append(await press(key, lambda i=i, name=name: app.screen.session.labels.get(i) == name and view.cursor == i + 1))
            if rep:
                out["move_ms"].append(1000 * sum(moves) / len(moves))
                out["label_ms"].append(1000 * sum(labels) / len(labels))
        status = screen.status_text().plain
        assert status.startswith(f"sentence {presses + 1}/{len(view.sentences)}"), status
    return out


if __name__ == "__main__":
    db, article_id, presses, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(measure(Path(db), article_id, presses, reps))))
