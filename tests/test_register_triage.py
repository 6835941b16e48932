"""The register as an analyst triages it: marking the overdue commitments one after another.

Found by playing a policy analyst over SSH (80x24): in the overdue view, a status that takes
the commitment out of the view sent the cursor back to the first row, so the next "3" marked
a commitment the analyst had not read as broken."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from reader import tracker
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.commitments import CommitmentsScreen

SIZE = (80, 24)


@asynccontextmanager
async def _register(db: Path) -> AsyncIterator[tuple[ReaderApp, Any, CommitmentsScreen]]:
    """The analyst's register at 80x24: (app, pilot, screen)."""
    app = ReaderApp(Store(db), annotator="analyst", start="commitments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        yield app, pilot, screen


async def test_a_status_that_takes_a_row_out_of_the_overdue_view_leaves_the_cursor_on_the_next(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # every dated commitment of the samples is overdue on this day
    monkeypatch.setattr(tracker, "today", lambda: dt.date(2040, 1, 1))
    async with _register(db) as (app, pilot, screen):
        await pilot.press("o")
        await pilot.pause()
        before = [(c.article_id, c.sentence_index) for c in screen.shown]
        assert len(before) >= 4
        await pilot.press("j", "j")
        await pilot.pause()
        assert screen.selected() is not None
        assert (screen.selected().article_id, screen.selected().sentence_index) == before[2]
        await pilot.press("3")  # broken: no longer overdue, so no longer shown
        await pilot.pause()
        assert [(c.article_id, c.sentence_index) for c in screen.shown] == before[:2] + before[3:]
        marked = screen.selected()
        assert marked is not None and (marked.article_id, marked.sentence_index) == before[3]
        await pilot.press("2")  # kept: the one after it, not the first row
        await pilot.pause()
        assert [(c.article_id, c.sentence_index) for c in screen.shown] == before[:2] + before[4:]
    with Store(db) as store:
        statuses = {(c.article_id, c.sentence_index): c.status for c in store.register()}
    assert statuses[before[2]] == "broken" and statuses[before[3]] == "kept"
    assert statuses[before[0]] == "open"


async def test_the_last_row_of_the_view_marked_leaves_the_cursor_on_the_new_last(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker, "today", lambda: dt.date(2040, 1, 1))
    async with _register(db) as (app, pilot, screen):
        await pilot.press("o", "G")
        await pilot.pause()
        before = list(screen.shown)
        await pilot.press("2")
        await pilot.pause()
        assert screen.selected() is not None
        assert (screen.selected().article_id, screen.selected().sentence_index) == (before[-2].article_id, before[-2].sentence_index)


async def test_the_selected_commitments_deadline_and_note_are_in_view_at_80x24(db: Path) -> None:
    """The when column (15 cells at 120 columns, 26 at 200) cut "→ 2026-…" off nearly every
    row, so the date a deadline resolves to, which the overdue view is about, was nowhere on
    screen; and a note after a two-line sentence fell below the header's four lines."""
    async with _register(db) as (app, pilot, screen):
        while (c := screen.selected()) is not None and not (c.when_iso and len(c.text) > 160):
            await pilot.press("j")
        assert c is not None
        await pilot.press("m", *"ask the ministry", "enter")
        await pilot.pause()
        header = screen.query_one("#commitments-header")
        shown = "\n".join(line.text for line in header.render_lines(header.region.reset_offset))
        assert c.when_iso in shown
        assert "note: ask the ministry" in shown


async def test_the_register_says_why_it_is_empty_under_a_label_set_of_ones_own(tmp_path: Path) -> None:
    """With labels = [promise, threat, other] the register said "0 commitments" and nothing
    else: it lists sentences labelled commitment, and it now says that this label set has none."""
    from reader.model import LabelSet

    db = tmp_path / "r.db"
    Store(db).close()
    app = ReaderApp(Store(db), annotator="engineer", labels=LabelSet(("promise", "threat", "other")), start="commitments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        header = app.screen.query_one("#commitments-header")
        shown = " ".join(line.text for line in header.render_lines(header.region.reset_offset))
        assert "0 commitments" in shown
        assert "labelled commitment" in " ".join(shown.split()) and "promise, threat, other" in " ".join(shown.split()), shown
