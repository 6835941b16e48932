"""Defects found by a new user's first hour in a real terminal (80x24 and wider), each with the
input that showed it. Texts are written for these tests."""

from __future__ import annotations

from pathlib import Path

from reader.store import Store
from reader.tui.app import ReaderApp
from tests.conftest import run_reader
from tests.uihelp import screen_text

# Thirteen entity types in spaCy's small English model: more than one 80-column line holds.
MANY_TYPES = """Port of Hamburg signs quay deal

On Monday, 4 May 2026, the Danish shipping firm Maersk Line paid 3 million euros, or 12 percent \
of its yearly budget, to the port of Hamburg in Germany. At 9 a.m. the first of 200 workers \
gathered at the Elbe Tunnel near the North Sea. Chancellor Anna Weber cited the Maritime Safety \
Act as the legal basis. The agreement covers 40 kilometres of quay and was written in English.
"""


async def test_the_entity_legend_is_whole_at_80_columns(tmp_path: Path) -> None:
    """The legend was one line high: at 80 columns the types past the edge and the `(e toggles)`
    hint were cut off, so an article's PERSON or TIME could be coloured with no legend entry."""
    source = tmp_path / "hamburg.txt"
    source.write_text(MANY_TYPES, encoding="utf-8")
    db = tmp_path / "r.db"
    proc = run_reader("import", "--db", db, source)
    assert proc.returncode == 0, proc.stderr
    with Store(db) as store:
        article_id = store.article_ids()[0]
    app = ReaderApp(Store(db), annotator="asha", article_id=article_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        present = {e.label for e in app.screen.session.entities}
        assert len(present) >= 11, present  # enough types that one line cannot hold them
        shown = screen_text(app)
        legend = shown[shown.index("entities ("):shown.index("▶")]
        assert all(label in legend.split() for label in present), (present, legend)
        assert "(e toggles)" in legend


FLOOD = """The council of Orlen voted on Tuesday to build a flood barrier across the old harbour.

The regional water authority agreed to share the upkeep for ten years.

Opposition councillor Tomas Brandt argued that the cost had been underestimated.
"""


def flood_db(tmp_path: Path) -> Path:
    """A database with FLOOD imported (and parsed) through the CLI."""
    source = tmp_path / "flood.txt"
    source.write_text(FLOOD, encoding="utf-8")
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", db, source).returncode == 0
    return db


async def undo_says(app: ReaderApp, pilot) -> str:  # noqa: ANN001 - Textual's Pilot
    """Press `u` and return what the notifications said."""
    app._notifications.clear()  # noqa: SLF001 - as tests/test_defects.py reads them
    await pilot.press("u")
    await pilot.pause()
    return " ".join(str(n.message) for n in app._notifications)  # noqa: SLF001


def test_an_export_named_csv_or_spacy_is_written_in_that_format(tmp_path: Path) -> None:
    """`reader export -o labels.csv` wrote JSON lines into a file named .csv (and `-o train.spacy`
    JSON lines that `spacy train` cannot read), while the register's export goes by the name."""
    import csv
    import io

    import spacy
    from spacy.tokens import DocBin

    db = flood_db(tmp_path)
    with Store(db) as store:
        article_id = store.article_ids()[0]
        for index, label in enumerate(("commitment", "commitment", "claim")):
            store.set_label(article_id, index, label, "asha")

    table = tmp_path / "labels.csv"
    proc = run_reader("export", "--db", db, "-o", table)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert [row["label"] for row in rows] == ["commitment", "commitment", "claim"]

    train = tmp_path / "train.spacy"
    proc = run_reader("export", "--db", db, "-o", train)
    assert proc.returncode == 0, proc.stderr
    docs = list(DocBin().from_disk(train).get_docs(spacy.blank("en").vocab))
    assert [max(doc.cats, key=doc.cats.get) for doc in docs] == ["commitment", "commitment", "claim"]

    # a name that says nothing keeps the default, and --format still wins over the name
    lines = tmp_path / "labels.txt"
    assert run_reader("export", "--db", db, "-o", lines).returncode == 0
    assert lines.read_text(encoding="utf-8").startswith("{")
    forced = tmp_path / "forced.csv"
    assert run_reader("export", "--db", db, "--format", "jsonl", "-o", forced).returncode == 0
    assert forced.read_text(encoding="utf-8").startswith("{")


def test_an_annotator_name_too_long_to_travel_is_refused(tmp_path: Path) -> None:
    """A 201-character `--annotator` was taken: labels went into the log under it, and then
    `reader import` of their export and `reader merge` refused every one (names are at most
    MAX_NAME_CHARS wherever they come in), so the work could not leave the database."""
    from reader.limits import MAX_NAME_CHARS
    from tests.conftest import one_line

    db = flood_db(tmp_path)
    before = db.read_bytes()
    proc = run_reader("--annotator", "b" * (MAX_NAME_CHARS + 1), "--db", db, "stats")
    one_line(proc, 2, f"longer than {MAX_NAME_CHARS} characters")
    assert db.read_bytes() == before
    assert run_reader("--annotator", "b" * MAX_NAME_CHARS, "--db", db, "stats").returncode == 0


def test_importing_a_prodigy_export_adds_no_one_sentence_articles(tmp_path: Path) -> None:
    """`reader import prodigy.jsonl` (reader's own Prodigy export) took every record for an
    article with its "text": one labelled article came back as one new article per sentence,
    exit 0, and the labels were lost."""
    db = flood_db(tmp_path)
    with Store(db) as store:
        article_id = store.article_ids()[0]
        store.set_label(article_id, 0, "commitment", "asha")
        store.set_label(article_id, 2, "claim", "asha")
    records = tmp_path / "prodigy.jsonl"
    assert run_reader("export", "--db", db, "--format", "prodigy", "-o", records).returncode == 0

    other = tmp_path / "other.db"
    assert run_reader("import", "--db", other, tmp_path / "flood.txt").returncode == 0
    proc = run_reader("import", "--db", other, records)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("a Prodigy record, not an article") == 2, proc.stderr
    with Store(other) as store:
        assert len(store.article_ids()) == 1


def in_a_terminal(*args: str | Path, columns: int = 80, rows: int = 24) -> str:
    """What `python -m reader ARGS` prints on a real terminal (a pseudo-terminal of this size)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    from tests.conftest import cli_env

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = cli_env(TERM="xterm-256color")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    proc = subprocess.Popen([sys.executable, "-m", "reader", *map(str, args)], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


LONG_TITLE = "Regional water authority agrees to share the upkeep of the new harbour flood barrier for ten years"


def test_stats_and_list_keep_one_line_per_article_at_80_columns(tmp_path: Path) -> None:
    """At 80 columns `reader stats` and `reader list` wrapped each title inside a narrow column,
    so one article took eight lines or more and the per-article table ran off the screen."""
    source = tmp_path / "upkeep.txt"
    source.write_text(f"{LONG_TITLE}\n\n{FLOOD}", encoding="utf-8")
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", db, source).returncode == 0
    with Store(db) as store:
        article_id = store.article_ids()[0]
    for command in ("stats", "list"):
        shown = in_a_terminal("--db", db, "--annotator", "asha", command)
        rows = [line for line in shown.splitlines() if article_id[:12] in line]
        assert len(rows) == 1, shown
        assert "Regional" in rows[0] and "…" in rows[0], shown
        following = shown.splitlines()[shown.splitlines().index(rows[0]) + 1]
        assert "flood barrier" not in following, shown


async def test_the_library_says_how_many_a_filter_shows_when_articles_are_assigned(tmp_path: Path) -> None:
    """With assignments, the header said "(yours first)" over a filtered list of one row, and
    "0 of 2 shown: assigned to you" with no word of the filter that hid the rest."""
    db = tmp_path / "r.db"
    for name, text in (("flood.txt", FLOOD), ("hamburg.txt", MANY_TYPES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert run_reader("import", "--db", db, tmp_path / name).returncode == 0
    assert run_reader("assign", "--db", db, "--annotators", "asha,ben").returncode == 0
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("m")  # every article, hers first
        await pilot.press("slash", *"Hamburg", "enter")
        await pilot.pause()
        assert "2 articles (1 of 2 shown, yours first)" in screen_text(app)
        await pilot.press("m")  # only hers: Hamburg or not, the filter is part of what hides
        await pilot.pause()
        assert "shown: assigned to you and matching the filter, m shows all" in screen_text(app)


async def test_undo_of_a_note_or_unsure_mark_says_what_it_changed(tmp_path: Path) -> None:
    """Undoing `i` said "undid sentence 1: 1 → no label" (the mark's stored value, read as the
    commitment key), and undoing a note "no label → first note"; a note's text is data, never
    markup."""
    db = flood_db(tmp_path)
    with Store(db) as store:
        article_id = store.article_ids()[0]
    app = ReaderApp(Store(db), annotator="asha", article_id=article_id)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()

        await pilot.press("i")
        assert "undid sentence 1: unsure → not unsure" in await undo_says(app, pilot)
        await pilot.press("m", *"check [bold]this[/bold]", "enter")
        await pilot.pause()
        assert "undid sentence 1: note “check [bold]this[/bold]” → no note" in await undo_says(app, pilot)
        await pilot.press("1")
        said = await undo_says(app, pilot)
        assert "undid sentence 1: no label → commitment" not in said and "commitment → no label" in said


async def test_undo_in_the_register_names_a_status_and_a_note_plainly(tmp_path: Path) -> None:
    """In the register, undoing a status said "undid status: kept → as extracted" and undoing
    a note "note: ... → as extracted": nothing extracts either; a status nobody set is open."""
    db = flood_db(tmp_path)
    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()

        await pilot.press("2")  # kept
        await pilot.pause()
        assert "undid status: kept → open" in await undo_says(app, pilot)
        await pilot.press("m", *"ask the council", "enter")
        await pilot.pause()
        assert "undid note: ask the council → no note" in await undo_says(app, pilot)


def test_a_markdown_table_is_imported_as_its_cells_not_its_pipes(tmp_path: Path) -> None:
    """A Markdown table came in as its markup: "| year | cost |" and the rule "| --- | --- |"
    were sentences of their own to label, though the README says markup is removed."""
    source = tmp_path / "dredging.md"
    source.write_text(
        "# Harbour board backs dredging\n\nThe board agreed to dredge the channel by 2027.\n\n"
        "| year | cost |\n| --- | :---: |\n| 2026 | 4 million |\n\nWork starts in spring.\n", encoding="utf-8")
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", db, source).returncode == 0
    with Store(db) as store:
        (article_id,) = store.article_ids()
    proc = run_reader("export", "--db", db, "--unit", "article", "--article", article_id, "-o", "-")
    assert proc.returncode == 0, proc.stderr
    import json

    sentences = [s["text"] for s in json.loads(proc.stdout)["sentences"]]
    assert not any("|" in s or "---" in s for s in sentences), sentences
    assert "year · cost" in sentences and "2026 · 4 million" in sentences, sentences


def test_sentence_options_are_refused_with_the_register_export(tmp_path: Path) -> None:
    """`reader export --format commitments --by ben` (or --label, --resolve ...) took the
    option and ignored it: the whole register came out, exit 0, as if it were ben's part."""
    from tests.conftest import one_line

    db = flood_db(tmp_path)
    for option in (["--by", "ben"], ["--label", "claim"], ["--resolve", "majority"], ["--context", "2"]):
        out = tmp_path / "register.jsonl"
        proc = run_reader("export", "--db", db, "--format", "commitments", *option, "-o", out)
        one_line(proc, 2, f"{option[0]} does not go with --format commitments")
        assert not out.exists()
    proc = run_reader("export", "--db", db, "--format", "commitments", "--overdue", "-o", "-")
    assert proc.returncode == 0, proc.stderr


ADDED = "Ferry timetable agreed\n\nThe island council agreed to run a second ferry from June. Residents said the change was overdue.\n"


async def test_an_article_added_with_a_is_under_the_cursor(db: Path, tmp_path: Path) -> None:
    """After `a` added an article, the cursor stayed on the row it was on, so `enter` opened
    another article than the one just added; in the library's own order and sorted by title."""
    from textual.widgets import DataTable

    from reader.tui.screens.article import ArticleScreen

    sources = []
    for name, title in (("ferry.txt", "Ferry timetable agreed"), ("bridge.txt", "Bridge tolls frozen")):
        sources.append(tmp_path / name)
        sources[-1].write_text(ADDED.replace("Ferry timetable agreed", title), encoding="utf-8")
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for sort_presses, source in ((0, sources[0]), (3, sources[1])):  # newest first, then by title
            await pilot.press(*["s"] * sort_presses, "j", "j")
            await pilot.pause()
            await pilot.press("a", *str(source), "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            added = next(r.id for r in app.screen.rows if r.source == str(source))
            assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == added
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen) and app.screen.article_id == added


def test_an_over_long_annotator_in_an_export_is_named_as_such(tmp_path: Path) -> None:
    """An export record whose annotator is over 200 characters was refused as "empty once
    control characters are removed", which it is not."""
    import json

    source = tmp_path / "ferry.txt"
    source.write_text(ADDED, encoding="utf-8")
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", db, source).returncode == 0
    with Store(db) as store:
        store.set_label(store.article_ids()[0], 1, "commitment", "asha")
    exported = tmp_path / "labels.jsonl"
    assert run_reader("export", "--db", db, "-o", exported).returncode == 0
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    exported.write_text("".join(json.dumps({**r, "annotator": "a" * 201}) + "\n" for r in records), encoding="utf-8")
    proc = run_reader("import", "--db", tmp_path / "other.db", exported)
    assert "longer than 200 characters" in proc.stderr, proc.stderr


def test_an_article_export_read_back_lists_the_articles_in_the_same_order(tmp_path: Path) -> None:
    """Articles stored in the same millisecond were ordered by id, not as they came: an article
    export read back into an empty database and exported again swapped lines."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(12):
        (folder / f"{n:02d}.txt").write_text(f"Notice {n}\n\nThe depot number {n} will open on Monday {n}.\n", encoding="utf-8")
    db, again = tmp_path / "r.db", tmp_path / "again.db"
    assert run_reader("import", "--db", db, *sorted(folder.iterdir())).returncode == 0
    with Store(db) as store:
        titles = [store.article(i).title for i in store.article_ids()]  # type: ignore[union-attr]
    assert titles == [f"Notice {n}" for n in range(12)], titles  # as they came, not by id
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run_reader("export", "--db", db, "--unit", "article", "--all", "-o", first).returncode == 0
    assert run_reader("import", "--db", again, first).returncode == 0
    assert run_reader("export", "--db", again, "--unit", "article", "--all", "-o", second).returncode == 0
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


async def test_a_long_note_in_the_status_bar_ends_with_an_ellipsis_at_80_columns(db: Path, india: str) -> None:
    """The status bar holds three lines: a long note was cut at its edge with no sign that it
    went on."""
    long_note = "check the ministry's own release against the wire copy " * 8
    with Store(db) as store:
        store.set_field(india, 0, "note", long_note.strip(), "asha")
    app = ReaderApp(Store(db), annotator="asha", article_id=india)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "note: check the ministry's own release" in shown and "…" in shown.split("note:", 1)[1], shown


async def test_undo_in_the_overdue_view_puts_the_cursor_on_the_commitment_it_brings_back(db: Path) -> None:
    """In the overdue view a status hides its row; `u` brought the row back, but the cursor
    stayed on another one."""
    from textual.widgets import DataTable

    from reader.tui.screens.commitments import CommitmentsScreen

    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommitmentsScreen)
        await pilot.press("o", "j", "j")
        await pilot.pause()
        table = screen.query_one(DataTable)
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        overdue = len(screen.shown)
        await pilot.press("2")  # kept: no longer overdue, the row goes
        await pilot.pause()
        assert len(screen.shown) == overdue - 1
        await pilot.press("u")
        await pilot.pause()
        assert len(screen.shown) == overdue
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == chosen
