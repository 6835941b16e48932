"""The annotator through Textual's Pilot: every key and screen, checked on screen and in SQLite."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.model import LabelSet
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.article_view import ArticleView
from tests.uihelp import INDIA, screen_text

SIZE = (110, 36)


def make_app(db: Path, article_id: str | None = None, **kwargs) -> ReaderApp:
    return ReaderApp(Store(db), annotator=kwargs.pop("annotator", "tester"), article_id=article_id, **kwargs)


def labels_in_db(db: Path, article_id: str, annotator: str = "tester") -> dict[int, str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT sentence_index, label FROM annotations WHERE article_id = ? AND annotator = ?", (article_id, annotator)
        ).fetchall()
        return dict(rows)
    finally:
        conn.close()


def status(app: ReaderApp) -> str:
    return app.screen.status_text().plain


async def test_library_lists_articles_and_opens_one(db: Path, india: str) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        shown = screen_text(app)
        assert "4 articles" in shown
        assert "India and Canada agree security" in shown
        table = app.screen.query_one("DataTable")
        table.move_cursor(row=table.get_row_index(india))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article_id == india
        assert status(app).startswith("sentence 1/")


async def test_cursor_keys_move_and_status_follows(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        total = len(view.sentences)
        assert total > 15
        await pilot.press("j", "j", "down")
        assert view.cursor == 3 and status(app).startswith(f"sentence 4/{total}")
        await pilot.press("k", "up")
        assert view.cursor == 1
        await pilot.press("G")
        assert view.cursor == total - 1 and status(app).startswith(f"sentence {total}/{total}")
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("k")  # stays on the first sentence
        assert view.cursor == 0
        await pilot.press("pagedown")
        after_page = view.cursor
        assert after_page > 1
        await pilot.press("pageup")
        assert view.cursor < after_page
        await pilot.press("space")
        assert view.cursor > 0


async def test_label_keys_commit_before_showing_and_auto_advance(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("1")
        assert labels_in_db(db, india) == {0: "commitment"}
        assert view.cursor == 1
        await pilot.press("2", "3")
        assert labels_in_db(db, india) == {0: "commitment", 1: "claim", 2: "background"}
        assert "3/" in status(app) and "C commitment 1" in status(app) and "L claim 1" in status(app)
        # the gutter shows a mark that needs no colour
        first_line = view.render_line(0 - view.scroll_offset.y).text
        assert "C" in first_line.split("India")[0]
        await pilot.press("A")  # auto-advance off
        assert "auto-advance off" in status(app)
        await pilot.press("2")
        assert view.cursor == 3 and labels_in_db(db, india)[3] == "claim"
        await pilot.press("3")  # relabel the same sentence
        assert labels_in_db(db, india)[3] == "background"


async def test_clear_with_0_and_x(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "1", "k")
        assert labels_in_db(db, india) == {0: "commitment", 1: "commitment"}
        await pilot.press("0")
        assert labels_in_db(db, india) == {0: "commitment"}
        await pilot.press("k", "x")
        assert labels_in_db(db, india) == {}
        conn = sqlite3.connect(db)
        actions = [r[0] for r in conn.execute("SELECT action FROM annotation_events ORDER BY id")]
        conn.close()
        assert actions == ["set", "set", "clear", "clear"]


async def test_undo_moves_back_and_redo_reapplies(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("1", "2", "j", "j")
        assert view.cursor == 4
        await pilot.press("u")
        assert view.cursor == 1 and labels_in_db(db, india) == {0: "commitment"}
        await pilot.press("u")
        assert view.cursor == 0 and labels_in_db(db, india) == {}
        await pilot.press("ctrl+r")
        assert labels_in_db(db, india) == {0: "commitment"}
        await pilot.press("U")
        assert labels_in_db(db, india) == {0: "commitment", 1: "claim"} and view.cursor == 1
        await pilot.press("U")  # nothing left to redo: nothing changes
        assert labels_in_db(db, india) == {0: "commitment", 1: "claim"}


async def test_undo_survives_quitting_and_reopening(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "2", "3", "q", "q")
    assert labels_in_db(db, india) == {0: "commitment", 1: "claim", 2: "background"}
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.cursor == 3  # resumes where it was left
        await pilot.press("u")
        assert view.cursor == 2
        assert labels_in_db(db, india) == {0: "commitment", 1: "claim"}
        assert "2/" in status(app)


async def test_reopening_far_down_shows_the_cursor_sentence(db: Path, india: str) -> None:
    with Store(db) as store:
        last = len(store.sentences(india)) - 1
        store.save_position(india, "tester", last)
    app = make_app(db, india)
    async with app.run_test(size=(80, 16)) as pilot:  # far fewer lines than the article has
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.cursor == last
        first, final = view.sentence_lines(last)
        top = view.scroll_offset.y
        assert top > 0 and top <= first and final < top + view.size.height
        assert "▶" in screen_text(app)  # the cursor arrow is on screen


async def test_next_and_previous_unlabelled(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("1", "1", "1", "g", "n")
        assert view.cursor == 3
        await pilot.press("j", "j", "N")
        assert view.cursor == 4
        await pilot.press("g", "N")  # none before the first: stays
        assert view.cursor == 0


async def test_search_finds_and_enter_goes_to_next_match(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash")
        for ch in "liaison":
            await pilot.press(ch)
        await pilot.press("enter")
        first = view.cursor
        sentence = view.sentences[first]
        assert "liaison" in view.text[sentence.start : sentence.end].lower()
        await pilot.press("enter")
        second = view.cursor
        assert second != first
        assert "liaison" in view.text[view.sentences[second].start : view.sentences[second].end].lower()
        await pilot.press("escape")
        assert view.has_focus
        await pilot.press("j")
        assert view.cursor == second + 1


async def test_a_new_search_finds_a_note_on_the_current_sentence(db: Path, india: str) -> None:
    """Regression: the query was stored before the notes were searched, so a new search skipped
    the note on the sentence under the cursor and went on to the next one."""
    with Store(db) as store:
        store.set_field(india, 0, "note", "zebra: check the quote", "tester")
        store.set_field(india, 3, "note", "another zebra", "tester")
        store.save_position(india, "tester", 0)
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.cursor == 0
        await pilot.press("slash", *"zebra", "enter")
        assert view.cursor == 0  # the note here is the first match
        await pilot.press("enter")
        assert view.cursor == 3  # enter again goes on to the next
        await pilot.press("enter")
        assert view.cursor == 0  # and wraps around


async def test_entities_coloured_with_legend_and_toggle(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        person = next(e for e in view.entities if e.label == "PERSON")
        assert "PERSON" in screen_text(app)
        word = person.text.split()[-1]

        def styles_of(word: str) -> set:
            found = set()
            for y in range(len(view.lines)):
                for seg in view._paint(y):  # noqa: SLF001
                    if word in seg.text:
                        found.add(seg.style.color.name if seg.style and seg.style.color else None)
            return found

        coloured = styles_of(word)
        await pilot.press("e")
        plain = styles_of(word)
        from reader.tui.theme import entity_class

        colour = view.style_of(entity_class(person.label)).color.name  # the theme's colour for it
        assert colour in coloured and colour not in plain
        assert not app.screen.query_one("#legend").display
        await pilot.press("e")
        assert styles_of(word) == coloured


async def test_help_lists_every_key_from_the_bindings(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for description in ("commitment", "claim", "background", "undo", "redo", "next unlabelled", "search", "entities", "auto-advance", "library", "page down"):
            assert description in shown, description
        await pilot.press("escape")
        assert isinstance(app.screen, ArticleScreen)


async def test_command_palette_offers_every_action(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {command.title.lower() for command in app.get_system_commands(app.screen)}
        for action in ("commitment", "claim", "background", "undo", "redo", "search", "next unlabelled"):
            assert action in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "background":
            await pilot.press(ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert labels_in_db(db, india) == {0: "background"}


async def test_click_selects_a_sentence(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        first, last = view.sentence_lines(3)
        left = view._left() + 4  # noqa: SLF001 - the gutter sits left of the text
        await pilot.click(ArticleView, offset=(left + 2, first))
        assert view.cursor == view.sentence_at_x_y(left + 2, first)
        assert view.cursor >= 2


async def test_back_to_library_shows_progress_and_resumes(db: Path, india: str) -> None:
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1", "2", "j", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert "2/" in screen_text(app)  # labelled count in the header
        table = app.screen.query_one("DataTable")
        assert str(table.get_cell(india, "labelled")) == "2"
        table.move_cursor(row=table.get_row_index(india))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(ArticleView).cursor == 3
        await pilot.press("q", "q")
    assert app.return_code == 0 or app.return_code is None


async def test_library_filter(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.row_count == 4
        await pilot.press("slash")
        for ch in "measles":
            await pilot.press(ch)
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 4


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short absolute path, for a path the test types one key at a time
    (tmp_path's is some 60 characters)."""
    with tempfile.TemporaryDirectory(prefix="rd-") as folder:
        yield Path(folder)


