"""The library and the commitment register through Textual's Pilot, one database per process:

    python -m benchmarks.scale_pilot DB REPS WORD

Each figure is timed from the moment the app starts (or a key event is handed to the driver)
until App._display (called by the compositor with a rendered update; headless it writes
nothing) is called at a moment the screen shows the result: rows in the table, the cursor on
another row, the filter or sort applied. Keys are 20 ms apart, as a person types. One untimed
warm-up, then REPS repetitions, each with a new app. Prints JSON: seconds per repetition.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual import events
from textual.widgets import DataTable

from benchmarks.common import SIZE
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.commitments import CommitmentsScreen
from reader.tui.screens.library import LibraryScreen

GAP = 0.02
ANNOTATOR = "bench"


class Watch:
    """Signals the first paint at which a condition holds."""

    def __init__(self, app: ReaderApp) -> None:
        self.app = app
        self.wanted: Callable[[], bool] | None = None
        self.painted = asyncio.Event()
        display = app._display

        def watched(on: object, renderable: object) -> None:
            display(on, renderable)
            if renderable is not None and self.wanted is not None and self.wanted():
                self.wanted = None
                self.painted.set()

        app._display = watched  # type: ignore[method-assign]

    def expect(self, condition: Callable[[], bool]) -> None:
        self.painted.clear()
        self.wanted = condition

    async def wait(self) -> None:
        await asyncio.wait_for(self.painted.wait(), 120)

    async def key(self, key: str, condition: Callable[[], bool]) -> float:
        await asyncio.sleep(GAP)
        self.expect(condition)
        start = time.perf_counter()
        self.app._driver.send_message(events.Key(key, key if len(key) == 1 else None))  # type: ignore[union-attr]
        await self.wait()
        return time.perf_counter() - start


def _guarded(condition: Callable[[], bool]) -> Callable[[], bool]:
    def safe() -> bool:
        try:
            return condition()
        except Exception:  # a screen half built
            return False
    return safe


@asynccontextmanager
async def opened(app: ReaderApp, kind: type, out: dict[str, float], name: str) -> AsyncIterator[tuple[Watch, Any]]:
    """Run the app; `out[name]` is the time from its start to the first paint of a `kind` screen
    with rows in its table. Yields the watch and that screen."""
    watch = Watch(app)
    watch.expect(_guarded(lambda: isinstance(app.screen, kind) and app.screen.query_one(DataTable).row_count > 0))
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await watch.wait()
        out[name] = time.perf_counter() - start
        screen = app.screen
        assert isinstance(screen, kind)
        await pilot.pause(0.2)
        yield watch, screen


async def typed(watch: Watch, screen: Any, line: str, word: str, applied: Callable[[str], bool]) -> float:
    """`/` and the word a key at a time, each until the filter it makes is painted: seconds per key."""
    keys = [await watch.key("slash", _guarded(lambda: screen.query_one(line).has_focus))]
    for n in range(1, len(word) + 1):
        keys.append(await watch.key(word[n - 1], _guarded(lambda n=n: applied(word[:n]))))
    return sum(keys) / len(keys)


async def library(db: Path, word: str) -> dict[str, float]:
    out: dict[str, float] = {}
    async with opened(ReaderApp(Store(db), annotator=ANNOTATOR), LibraryScreen, out, "library_open") as (watch, screen):
        first = screen.selected_id()
        out["library_down"] = await watch.key("j", _guarded(lambda: screen.selected_id() not in (None, first)))
        out["library_filter"] = await typed(watch, screen, "#filter", word,
                                            lambda text: screen.filter == text and "shown" in str(screen.header_text()))
        out["library_filter_shown"] = screen.shown
    return out


async def register(db: Path, word: str) -> dict[str, float]:
    out: dict[str, float] = {}
    app = ReaderApp(Store(db), annotator=ANNOTATOR, start="commitments")
    async with opened(app, CommitmentsScreen, out, "register_open") as (watch, screen):
        first = screen.selected()
        out["register_down"] = await watch.key("j", _guarded(lambda: screen.selected() not in (None, first)))
        sort = screen.register.sort
        out["register_sort"] = await watch.key("s", _guarded(lambda: screen.register.sort != sort))
        out["register_filter"] = await typed(watch, screen, "#commitments-filter", word,
                                             lambda text: screen.register.filter == text)
        out["register_filter_shown"] = len(screen.shown)
    return out


async def main(db: Path, reps: int, word: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for rep in range(reps + 1):  # the first warms the page cache and byte code, and is dropped
        figures = {**await library(db, word), **await register(db, word)}
        if rep:
            for key, value in figures.items():
                out.setdefault(key, []).append(value)
        print(json.dumps(figures), file=sys.stderr)
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))))
