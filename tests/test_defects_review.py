"""Defects a reviewer found in a real terminal, each with the input that found it.

1. Background work (jobs, serve sessions, Dask workers) ran code from the folder reader was
   started in, and a failed parse left the article screen on "parsing…" for good.
2. A corrected commitment time lost its date: no when_iso, not overdue, out of --overdue.
3. `reader import` took a label outside the label set ("Commitment") without a word.
4. A [keymap] giving two label ids one key left a label with no key, without a word.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.jobs import Job, JobFailed, Parsed
from reader.pipeline import import_unparsed
from tests.conftest import cli_env, run_reader

SAMPLES = Path(__file__).resolve().parent.parent / "sample_articles"
SHADOWS = {  # a user's own scripts, named as the standard library's modules are
    "random.py": 'print("my own script")\n',
    "bisect.py": 'print("my own bisect")\n',
    "selectors.py": 'raise SystemExit("my own selectors")\n',
}


def shadowing_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scripts"
    folder.mkdir()
    for name, text in SHADOWS.items():
        (folder / name).write_text(text)
    return folder


# --- 1. background work never imports the user's folder; a failed parse says so ---------------


def test_a_parse_worker_started_in_a_folder_of_user_scripts_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "r.db"
    (article_id,) = import_unparsed(db, [str(SAMPLES / "tamsel-river-water-accord.txt")]).ids
    monkeypatch.chdir(shadowing_folder(tmp_path))  # the job starts in the folder reader runs in
    assert list(Job(db, "parse").events()) == [Parsed(article_id)]


def test_a_serve_session_process_does_not_import_the_servers_folder(tmp_path: Path) -> None:
    from reader.serve.server import ReaderServer, Session

    db = tmp_path / "r.db"
    import_unparsed(db, [str(SAMPLES / "tamsel-river-water-accord.txt")])
    server = ReaderServer(db_path=db, host="127.0.0.1", port=8000, max_sessions=2, idle_minutes=5, app_args=[])
    argv = server.argv(Session("asha", False, "0" * 64))
    assert argv[-1] == "open"
    # The session's command line, asking for the stats instead of the screen (no terminal here).
    done = subprocess.run([*argv[:-1], "stats", "--json"], cwd=shadowing_folder(tmp_path), env=cli_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["articles"] == 1


def test_dask_workers_started_in_a_folder_of_user_scripts_parse(tmp_path: Path) -> None:
    console = Path(sys.executable).parent / "reader"  # as users start it: not `python -m`
    if not console.exists():
        pytest.skip("no reader console script beside the interpreter")
    story = tmp_path / "story.txt"
    story.write_text("Ferry pier promised\n\nThe harbour board will build a second pier by next summer, its chair said.\n")
    db = tmp_path / "c.db"
    done = subprocess.run([str(console), "--db", str(db), "import", "--workers", "1", str(story)],
                          cwd=shadowing_folder(tmp_path), env=cli_env(DASK_LOGGING__DISTRIBUTED="error"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "parsed 1 article" in done.stderr and "1 imported" in done.stderr


def test_a_failed_job_names_the_task_in_one_line(tmp_path: Path) -> None:
    bad_model = tmp_path / "pipeline"
    bad_model.mkdir()
    (bad_model / "meta.json").write_text("not json at all")
    db = tmp_path / "r.db"
    import_unparsed(db, [str(SAMPLES / "tamsel-river-water-accord.txt")])
    with pytest.raises(JobFailed) as failed:
        list(Job(db, "parse", model=str(bad_model)).events())
    reason = str(failed.value)
    assert reason.startswith("background parse failed: ") and "\n" not in reason and str(bad_model) in reason


async def test_a_failed_parse_is_one_notification_and_the_status_stops_saying_parsing(tmp_path: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp

    bad_model = tmp_path / "pipeline"  # a spaCy pipeline folder gone bad: its meta.json is not JSON
    bad_model.mkdir()
    (bad_model / "meta.json").write_text("not json at all")
    db = tmp_path / "r.db"
    (article_id,) = import_unparsed(db, [str(SAMPLES / "tamsel-river-water-accord.txt")]).ids
    app = ReaderApp(Store(db), annotator="asha", article_id=article_id, model=str(bad_model))
    async with app.run_test(size=(160, 36), notifications=True) as pilot:
        for _ in range(1200):  # the job runs at nice 10: beside a busy test worker it may be slow to start
            await pilot.pause(0.1)
            if "parsing" not in app.screen.status_text().plain:
                break
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]  # noqa: SLF001
        status = app.screen.status_text().plain
        assert status.startswith("not parsed: spaCy model ") and str(bad_model) in status and "(open it again to retry)" in status
        assert len(errors) == 1 and errors[0].startswith("background parse failed: ") and "\n" not in errors[0]
        await pilot.press("1")  # a label key says why nothing happens, not "still parsing"
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]  # noqa: SLF001
        assert notes[-1].startswith("the article is not parsed") and not any("still parsing" in n for n in notes)


# --- 2. a corrected time is resolved to a date, as an extracted one is -----------------------


def test_a_corrected_time_resolves_against_the_article_date_and_counts_as_overdue(db: Path, india: str) -> None:
    from reader import tracker
    from reader.commitments import resolve_when
    from reader.store import Store

    def both(store: Store):
        (found,) = [c for c in store.register() if c.article_id == india and c.text.startswith("Both governments committed")]
        return found

    after_deadline = dt.date(2026, 3, 1)
    with Store(db) as store:
        before = both(store)
        assert before.value("when") is None and before.when_iso is None and before.article_date == "2026-02-08"
        overdue_before = store.register_due(after_deadline, 30)["overdue"]
        tracker.correct(store, before, "when", "by  January 2026", "asha")
        corrected = both(store)
        assert corrected.value("when") == "by January 2026"
        expected = resolve_when("by January 2026", dt.date(2026, 2, 8))  # as the extractor resolves it
        assert expected == "2026-01-31" and corrected.when_iso == expected
        assert tracker.overdue(corrected, after_deadline)
        assert store.register_due(after_deadline, 30)["overdue"] == overdue_before + 1  # the header's count
        tracker.correct(store, corrected, "when", "every spring", "asha")  # a recurring time: no date
        assert both(store).when_iso is None
        tracker.correct(store, both(store), "when", "by January 2026", "asha")
    exported = run_reader("export", "--db", str(db), "--format", "commitments", "--overdue")
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    (row,) = [r for r in rows if r["text"].startswith("Both governments committed")]
    assert (row["when"], row["when_iso"], row["corrected"]["when"]) == ("by January 2026", "2026-01-31", True)


# --- 3. an imported label outside the label set is refused, by line -------------------------


def _export_with_a_capital_label(db: Path, india: str, tmp_path: Path) -> tuple[Path, int]:
    """A sentence export of one labelled sentence whose label was edited to "Commitment" with a
    later time; returns the file and the sentence's index."""
    from reader.store import Store

    with Store(db) as store:
        store.set_label(india, 3, "claim", "asha")
    exported = run_reader("export", "--db", str(db), "--article", india)
    assert exported.returncode == 0, exported.stderr
    (record,) = [json.loads(line) for line in exported.stdout.splitlines()]
    assert (record["sentence_index"], record["label"]) == (3, "claim")
    record.update(label="Commitment", annotated_at="2099-01-01T00:00:00+00:00")
    edited = tmp_path / "edited.jsonl"
    edited.write_text(json.dumps(record) + "\n")
    return edited, 3