async def test_library_add_and_delete(db: Path, short_dir: Path) -> None:
    extra = short_dir / "extra.txt"
    extra.write_text("Port talks resume\n\nThe two unions agreed to return to talks on Monday. Management said it welcomed the move.\n")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        for ch in str(extra):
            await pilot.press(ch)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.row_count == 5
        conn = sqlite3.connect(db)
        new_id = conn.execute("SELECT id FROM articles WHERE source = ?", (str(extra),)).fetchone()[0]
        assert conn.execute("SELECT count(*) FROM sentences WHERE article_id = ?", (new_id,)).fetchone()[0] >= 2
        conn.close()
        # label it, then delete it: the labels go, their history stays in the event log
        table.move_cursor(row=table.get_row_index(new_id))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1", "escape")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        table.move_cursor(row=table.get_row_index(new_id))
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # declined: still there
        await pilot.pause()
        assert table.row_count == 5
        await pilot.press("d", "y")
        await pilot.pause()
        assert table.row_count == 4
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles WHERE id = ?", (new_id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM annotations WHERE article_id = ?", (new_id,)).fetchone()[0] == 0
    actions = [r[0] for r in conn.execute("SELECT action FROM annotation_events WHERE article_id = ? ORDER BY id", (new_id,))]
    conn.close()
    assert actions == ["set", "delete"]


