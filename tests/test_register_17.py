"""Regressions of issue 17 for the commitment register and export's annotator filter (items 13,
20 and 22), each built from the input that found it: the screens through Pilot, the commands
through the real CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reader import tracker
from reader.commitments.model import Commitment
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.commitments import CommitmentsScreen
from reader.tui.screens.library import LibraryScreen
from tests.conftest import run_reader
from tests.uihelp import screen_text

SIZE = (150, 36)


def by_start(items, start: str):
    (found,) = [c for c in items if c.text.startswith(start)]
    return found


def set_extracted(db: Path, start: str, **parts: str | None) -> None:
    """Store what the extractor found in one sample sentence (as a parse would)."""
    with Store(db) as store:
        c = by_start(store.register(), start)
        fields = {k: c.extracted.get(k) for k in ("actor", "actor_resolved", "action", "when", "when_iso")}
        fields.update(parts)
        store.save_commitments(c.article_id, {c.sentence_index: Commitment(**fields)}, None)


# --- 13. "sort by when" by the deadline; overdue and due soon -----------------------------------


async def test_13_sort_by_when_puts_by_september_after_february(db: Path) -> None:
    """"by September 2026" (2026-01-21/2026-09-30, from the article's date) sorted before "in
    February" (2026-02-01/2026-02-28): the start of the interval was the key."""
    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        await pilot.press("s", "s")  # article -> actor -> when
        await pilot.pause()
        assert screen.register.sort == "when"
        dated = [c.when_iso for c in screen.shown if c.when_iso]
        ends = [w.rsplit("/", 1)[-1] for w in dated]
        assert ends == sorted(ends), dated
        assert dated[-1] == "2026-01-21/2026-09-30"
        assert all(not c.when_iso for c in screen.shown[len(dated):])  # no time: last


async def test_13_overdue_and_due_soon_views_with_counts_in_the_header(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the day the register counts from, fixed: 15 February 2026
    monkeypatch.setattr(tracker, "today", lambda: dt.date(2026, 2, 15))
    with Store(db) as store:
        # "by the end of January": overdue on 15 February, unless it was kept
        board = by_start(store.register(), "The Northern Valleys Health Board")
        assert board.when_iso == "2025-11-03/2026-01-31"
        # "next month" (to 2026-02-28) is due in the next 30 days; marked kept, it is not
        keln = next(c for c in store.register() if c.value("when") == "next month")
        tracker.set_status(store, keln, "kept", "asha")
    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        assert "1 overdue · 1 due in 30 days" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert [c.when_iso for c in screen.shown] == ["2025-11-03/2026-01-31"]
        assert "1 shown: overdue" in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert [(c.value("when"), c.status) for c in screen.shown] == [("in February", "open")]
        await pilot.press("d")  # again: everything
        await pilot.pause()
        assert len(screen.shown) == len(screen.register.items) > 2


def test_13_export_filters_overdue_and_due(db: Path) -> None:
    today = dt.date.today()
    soon = f"{today.isoformat()}/{(today + dt.timedelta(days=10)).isoformat()}"
    set_extracted(db, "The two delegations also pledged", when="within ten days", when_iso=soon)
    later = (today + dt.timedelta(days=400)).isoformat()
    set_extracted(db, "Both governments committed", when="next year", when_iso=f"{today.isoformat()}/{later}")

    def export(*args: str) -> list[dict]:
        proc = run_reader("export", "--db", str(db), "--format", "commitments", *args)
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line) for line in proc.stdout.splitlines()]

    every = export()
    overdue = export("--overdue")
    past = [r for r in every if r["when_iso"] and r["when_iso"].rsplit("/", 1)[-1] < today.isoformat()]
    assert overdue and [r["text"] for r in overdue] == [r["text"] for r in past]
    assert [r["when"] for r in export("--due", "30")] == ["within ten days"]
    assert sorted(r["when"] for r in export("--due", "30", "--overdue")) == sorted(["within ten days", *(r["when"] for r in past)])
    wrong = run_reader("export", "--db", str(db), "--overdue")
    assert wrong.returncode == 2 and wrong.stderr.strip() == "reader: --overdue goes with --format commitments"


# --- 20. export's annotator filter is --by; --annotator is who you are ---------------------------


