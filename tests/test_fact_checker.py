"""A fact checker's first hour at 80x24 over SSH: what they met and what was fixed."""

from __future__ import annotations

from pathlib import Path

from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.widgets.article_view import ArticleView
from tests.uihelp import screen_text

SMALL = (80, 24)

PLACES = ["Tromsø", "Arequipa", "Mombasa", "Da Nang", "Tamale", "Cuenca", "Daugavpils", "Gdańsk"]
# One sentence of about 45 lines at 80 columns: the commitment is in its last words.
LONG = ("The treaty, which was drafted over " + ", ".join(f"{n} further meetings in {PLACES[n % 8]}" for n in range(2, 40))
        + ", was signed on Friday by both ministers, who said they would ratify it before the winter recess.")
ARTICLE = f"Ministers sign river treaty\n\nThe talks began in 2019.\n\n{LONG}\n\nObservers called the deal fragile.\n"


def import_text(tmp_path: Path, name: str, text: str) -> tuple[Path, str]:
    from reader import nlp
    from reader.pipeline import import_targets

    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    db = tmp_path / "fc.db"
    with Store(db) as store:
        report = import_targets(store, [str(source)], load_model=nlp.load)
    return db, report.ids[0]


async def test_page_down_reads_a_sentence_taller_than_the_screen_to_its_end(tmp_path: Path) -> None:
    """A sentence longer than the window showed its first 20 lines only: space and pagedown
    moved the cursor to the next sentence (or, on the last one, did nothing), so its end (here
    the pledge) could not be read from the keyboard. Now they page through it first."""
    db, article = import_text(tmp_path, "treaty.txt", ARTICLE)
    app = ReaderApp(Store(db), annotator="fc", article_id=article)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        long_index = next(i for i, s in enumerate(view.sentences) if view.text[s.start:s.end].startswith("The treaty"))
        await pilot.press(*["j"] * long_index)
        assert view.cursor == long_index
        assert "before the winter recess" not in screen_text(app)
        seen = []
        for _ in range(5):
            await pilot.press("space")
            await pilot.pause()
            seen.append(view.cursor)
            if "before the winter recess" in screen_text(app):
                break
        assert "before the winter recess" in screen_text(app), seen
        assert view.cursor == long_index  # paged through the sentence, the cursor stays on it
        await pilot.press("3")  # the label goes to the sentence being read
        assert view.cursor == long_index + 1
        await pilot.press("k", "pagedown", "pagedown", "pagedown", "pageup")
        assert view.cursor == long_index and "before the winter recess" not in screen_text(app)
        for _ in range(5):
            await pilot.press("pageup")
        assert view.cursor < long_index  # at its start, pageup moves on as before
        await pilot.press("G", "space")  # an ordinary last sentence: space still does nothing
        assert view.cursor == len(view.sentences) - 1


async def test_at_60_columns_the_progress_and_status_columns_stay_whole(db: Path) -> None:
    """In a 60x20 window the library cut its progress column to "p" (no bar, no percentage)
    and the register cut the status to four letters ("uncl"): the flexible title, actor and
    action columns kept 24, 14 and 20 cells while the fixed columns at the right were cut."""
    from reader.tui.screens.commitments import CommitmentsScreen

    app = ReaderApp(Store(db), annotator="fc")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        shown = screen_text(app).splitlines()
        heading = next(line for line in shown if "title" in line)
        assert heading.rstrip().endswith("progress"), heading
        assert any(line.rstrip().endswith("0%") for line in shown), "\n".join(shown)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CommitmentsScreen)
        await pilot.press("4")  # the first commitment's status: unclear
        await pilot.pause()
        shown = screen_text(app)
        assert " status" in shown and "unclear" in shown, shown