async def test_first_run_imports_the_samples(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.row_count == 4
        assert all(str(table.get_cell(key, "sentences")).isdigit() for key in table.rows)  # all parsed
    with Store(db) as store:
        assert not store.unparsed()


async def test_unparsed_article_shows_text_at_once_then_entities(tmp_path: Path) -> None:
    from reader.pipeline import import_targets

    db = tmp_path / "fresh.db"
    source = Path(__file__).resolve().parents[1] / "sample_articles" / INDIA
    with Store(db) as store:
        report = import_targets(store, [str(source)], load_model=lambda: None, parse=False)
        assert not store.is_parsed(report.ids[0])
    app = make_app(db, report.ids[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # the text is there before any sentence or entity is known
        assert "Doval" in screen_text(app)
        for _ in range(3600):  # the parse starts after the first paint, at nice 10: minutes beside a busy worker
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            if app.screen.parsed:
                break
        view = app.screen.query_one(ArticleView)
        assert view.sentences and view.entities
        assert status(app).startswith("sentence 1/")
        await pilot.press("1")
        assert labels_in_db(db, report.ids[0]) == {0: "commitment"}


async def test_custom_label_set(db: Path, india: str) -> None:
    labels = LabelSet.parse("pledge,denial,context,other")
    app = make_app(db, india, labels=labels)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("4", "1", "5", "9")  # 5 and 9 are not labels: nothing happens
        assert labels_in_db(db, india) == {0: "other", 1: "pledge"}
        assert "pledge 1" in status(app) and "other 1" in status(app)
        assert "denial" in screen_text(app)  # the footer names the keys by label


async def test_keymap_remaps_a_binding_by_id(db: Path, india: str) -> None:
    app = make_app(db, india)
    app.set_keymap({"article.next": "l", "article.label-1": "c"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("l")
        assert view.cursor == 1
        await pilot.press("c")
        assert labels_in_db(db, india) == {1: "commitment"}


async def test_key_bar_names_keys_from_keymap_and_label_set(db: Path, india: str) -> None:
    app = make_app(db, india, labels=LabelSet.parse("pledge,denial,context"))
    app.set_keymap({"article.label-1": "c", "article.search": "f"})
    # wide enough for the search hint: a narrower bar leaves out the hints after "l least sure"
    # and keeps "? help" (issue 17, item 24)
    async with app.run_test(size=(150, 36)) as pilot:
        await pilot.pause()
        bar = screen_text(app).splitlines()[-1]
        assert bar.startswith(" c pledge  2 denial  3 context ")
        assert " f search " in bar and " / search " not in bar
        assert not app.screen.query("Footer")  # one widget, not a widget per key


async def test_clicking_a_key_hint_presses_that_key(db: Path, india: str) -> None:
    from reader.tui.widgets.key_bar import KeyBar

    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = screen_text(app).splitlines()[-1]
        await pilot.click(KeyBar, offset=(bar.index(" claim ") + 2, 0))
        await pilot.pause()
        assert labels_in_db(db, india) == {0: "claim"}
        await pilot.click(KeyBar, offset=(bar.index(" undo ") + 2, 0))
        await pilot.pause()
        assert labels_in_db(db, india) == {}


MARKUP = "Wire copy [Reuters] and [bold]x[/bold] and [link=http://e.x]y[/link] and [@click=app.quit]z[/]"


async def test_markup_in_articles_shows_literally_everywhere(tmp_path: Path) -> None:
    from reader import nlp
    from reader.pipeline import import_targets

    source = tmp_path / "[red]markup[red].txt"
    source.write_text(f"[b]Title[/b] with [Reuters]\n\n{MARKUP}. Officials said so.\n")
    db = tmp_path / "markup.db"
    with Store(db) as store:
        report = import_targets(store, [str(source)], load_model=nlp.load)
    app = make_app(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        library = screen_text(app)
        assert "[b]Title[/b] with [Reuters]" in library
        assert "[red]markup" in library
        app.open_article(report.ids[0])
        await pilot.pause()
        shown = screen_text(app)
        assert "[bold]x[/bold]" in shown and "[Reuters]" in shown and "[@click=app.quit]z[/]" in shown
        await pilot.press("slash")
        for ch in "[nothing]":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert "not found: [nothing]" in screen_text(app)
        assert app.is_running  # the [@click=app.quit] text did not act


async def test_control_characters_never_reach_the_screen(tmp_path: Path) -> None:
    from reader import nlp
    from reader.pipeline import import_targets

    source = tmp_path / "controls.txt"
    source.write_bytes(
        b"Evil \x1b]0;pwned\x07title\n\nText with \x1b[31mred\x1b[0m and \x1b]52;c;ZXZpbA==\x07 clip and \xe2\x80\xaeRLO and bell\x07 here.\n"
    )
    db = tmp_path / "controls.db"
    with Store(db) as store:
        report = import_targets(store, [str(source)], load_model=nlp.load)
    app = make_app(db, report.ids[0])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "Text with red and  clip and RLO and bell here." in shown
        assert not any(ch in shown for ch in "\x1b\x07\u202e")
        assert "pwned" not in shown


def test_opening_a_parsed_article_does_not_import_spacy(db: Path, india: str) -> None:
    """In a fresh process: library, article, labels, back, all without spaCy or its model."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from reader.store import Store
        from reader.tui.app import ReaderApp

        async def main():
            app = ReaderApp(Store({str(db)!r}), annotator="tester", article_id={india!r})
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                await pilot.press("1", "j", "2", "escape")
                await pilot.pause()
                await app.workers.wait_for_complete()
                print(type(app.screen).__name__, "spacy" in sys.modules, "thinc" in sys.modules)

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["LibraryScreen", "False", "False"]
    assert labels_in_db(db, india) == {0: "commitment", 2: "claim"}


def burst(app: ReaderApp, keys: str) -> None:
    """Post keys at once, as a paste or a slow SSH link delivers them: none waits for the one
    before to be handled (Pilot's `press` waits after each)."""
    from textual import events

    names = {"/": "slash", " ": "space", "\r": "enter", "\x1b": "escape"}
    for ch in keys:
        app.post_message(events.Key(names.get(ch, ch), ch))


async def test_keys_typed_straight_after_enter_or_escape_on_a_line_reach_the_article(db: Path, india: str) -> None:
    """Regression: enter on the note line, or escape on the search or note line, closed it only
    when the line's message was handled, after the keys already queued had been routed: in "m",
    "ok", enter, "2" typed fast the "2" went into the hidden line instead of labelling the
    sentence, and so did a label typed straight after escape. The search line stays open on
    enter (enter finds the next match), so keys after that enter stay in the line."""
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "mok\r2")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen) and screen.view.has_focus
        assert not screen.query_one("#note").display
        assert screen.session.notes.get(0) == "ok"
        burst(app, "/zz\ry")
        await pilot.pause()
        await pilot.pause()
        search = screen.query_one("#search")
        assert search.value == "zzy" and search.has_focus
        at = screen.view.cursor
        burst(app, "\x1b3")
        await pilot.pause()
        await pilot.pause()
        assert screen.view.has_focus and not search.display and screen.is_current
        burst(app, "mno\x1b1")
        await pilot.pause()
        await pilot.pause()
        assert screen.view.has_focus and not screen.query_one("#note").display
    assert labels_in_db(db, india) == {0: "claim", at: "background", at + 1: "commitment"}
    assert at > 0


async def until(pilot, condition, seconds: float = 5.0) -> None:
    """Pause until `condition()` holds (the keys of a burst wait for a new screen to mount)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)


async def test_keys_typed_straight_after_a_key_that_changes_screen_reach_the_new_screen(db: Path) -> None:
    """Regression: a screen is pushed or popped asynchronously, and Textual routes each key as it
    arrives: a label typed straight after enter in the library was lost, and "q j" from an
    article moved the library's cursor before it was put back on the article just left, so the
    next enter opened the same article again."""
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        from textual.widgets import DataTable

        library = app.screen
        assert isinstance(library, LibraryScreen)
        rows = [row.key.value for row in library.query_one(DataTable).ordered_rows]
        burst(app, "\r2")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen) and labels_in_db(db, rows[0]))
        assert app.screen.article_id == rows[0]
        assert list(labels_in_db(db, rows[0]).values()) == ["claim"]
        burst(app, "qj\r1")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen) and labels_in_db(db, rows[1]))
        assert app.screen.article_id == rows[1]
        assert list(labels_in_db(db, rows[1]).values()) == ["commitment"]
        burst(app, "q")
        await until(pilot, lambda: app.screen is library)
        assert library.selected_id() == rows[1]


async def test_keys_typed_straight_after_slash_or_m_reach_the_line(db: Path, india: str) -> None:
    """Regression: the line took the focus only after the keys already queued were routed, so
    "/2026" typed fast labelled a sentence a claim and "/liquid" quit at the "q"."""
    app = make_app(db, india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "/1 3q")
        await pilot.pause()
        await pilot.pause()
        search = app.screen.query_one("#search")
        assert isinstance(app.screen, ArticleScreen) and search.value == "1 3q" and search.has_focus
        await pilot.press("slash")  # in the line "/" is text, not a new search
        assert search.value == "1 3q/"
        await pilot.press("escape")
        burst(app, "m2 q/")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#note").value == "2 q/"
        await pilot.press("escape")
        await pilot.pause()
    assert labels_in_db(db, india) == {}

    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "/measles")  # the library's "m" switches assigned / all, its "q" quits
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and app.screen.query_one("#filter").value == "measles"
        assert app.screen.query_one("DataTable").row_count == 1