def test_20_export_filters_by_annotator_with_by_and_annotator_is_deprecated_there(db: Path, india: str) -> None:
    with Store(db) as store:
        store.set_label(india, 1, "claim", "alice")
        store.set_label(india, 2, "background", "bob")

    def run(*args: str):
        proc = run_reader(*args)
        assert proc.returncode == 0, proc.stderr
        return proc, [(r["annotator"], r["sentence_index"]) for r in map(json.loads, proc.stdout.splitlines())]

    proc, records = run("export", "--db", str(db), "--by", "alice")
    assert records == [("alice", 1)] and proc.stderr == ""
    _, records = run("export", "--db", str(db), "--by", "alice", "--by", "bob")
    assert sorted(records) == [("alice", 1), ("bob", 2)]
    for args in (("export", "--db", str(db), "--annotator", "alice"), ("--annotator", "alice", "export", "--db", str(db))):
        proc, records = run(*args)
        assert records == [("alice", 1)]
        assert proc.stderr.splitlines() == ["reader: note: on export, --annotator as a filter is deprecated: use --by NAME"]
    # --annotator from the environment is who you are, never a filter
    proc = run_reader("export", "--db", str(db), env={"READER_ANNOTATOR": "alice"})
    assert sorted(r["annotator"] for r in map(json.loads, proc.stdout.splitlines())) == ["alice", "bob"]
    assert "--by NAME" in run_reader("export", "--help").stdout
    # the register is everyone's: naming yourself there filters nothing and needs no note
    register = run_reader("--annotator", "alice", "export", "--db", str(db), "--format", "commitments")
    assert register.returncode == 0 and "deprecated" not in register.stderr and register.stdout


# --- 22. skips in the library header; grouping by actor; q in `reader commitments` ------------


async def test_22_a_skip_is_not_an_other_label_in_the_library_header(db: Path, india: str) -> None:
    with Store(db) as store:
        store.set_label(india, 0, "(skipped)", "asha")
        store.set_label(india, 1, "commitment", "asha")
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        header = screen_text(app)
        assert "other labels" not in header
        assert "1/" in header and "sentences labelled by asha (1 skipped)" in header


async def test_22_grouping_by_actor_merges_a_surname_its_resolved_name_and_the_correction(db: Path) -> None:
    # "Marsh"; "Marsh" resolved to "Helena Marsh" (shown "Marsh (Helena Marsh)"); and a
    # correction to "Helena Marsh": one actor
    set_extracted(db, "Both governments committed", actor="Marsh", actor_resolved=None)
    set_extracted(db, "The two delegations also pledged", actor="Marsh", actor_resolved="Helena Marsh")
    with Store(db) as store:
        tracker.correct(store, by_start(store.register(), "Under the new workplan, each country agreed"), "actor", "Helena Marsh", "asha")
    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        await pilot.press("a")
        await pilot.pause()
        groups = screen.register.groups()
        assert groups["helena marsh"] == 3 and "marsh" not in groups
        assert "3 · Marsh" in screen_text(app) or "3 · Marsh (Helena Marsh)" in screen_text(app)
        await pilot.resize_terminal(80, 24)  # the count stays when a long name is cut at the column's edge
        await pilot.pause()
        assert "3 · Marsh" in screen_text(app)
        together = [c.text[:20] for c in screen.shown if screen.register.group_of(c) == "helena marsh"]
        assert len(together) == 3
        # a name of several parties takes in none of them
        assert screen.register.group_of(next(c for c in screen.shown if c.value("actor") == "Ostmark")) == "ostmark"


async def test_22_q_in_reader_commitments_quits(db: Path) -> None:
    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CommitmentsScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not any(isinstance(s, LibraryScreen) for s in app.screen_stack)
        assert app.return_code == 0


async def test_22_q_in_the_register_opened_from_the_library_goes_back(db: Path) -> None:
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CommitmentsScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen) and app.return_code is None


async def test_22_a_label_key_pressed_while_the_article_is_parsing_says_so(tmp_path: Path) -> None:
    """The article stays unparsed (its model does not exist, so the background parse fails):
    a label key was dropped without a word."""
    from reader.pipeline import import_targets
    from reader.tui.screens.article import ArticleScreen

    source = tmp_path / "council.txt"
    source.write_text("The council will reopen the river bridge next spring. Traders said the delay cost them dearly.\n")
    db = tmp_path / "fresh.db"
    with Store(db) as store:
        report = import_targets(store, [str(source)], load_model=lambda: None, parse=False)
    app = ReaderApp(Store(db), annotator="asha", article_id=report.ids[0], model="no_such_pipeline_here")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and not app.screen.parsed
        await pilot.press("1")
        await pilot.pause()
        assert "still parsing the article: nothing was labelled" in screen_text(app)
    with Store(db) as store:
        assert store.labels(report.ids[0], "asha") == {}