def test_export_label_skipped_is_refused_not_an_empty_file(db: Path, india: str) -> None:
    """`reader export --label claimx` listed "(skipped)" among the known labels; `--label
    '(skipped)'` then exited 0 with an empty file (exports leave skips out), and with --all it
    wrote every unlabelled sentence instead. Now it is one line and exit 2, saying what to use."""
    from reader.model import LabelSet
    from reader.session import Session
    from tests.conftest import run_reader

    with Store(db) as store:
        session = Session(store, india, "fc", LabelSet())
        session.load()
        session.skip(0)
        session.label(1, "claim")
    wrong = run_reader("export", "--db", db, "--label", "claimx")
    assert wrong.returncode == 2 and "(skipped)" not in wrong.stderr, wrong.stderr
    for extra in ((), ("--all",)):
        proc = run_reader("export", "--db", db, "--label", "(skipped)", *extra)
        assert proc.returncode == 2, (extra, proc.stdout[:300])
        assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "--all" in proc.stderr


async def test_the_command_palette_offers_accept_once(db: Path, india: str) -> None:
    """ctrl+p listed "Accept" twice (enter's two bindings: accept, and the warning while
    suggestions are hidden); the second did nothing while suggestions were shown."""
    app = ReaderApp(Store(db), annotator="fc", article_id=india)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for hidden in (False, True):
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert titles.count("Accept") == 1, (hidden, titles)
            await pilot.press("S")


async def test_the_help_scrolls_with_the_article_keys(db: Path, india: str) -> None:
    """At 80x24 the label definitions sit below the key list; in the help, j and space (the
    keys that move in the article) did nothing: only the arrows and pagedown scrolled it."""
    from textual.containers import VerticalScroll

    from reader.tui.screens.help import HelpScreen

    app = ReaderApp(Store(db), annotator="fc", article_id=india)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("#help", VerticalScroll)
        await pilot.press("j")
        await pilot.pause()
        assert scroll.scroll_y == 1
        await pilot.press("space")
        await pilot.pause()
        assert scroll.scroll_y > 1
        await pilot.press("G")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y and "He urged" in screen_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)


async def test_an_article_without_entities_does_not_list_every_type(tmp_path: Path) -> None:
    """A pasted two-line article with no names, places or dates showed the legend of all
    twelve entity types (two lines at 80 columns), as if the article had them all."""
    db, article = import_text(tmp_path, "short.txt", "A short note\n\nThe minister vowed to resign if the bill failed.\n")
    app = ReaderApp(Store(db), annotator="fc", article_id=article)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "entities (e toggles): none found in this article" in shown, shown
        assert "PERSON" not in shown and "MONEY" not in shown


async def test_search_in_an_article_finds_names_typed_without_accents(tmp_path: Path) -> None:
    """The library's filter found "nunez" in the article about Mayor Núñez-García, but `/` in
    the article said "not found: garcia": the article's search matched accents exactly."""
    text = ("Tram line delayed again\n\nThe works began in 2011.\n\n"
            "Mayor Zoë Núñez-García said the line would open next year.\n\nA note by Łukasz Wójcik followed.\n")
    db, article = import_text(tmp_path, "tram.txt", text)
    app = ReaderApp(Store(db), annotator="fc", article_id=article)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        mayor = next(i for i, s in enumerate(view.sentences) if "Mayor" in view.text[s.start:s.end])
        for query in ("garcia", "NUNEZ", "García", "wojcik"):
            await pilot.press("g", "slash", *query, "enter")
            await pilot.pause()
            assert "not found" not in screen_text(app), query
            assert view.cursor == (mayor if query != "wojcik" else mayor + 1), query
            await pilot.press("escape")


def test_export_to_a_spreadsheet_name_is_refused_not_written_as_json_lines(db: Path, india: str, tmp_path: Path) -> None:
    """`reader export -o labels.xlsx` (and the register's) wrote JSON lines under a name Excel
    then refused to open; now one line says to use .csv, and nothing is written."""
    from reader.model import LabelSet
    from reader.session import Session
    from tests.conftest import run_reader

    with Store(db) as store:
        session = Session(store, india, "fc", LabelSet())
        session.load()
        session.label(0, "claim")
    for extra in ((), ("--format", "commitments")):
        out = tmp_path / "labels.xlsx"
        proc = run_reader("export", "--db", db, "-o", out, *extra)
        assert proc.returncode == 2 and "labels.csv" in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and not out.exists()
    proc = run_reader("export", "--db", db, "--format", "csv", "-o", tmp_path / "asked.xlsx")
    assert proc.returncode == 0, proc.stderr  # asked for CSV by name: written as asked