def _labels_of(db: Path, article_id: str) -> list[tuple[int, str, str]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT sentence_index, annotator, label FROM annotations WHERE article_id = ? ORDER BY 1, 2",
                            (article_id,)).fetchall()


def test_an_imported_label_outside_the_label_set_is_refused_by_line_and_exit_1(db: Path, india: str, tmp_path: Path) -> None:
    edited, index = _export_with_a_capital_label(db, india, tmp_path)
    before = _labels_of(db, india)
    done = run_reader("--db", str(db), "import", str(edited))
    assert done.returncode == 1, done.stderr
    refusals = [line for line in done.stderr.splitlines() if line.startswith(f"reader: {edited}:1:")]
    assert len(refusals) == 1 and "'Commitment' is not one of the labels in use (commitment, claim, background" in refusals[0]
    assert "Traceback" not in done.stderr and "0 labels added" in done.stdout
    assert "labels: 0 taken, 1 refused" in done.stderr
    assert _labels_of(db, india) == before and (index, "asha", "claim") in before  # the stored label stands


def test_an_imported_label_in_a_custom_label_set_is_taken(db: Path, india: str, tmp_path: Path) -> None:
    edited, index = _export_with_a_capital_label(db, india, tmp_path)
    done = run_reader("--db", str(db), "import", "--labels", "Commitment,claim,background", str(edited))
    assert done.returncode == 0, done.stderr
    assert "1 label added" in done.stdout
    assert (index, "asha", "Commitment") in _labels_of(db, india)


# --- 4. a keymap that gives two ids one key on a screen is named once -----------------------

CLASHING = '''[keymap]
"article.label-1" = "1,f1"
"article.label-2" = "1"
'''
MOVED = '''[keymap]
"article.label-1" = "j"
"article.next" = "down"
'''


