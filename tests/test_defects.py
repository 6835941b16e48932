"""Regressions for what a new user hit (issue 10), each with the exact input that found it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import cli_env, digest, dump_database, one_line, run_reader




# --- 1. export must never land on a database -----------------------------------------------


@pytest.mark.parametrize("target", ["itself", "its -wal", "its -shm", "a symlink to it", "another reader database", "another SQLite file"])
def test_export_refuses_to_overwrite_a_database(target: str, samples: Path, tmp_path: Path) -> None:
    # Regression: `READER_DB=x.db reader export -o x.db` replaced the database with JSONL.
    other = tmp_path / "other.db"
    if target == "another reader database":
        other.write_bytes(samples.read_bytes())
    elif target == "another SQLite file":
        conn = sqlite3.connect(other)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    elif target == "a symlink to it":
        other.symlink_to(samples)
    path = {
        "itself": samples, "its -wal": Path(f"{samples}-wal"), "its -shm": Path(f"{samples}-shm"),
    }.get(target, other)
    before = dump_database(samples)
    other_before = digest(other) if other.exists() and not other.is_symlink() else None
    proc = run_reader("export", "-o", str(path), env=cli_env(READER_DB=str(samples)))
    one_line(proc, 2, "will not write over")
    assert dump_database(samples) == before
    if other_before is not None:
        assert digest(other) == other_before
    listed = run_reader("list", "--db", str(samples))
    assert listed.returncode == 0 and "India and Canada" in listed.stdout


def test_export_to_a_new_file_beside_the_database_still_works(samples: Path) -> None:
    out = samples.parent / "labels.jsonl"
    proc = run_reader("export", "--all", "-o", str(out), "--db", str(samples))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().count("\n") > 50


# --- 2. backup never replaces a file silently ---------------------------------------------


def test_backup_refuses_a_file_that_is_not_a_database(samples: Path, tmp_path: Path) -> None:
    # Regression: `reader backup notes.md` replaced a markdown file with SQLite.
    notes = tmp_path / "notes.md"
    notes.write_text("# my notes\n")
    for args in ([], ["--force"]):
        one_line(run_reader("backup", str(notes), "--db", str(samples), *args), 2, "not a reader database")
        assert notes.read_text() == "# my notes\n"


def test_backup_over_an_earlier_backup_needs_force(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert run_reader("backup", str(copy), "--db", str(samples)).returncode == 0
    first = digest(copy)
    conn = sqlite3.connect(samples)
    conn.execute("INSERT INTO positions VALUES ((SELECT id FROM articles LIMIT 1), 'x', 3, 'now')")
    conn.commit()
    conn.close()
    one_line(run_reader("backup", str(copy), "--db", str(samples)), 2, "--force")
    assert digest(copy) == first
    again = run_reader("backup", str(copy), "--db", str(samples), "--force")
    assert again.returncode == 0, again.stderr
    assert digest(copy) != first


def test_backup_into_a_folder_names_the_file_written(samples: Path, tmp_path: Path) -> None:
    # Regression: `reader backup dir/` said "backed up ... to dir/".
    folder = tmp_path / "backups"
    folder.mkdir()
    proc = run_reader("backup", f"{folder}/", "--db", str(samples))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == f"backed up {samples} to {folder / samples.name}"
    assert (folder / samples.name).is_file()


# --- 7. resizing keeps the cursor in view ------------------------------------------------------


@pytest.mark.parametrize("size", [(110, 12), (60, 20), (40, 10)])
async def test_the_cursor_sentence_stays_in_view_when_the_terminal_shrinks(samples: Path, size: tuple[int, int]) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView
    from tests.uihelp import INDIA, article_id_of

    app = ReaderApp(Store(samples), annotator="tester", article_id=article_id_of(samples, INDIA))
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("G", "k", "k")
        cursor = view.cursor
        await pilot.resize_terminal(*size)
        await pilot.pause()
        await pilot.pause()
        first, last = view.sentence_lines(cursor)
        top, height = view.scroll_offset.y, view.size.height
        assert top <= first and min(last, first + height - 1) < top + height, (first, last, top, height)
        await pilot.press("1")  # the label goes to the sentence the user sees
        assert app.screen.session.labels == {cursor: "commitment"}


# --- 4. options before the command, and typos -------------------------------------------------


@pytest.mark.parametrize("args", [["--db", "{F}", "list"], ["--annotator", "bob", "--db", "{F}", "stats"], ["--db", "{F}", "lst"], ["lst", "--db", "{F}"]])
def test_options_before_the_command_and_typos_never_create_a_database(args: list[str], tmp_path: Path) -> None:
    # Regression: `reader --db F list` answered "list: no such file or directory" (exit 1) and
    # left an empty database F behind; so did `reader lst`.
    db = tmp_path / "F.db"
    proc = run_reader(*[a.replace("{F}", str(db)) for a in args], cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    if "lst" in args:
        assert "did you mean `reader list`" in proc.stderr
    else:
        assert "no database at" in proc.stderr
    assert not db.exists() and not list(tmp_path.glob("*.db*"))


def test_options_work_before_and_after_the_command(samples: Path) -> None:
    before = run_reader("--db", str(samples), "--annotator", "bob", "stats", "--json")
    after = run_reader("stats", "--json", "--db", str(samples), "--annotator", "bob")
    assert before.returncode == after.returncode == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert json.loads(before.stdout)["annotator"] == "bob"
    helped = run_reader("--help")
    for option in ("--db", "--annotator", "--labels", "--model", "--config"):
        assert option in helped.stdout


def test_a_word_that_is_an_existing_file_still_opens_it(tmp_path: Path) -> None:
    article = tmp_path / "lst"
    article.write_text("A file named like a typo. It is opened, not refused.")
    proc = run_reader(str(article), "--db", str(tmp_path / "r.db"))  # no terminal: the open command says so
    assert proc.returncode == 2 and "needs a terminal" in proc.stderr


# --- 6. disagreement shows in resolved exports --------------------------------------------------


def test_a_tie_between_two_annotators_says_so(samples: Path) -> None:
    from reader.store import Store

    with Store(samples) as store:
        article = store.article_ids()[0]
        store.set_label(article, 1, "claim", "asha")
        store.set_label(article, 1, "background", "ben")
        store.set_label(article, 2, "claim", "asha")
        store.set_label(article, 2, "claim", "ben")
    records = [json.loads(line) for line in run_reader("export", "--db", str(samples), "--resolve", "majority").stdout.splitlines()]
    tied, agreed = records
    assert tied["votes"] == {"background": ["ben"], "claim": ["asha"]} and tied["tie"] is True
    assert agreed["votes"] == {"claim": ["asha", "ben"]} and agreed["tie"] is False
    (article_record,) = [json.loads(line) for line in run_reader("export", "--db", str(samples), "--unit", "article", "--article", article).stdout.splitlines()]
    sentence = article_record["sentences"][1]
    assert sentence["label"] is None and sentence["agreed"] is False  # not one of them, silently
    assert {a["annotator"]: a["label"] for a in sentence["annotations"]} == {"asha": "claim", "ben": "background"}


# --- 8 and 9. samples only once; a deleted article comes back with its labels -----------------


async def test_an_emptied_library_does_not_get_the_samples_again(samples: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp

    with Store(samples) as store:
        for article in store.article_ids():
            store.delete_article(article, "tester")
    app = ReaderApp(Store(samples), annotator="tester")
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("DataTable").row_count == 0
    with Store(samples) as store:
        assert store.article_ids() == []


def test_reimporting_a_deleted_article_brings_its_labels_and_undo_back(samples: Path) -> None:
    from reader.store import Store
    from tests.uihelp import INDIA, ROOT, article_id_of

    india = article_id_of(samples, INDIA)
    with Store(samples) as store:
        store.set_label(india, 1, "claim", "asha")
        store.set_label(india, 4, "commitment", "asha")
        store.delete_article(india, "asha")
    proc = run_reader("import", str(ROOT / "sample_articles" / INDIA), "--db", str(samples))
    assert proc.returncode == 0, proc.stderr
    with Store(samples) as store:
        assert store.labels(india, "asha") == {1: "claim", 4: "commitment"}
        assert store.undo(india, "asha").sentence_index == 4  # the history came back too
        assert store.labels(india, "asha") == {1: "claim"}


# --- 10. the smaller ones ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["prodigy", "spacy"])
def test_context_is_refused_where_a_format_has_no_room_for_it(samples: Path, tmp_path: Path, fmt: str) -> None:
    proc = run_reader("export", "--db", str(samples), "--format", fmt, "--context", "1", "-o", str(tmp_path / "out"))
    one_line(proc, 2, "--context")


def test_context_is_written_to_csv(samples: Path, tmp_path: Path) -> None:
    from reader.store import Store

    with Store(samples) as store:
        store.set_label(store.article_ids()[0], 3, "claim", "asha")
    out = tmp_path / "c.csv"
    assert run_reader("export", "--db", str(samples), "--format", "csv", "--context", "1", "-o", str(out)).returncode == 0
    import csv

    (row,) = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert row["context_before"] and row["context_after"]


def test_all_with_spacy_is_refused_and_labels_outside_the_set_are_noted(samples: Path, tmp_path: Path) -> None:
    from reader.store import Store

    one_line(run_reader("export", "--db", str(samples), "--format", "spacy", "--all", "-o", str(tmp_path / "t.spacy")), 2, "--all")
    with Store(samples) as store:
        article = store.article_ids()[0]
        store.set_label(article, 0, "claim", "asha")
        store.set_label(article, 1, "rumour", "asha")  # from another label set
    proc = run_reader("export", "--db", str(samples), "--format", "prodigy")
    assert "1 label is not in the label set" in proc.stderr and "left out" in proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["accept"] for r in records] == [["claim"]]
    assert all([o["id"] for o in r["options"]] == ["commitment", "claim", "background"] for r in records)


async def test_keymap_moves_are_shown_in_help_and_unknown_ids_are_reported(samples: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.screens.help import HelpScreen
    from tests.uihelp import INDIA, article_id_of, screen_text

    app = ReaderApp(Store(samples), annotator="tester", article_id=article_id_of(samples, INDIA))
    app.set_keymap({"article.label-1": "j", "article.next": "down", "article.nonsense": "z"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert any("article.nonsense" in n for n in notes)  # said once, in plain words
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        assert "j commitment" in " ".join(shown.split()) and "j / ↓ next" not in shown


async def test_ctrl_c_says_how_to_quit_without_markup(samples: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp

    app = ReaderApp(Store(samples), annotator="tester")
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert "press ctrl+q to quit" in messages and not any("[b]" in m for m in messages)


def test_html_paragraphs_keep_a_blank_line_between_them_on_screen() -> None:
    from reader.tui.widgets.article_view import wrap

    text = "First paragraph of a page.\nSecond paragraph of it."
    lines = wrap(text, 60)
    assert [text[line.start : line.end] for line in lines] == ["First paragraph of a page.", "", "Second paragraph of it."]
    typed = "Headline\nDATELINE, 1 May\n\nBody."  # a text file's own line breaks are kept as they are
    assert [typed[line.start : line.end] for line in wrap(typed, 60)] == ["Headline", "DATELINE, 1 May", "", "Body."]


def test_readme_says_how_to_run_reader_after_make_run() -> None:
    from tests.uihelp import ROOT

    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/reader" in readme


# --- also needed by people who label for hours: skip, notes, unsure ----------------------------


async def test_skip_note_and_unsure_are_events_shown_exported_and_searchable(samples: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView
    from tests.uihelp import INDIA, article_id_of

    india = article_id_of(samples, INDIA)
    app = ReaderApp(Store(samples), annotator="asha", article_id=india)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(ArticleView)
        await pilot.press("s")  # the headline: skipped, and the cursor moves on
        assert view.cursor == 1 and "(1 skipped)" in screen.status_text().plain
        assert view._paint(0).text[view._left() + 1] == "-"  # noqa: SLF001 - the gutter mark
        await pilot.press("2", "i")  # labelled claim on sentence 1, then unsure on sentence 2
        assert 2 in screen.session.unsure and "unsure" in screen.status_text().plain
        await pilot.press("m", *"check the date", "enter")
        await pilot.pause()
        assert screen.session.notes == {2: "check the date"}
        await pilot.press("g", "slash", *"the date", "enter")  # search finds the note
        await pilot.pause()
        assert view.cursor == 2
        await pilot.press("escape", "u")  # undo takes the note away first
        await pilot.pause()
        assert screen.session.notes == {}
        await pilot.press("U")
        await pilot.pause()
        assert screen.session.notes == {2: "check the date"}
    records = [json.loads(line) for line in run_reader("export", "--db", str(samples), "--all", "--article", india).stdout.splitlines()]
    assert records[0]["skipped"] is True and records[0]["label"] is None
    labelled = [r for r in records if r["label"]]
    assert [(r["sentence_index"], r["label"]) for r in labelled] == [(1, "claim")]
    plain = [json.loads(line) for line in run_reader("export", "--db", str(samples), "--article", india).stdout.splitlines()]
    assert [r["sentence_index"] for r in plain] == [1]  # a skipped sentence stays out of the dataset
    (article,) = [json.loads(line) for line in run_reader("export", "--db", str(samples), "--unit", "article", "--article", india).stdout.splitlines()]
    assert article["sentences"][2]["notes"] == {"asha": "check the date"} and article["sentences"][2]["unsure"] == ["asha"]
    stats = json.loads(run_reader("stats", "--db", str(samples), "--json", "--annotator", "asha").stdout)
    assert (stats["labelled"], stats["skipped"]) == (1, 1)


async def test_a_failing_background_job_is_one_notification(samples: Path, tmp_path: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.pipeline import import_unparsed

    article = tmp_path / "new.txt"
    article.write_text("A new article to parse. Its model is missing.")
    report = import_unparsed(samples, [str(article)])
    app = ReaderApp(Store(samples), annotator="asha", article_id=report.ids[0], model="no_such_model_here")
    async with app.run_test(size=(110, 36)) as pilot:
        for _ in range(1200):  # the background job runs at nice 10: beside a busy test worker it may be slow to start
            await pilot.pause(0.1)
            messages = [str(n.message) for n in app._notifications]
            if any("no_such_model_here" in m for m in messages):
                break
        failures = [m for m in messages if "no_such_model_here" in m]
        assert len(failures) == 1 and "\n" not in failures[0] and "Traceback" not in failures[0]
        # the text stays readable, and the status bar says it will not be parsed (not "parsing…" for good)
        assert app.screen.status_text().plain.startswith("not parsed: ")


async def test_the_library_sorts_by_how_unsure_the_suggestions_are(samples: Path) -> None:
    from reader.store import Store
    from reader.tui.app import ReaderApp

    with Store(samples) as store:
        doubt = {r.id: r.doubt for r in store.summaries("asha")}
    app = ReaderApp(Store(samples), annotator="asha")
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        await pilot.press("s")  # newest -> most unsure
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        order = [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]
        assert order == sorted(doubt, key=lambda i: -doubt[i])
        assert all(str(table.get_cell(key, "suggested")).strip().isdigit() for key in order)


async def test_the_legend_names_the_types_the_article_has_once_it_is_parsed(tmp_path: Path) -> None:
    # Regression: the legend listed a fixed set (some coloured types missing), and an article
    # parsed in the background kept the placeholder legend.
    from reader.pipeline import import_unparsed
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from tests.uihelp import INDIA, ROOT

    db = tmp_path / "r.db"
    report = import_unparsed(db, [str(ROOT / "sample_articles" / INDIA)])
    app = ReaderApp(Store(db), annotator="asha", article_id=report.ids[0])
    async with app.run_test(size=(110, 36)) as pilot:
        for _ in range(1800):  # the parse runs at nice 10: beside a busy test worker it may take minutes
            await pilot.pause(0.1)
            if app.screen.parsed:
                break
        await pilot.pause()
        legend = str(app.screen.query_one("#legend").render())
        present = {e.label for e in app.screen.session.entities}
        assert present and all(label in legend for label in present)
        assert "LAW" not in present and "LAW" not in legend