@pytest.mark.parametrize(("toml", "warned"), [(CLASHING, True), (MOVED, False)])
async def test_a_keymap_clash_in_config_toml_is_one_warning_naming_both_ids(db: Path, india: str, tmp_path: Path,
                                                                           toml: str, warned: bool) -> None:
    from reader import config
    from reader.store import Store
    from reader.tui.app import ReaderApp

    path = tmp_path / "config.toml"
    path.write_text(toml)
    settings = config.load(path)
    app = ReaderApp(Store(db), annotator="asha", article_id=india)
    app.set_keymap(settings.keymap)  # as reader.tui.app.run does with the config's keymap
    async with app.run_test(size=(130, 36), notifications=True) as pilot:
        await pilot.pause()
        for key in ("down", "f1", "1", "question_mark", "escape"):  # keys met on the way say nothing more
            await pilot.press(key)
            await pilot.pause()
        notes = [str(n.message) for n in app._notifications if "config.toml [keymap]" in str(n.message)]  # noqa: SLF001
    if warned:
        assert notes == ["config.toml [keymap]: 'article.label-1' and 'article.label-2' share the key '1' on the article screen: "
                         "give each its own key (? lists the ids)"]
    else:
        assert notes == []


def test_notes_and_unsure_marks_of_an_export_are_no_labels_to_refuse(db: Path, india: str, tmp_path: Path) -> None:
    from reader.store import Store

    with Store(db) as store:
        store.set_label(india, 2, "claim", "asha")
        store.set_field(india, 2, "note", "Check the Date", "asha")
        store.set_field(india, 2, "unsure", "1", "asha")
    exported = run_reader("export", "--db", str(db), "--unit", "article", "--article", india)
    assert exported.returncode == 0, exported.stderr
    (tmp_path / "a.jsonl").write_text(exported.stdout)
    fresh = tmp_path / "fresh.db"
    done = run_reader("--db", str(fresh), "import", str(tmp_path / "a.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "0 refused" in done.stderr and (2, "asha", "claim") in _labels_of(fresh, india)
    again = run_reader("export", "--db", str(fresh), "--unit", "article", "--article", india)
    (article,) = [json.loads(line) for line in again.stdout.splitlines()]
    assert article["sentences"][2]["notes"] == {"asha": "Check the Date"} and article["sentences"][2]["unsure"] == ["asha"]


async def test_the_library_says_not_parsed_once_the_background_parse_failed(tmp_path: Path) -> None:
    """The library's progress cell said "parsing…" for good after a parse had failed."""
    from textual.widgets import DataTable

    from reader.store import Store
    from reader.tui.app import ReaderApp

    bad_model = tmp_path / "pipeline"
    bad_model.mkdir()
    (bad_model / "meta.json").write_text("not json at all")
    db = tmp_path / "r.db"
    import_unparsed(db, [str(SAMPLES / "tamsel-river-water-accord.txt")])
    app = ReaderApp(Store(db), annotator="asha", model=str(bad_model))
    async with app.run_test(size=(160, 36), notifications=True) as pilot:
        table = app.screen.query_one(DataTable)
        progress = [str(key.value) for key in table.columns].index("progress")
        assert table.get_cell_at((0, progress)).plain == "parsing…"
        for _ in range(1200):  # the job runs at nice 10: beside a busy test worker it may be slow to start
            await pilot.pause(0.1)
            if any(n.severity == "error" for n in app._notifications):  # noqa: SLF001
                break
        await pilot.pause()
        assert table.get_cell_at((0, progress)).plain == "not parsed"


async def test_the_library_counts_a_skip_as_done_but_not_as_labelled(db: Path, india: str) -> None:
    """The library's "labelled" column counted skipped sentences while the header and the
    article's status bar did not: one label and one skip showed "2" under "labelled"."""
    from textual.widgets import DataTable

    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.screens.library import LibraryScreen

    app = ReaderApp(Store(db), annotator="asha", article_id=india)
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.pause()
        await pilot.press("1", "s", "escape")  # label the first sentence, skip the second, back to the library
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one(DataTable)
        assert str(table.get_cell(india, "labelled")) == "1"
        sentences = int(str(table.get_cell(india, "sentences")))
        assert str(table.get_cell(india, "progress")).endswith(f"{100 * 2 // sentences:3d}%")  # the skip is done
        await pilot.press("q")
    listed = run_reader("list", "--db", str(db), "--annotator", "asha")
    row = next(line.split("\t") for line in listed.stdout.splitlines() if line.startswith(india))
    assert row[3] == "1", row
    stats = json.loads(run_reader("stats", "--db", str(db), "--annotator", "asha", "--json").stdout)
    mine = next(a for a in stats["per_article"] if a["id"] == india)
    assert (mine["labelled"], mine["skipped"], stats["labelled"], stats["skipped"]) == (1, 1, 1, 1), mine
