"""Large libraries: the summary tables of schema 5 stay equal to a count over the rows they
summarise whatever writes them (labels, undo, skips, delete, import again, merge, restore, a
migration), and the library, which holds a window of the articles, reaches every one."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from reader.model import SKIPPED, Article, Parsed, Sentence
from reader.pipeline import sample_dir
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.tui.screens.library import PAGE, LibraryScreen
from tests.conftest import run_reader
from tests.uihelp import INDIA, screen_text

FIXTURES = Path(__file__).parent / "fixtures"

SUMMARIES = {
    "article_counts": "SELECT article_id, sentences FROM article_counts WHERE sentences > 0",
    "label_progress": "SELECT article_id, annotator, labelled FROM label_progress WHERE labelled > 0",
    "label_totals": "SELECT annotator, label, n FROM label_totals WHERE n > 0",
    "suggestion_counts": "SELECT article_id, label_set, n FROM suggestion_counts WHERE n > 0",
    "library_totals": "SELECT name, n FROM library_totals",
}
COUNTED = {
    "article_counts": "SELECT article_id, count(*) FROM sentences GROUP BY 1",
    "label_progress": "SELECT article_id, annotator, count(*) FROM annotations GROUP BY 1, 2",
    "label_totals": "SELECT annotator, label, count(*) FROM annotations GROUP BY 1, 2",
    "suggestion_counts": "SELECT article_id, label_set, count(*) FROM suggestions GROUP BY 1, 2",
    "library_totals": "SELECT 'articles', count(*) FROM articles UNION ALL SELECT 'sentences', count(*) FROM sentences",
}


def assert_counts_right(db: Path) -> dict[str, set]:
    """Every summary table holds what a count over its rows gives (rows at zero aside)."""
    conn = sqlite3.connect(db)
    try:
        kept = {name: set(conn.execute(sql)) for name, sql in SUMMARIES.items()}
        counted = {name: set(conn.execute(sql)) for name, sql in COUNTED.items()}
    finally:
        conn.close()
    assert kept == counted
    return kept


def test_the_counts_follow_labels_undo_skips_delete_and_import_again(db: Path, india: str) -> None:
    kept = assert_counts_right(db)  # as `reader import` left them
    assert ("sentences", sum(n for _, n in kept["article_counts"])) in kept["library_totals"]
    with Store(db) as store:
        store.set_label(india, 0, SKIPPED, "asha")
        store.set_label(india, 1, "commitment", "asha")
        store.set_label(india, 2, "claim", "asha")
        store.set_label(india, 2, "background", "asha")  # a change of label moves one count to another
        store.set_label(india, 1, "claim", "ben")
        store.set_label(india, 3, "claim", "asha")
        store.set_label(india, 3, None, "asha")  # cleared
        store.set_field(india, 1, "note", "a note is not a label", "asha")
        store.undo(india, "asha")  # the note
        store.undo(india, "asha")  # the clear: claim again
        store.redo(india, "asha")
        store.undo(india, "asha")
        assert store.labels(india, "asha") == {0: SKIPPED, 1: "commitment", 2: "background", 3: "claim"}
        assert store.label_counts("asha") == {SKIPPED: 1, "background": 1, "claim": 1, "commitment": 1}
        assert store.label_counts() == {SKIPPED: 1, "background": 1, "claim": 2, "commitment": 1}
        assert store.stats("asha")["labelled"] == 3 and store.stats("asha")["skipped"] == 1
        kept = assert_counts_right(db)
        assert (india, "asha", 4) in kept["label_progress"] and (india, "ben", 1) in kept["label_progress"]
        articles, sentences = store.library_totals()
        store.delete_article(india, "asha")
        kept = assert_counts_right(db)
        assert store.library_totals()[0] == articles - 1 and store.library_totals()[1] < sentences
        assert not {row for row in kept["label_progress"] if row[0] == india}
        assert store.label_counts() == {}
    # imported again, the same text gets its labels back from the log, and its counts with them
    again = run_reader("import", str(sample_dir() / INDIA), "--db", str(db))
    assert again.returncode == 0, again.stderr
    kept = assert_counts_right(db)
    assert (india, "asha", 4) in kept["label_progress"]
    with Store(db) as store:
        assert store.label_counts("asha") == {SKIPPED: 1, "background": 1, "claim": 1, "commitment": 1}


def test_the_counts_follow_a_merge_and_a_restored_export(db: Path, india: str, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.db"
    shutil.copy(db, theirs)
    with Store(db) as store:
        store.set_label(india, 0, "claim", "asha")
        store.set_label(india, 1, "claim", "asha")
    with Store(theirs) as store:
        store.set_label(india, 0, "background", "ben")
        store.set_label(india, 2, "commitment", "ben")
    merged = run_reader("merge", "--db", str(db), str(theirs))
    assert merged.returncode == 0, merged.stderr
    kept = assert_counts_right(db)
    assert {(india, "asha", 2), (india, "ben", 2)} <= kept["label_progress"]
    out = tmp_path / "labels.jsonl"
    assert run_reader("export", "-o", str(out), "--db", str(db)).returncode == 0
    fresh = tmp_path / "restored.db"
    restored = run_reader("import", str(out), "--db", str(fresh))
    assert restored.returncode == 0, restored.stderr
    kept = assert_counts_right(fresh)
    assert {("asha", "claim", 2), ("ben", "background", 1), ("ben", "commitment", 1)} == kept["label_totals"]


def test_a_version_1_database_gets_its_counts_when_brought_forward(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "v1.db", db)
    conn = sqlite3.connect(db)
    before = dict(conn.execute("SELECT label, count(*) FROM annotations WHERE annotator = 'asha' GROUP BY label"))
    conn.close()
    with Store(db) as store:
        assert store.label_counts("asha") == before and before
        store.set_label(store.article_ids()[0], 7, "claim", "asha")
    assert_counts_right(db)


# --- the library a window at a time ------------------------------------------------------------

ARTICLES = 2 * PAGE + 50


def long_library(path: Path) -> list[tuple[str, str]]:
    """A library of ARTICLES short articles (stored as import stores them, with a parse made
    here); (id, title) newest import first, as the library lists them."""
    with Store(path) as store:
        for k in range(ARTICLES):
            title = f"Report number {k:03d} on the harbour"
            text = f"{title}\n\nThe council met on day {k} of the inquiry. It agreed to publish the findings.\n"
            head, first = len(title), text.index("The council")
            second = text.index("It agreed")
            sentences = (Sentence(0, 0, head), Sentence(1, first, second - 1), Sentence(2, second, len(text) - 1))
            store.add_article(Article(text=text, title=title, source=f"reports/{k:03d}.txt"),
                              Parsed(sentences=sentences, entities=(), model="test", model_version="0"))
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute("SELECT id, title FROM articles ORDER BY imported_at DESC, id"))
    finally:
        conn.close()


async def test_the_library_holds_a_window_and_reaches_the_last_article(tmp_path: Path) -> None:
    db = tmp_path / "long.db"
    order = long_library(db)
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        table = screen.query_one("DataTable")
        assert f"{ARTICLES} articles" in screen_text(app)
        assert 0 < table.row_count <= PAGE  # a window, never every article
        await pilot.press("G")
        await pilot.pause()
        last_id, last_title = order[-1]
        assert screen.selected_id() == last_id
        assert last_title in screen_text(app)  # the last article is on screen, under the cursor
        await pilot.press("g")
        await pilot.pause()
        assert screen.selected_id() == order[0][0] and order[0][1] in screen_text(app)
        for _ in range(PAGE + 10):  # past the first window's end, a key at a time
            await pilot.press("j")
        await pilot.pause()
        assert screen.selected_id() == order[PAGE + 10][0]
        assert order[PAGE + 10][1] in screen_text(app)
        await pilot.press("g")
        for _ in range(8):  # the table's own keys move the window too
            await pilot.press("pagedown")
        await pilot.pause()
        assert screen.first > 0
        assert screen.selected_id() == order[screen.first + table.cursor_row][0]
        await pilot.press("enter")  # opens the article under the cursor, then back to it
        await pilot.pause()
        opened = app.screen.article_id
        assert opened == order[screen.first + table.cursor_row][0]
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen and screen.selected_id() == opened


async def test_the_filter_counts_every_match_and_pages_through_them(tmp_path: Path) -> None:
    db = tmp_path / "long.db"
    order = long_library(db)
    app = ReaderApp(Store(db), annotator="asha")
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("DataTable")
        await pilot.press("slash", *"number 1")  # the titles "Report number 100" to "... 199"
        await pilot.pause()
        assert table.row_count == 100 and f"(100 of {ARTICLES} shown)" in screen_text(app)
        assert {table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(100)} == {
            i for i, t in order if "number 1" in t}
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("slash", *"harbour")  # every title, and more than a window of them
        await pilot.pause()
        assert f"({ARTICLES} of {ARTICLES} shown)" in screen_text(app)
        await pilot.press("enter", "G")
        await pilot.pause()
        assert screen.selected_id() == order[-1][0]


def long_register(path: Path, articles: int) -> list[str]:
    """A library whose every body sentence is a suggested commitment the extractor has read:
    two per article, actor and action as stored at parse; the register's rows (action), in
    the order it lists them (newest import first, then reading order)."""
    import datetime

    from reader.commitments.model import Commitment
    from reader.model import Suggestion

    day = datetime.date(2026, 3, 1)
    with Store(path) as store:
        for k in range(articles):
            title = f"Port deal {k:03d}"
            first, second = f"The port board will dredge channel {k:03d} by June.", f"The mayor will open pier {k:03d} next year."
            text = f"{title}\n\n{first} {second}\n"
            a = text.index(first)
            b = text.index(second)
            sentences = (Sentence(0, 0, len(title)), Sentence(1, a, a + len(first)), Sentence(2, b, b + len(second)))
            scores = {"commitment": 0.9, "claim": 0.05, "background": 0.05}
            suggestions = {i: Suggestion("commitment" if i else "background", 0.9, scores, "test", None) for i in range(3)}
            found = {
                i: (Commitment(actor=actor, actor_entities=(), actor_resolved=None, actor_note=None, action=action,
                               when=None, when_iso=None, trigger="will", confidence=0.9), day)
                for i, actor, action in ((1, "The port board", f"dredge channel {k:03d}"), (2, "The mayor", f"open pier {k:03d}"))
            }
            store.add_article(Article(text=text, title=title, source=f"ports/{k:03d}.txt"),
                              Parsed(sentences=sentences, entities=(), model="test", model_version="0",
                                     suggestions=suggestions, commitments=found))
        assert not store.needing_extraction()
        return [c.value("action") or "" for c in store.register()]


async def test_the_register_holds_a_window_and_reaches_its_last_commitment(tmp_path: Path) -> None:
    db = tmp_path / "register.db"
    actions = long_register(db, PAGE)  # 2 * PAGE commitments
    app = ReaderApp(Store(db), annotator="asha", start="commitments")
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("DataTable")
        assert f"{2 * PAGE} commitments" in screen_text(app)
        assert 0 < table.row_count <= PAGE
        for _ in range(PAGE + 5):
            await pilot.press("j")
        await pilot.pause()
        assert screen.selected().value("action") == actions[PAGE + 5]
        assert actions[PAGE + 5] in screen_text(app)  # in the header's sentence and the row
        for _ in range(2 * PAGE // 10):  # the table's own key moves the window on too
            await pilot.press("pagedown")
        await pilot.pause()
        assert screen.first > 0 and screen.selected().value("action") == actions[-1]
        assert actions[-1] in screen_text(app)
        await pilot.press("s")  # sorted by actor: the mayor's commitments, then the port board's
        await pilot.pause()
        assert screen.register.sort == "actor" and table.row_count <= PAGE
        assert [c.value("actor") for c in screen.shown][PAGE - 1 : PAGE + 1] == ["The mayor", "The port board"]
        await pilot.press("slash", *"pier 007")
        await pilot.pause()
        assert [c.value("action") for c in screen.shown] == ["open pier 007"] and table.row_count == 1


def test_the_library_filter_folds_case_beyond_ascii_and_forgets_deleted_articles(tmp_path: Path) -> None:
    db = tmp_path / "titles.db"
    text = "ÉBOLA RESPONSE IN ŁÓDŹ\n\nThe clinic opened a new ward on Monday.\n"
    with Store(db) as store:
        article = Article(text=text, title="ÉBOLA RESPONSE IN ŁÓDŹ", source="news/Łódź.txt")
        store.add_article(article, Parsed(sentences=(Sentence(0, 0, 22), Sentence(1, 24, len(text) - 1)), entities=(),
                                          model="test", model_version="0"))
        store.add_article(Article(text="Harbour news\n\nNothing else.\n", title="Harbour news"))
        # three letters and more: the trigram index; fewer: each title folded as Python folds it
        assert [store.library_count(w) for w in ("ébola", "response in łó", "łó", "ŁÓ", "ward")] == [1, 1, 1, 1, 1]
        assert [r.title for r in store.library_page("asha", needle="łódź")] == ["ÉBOLA RESPONSE IN ŁÓDŹ"]
        assert store.library_count('"') == 0 and store.library_count("NEWS") == 2  # a title, and a source
        store.delete_article(article.id, "asha")
        assert [store.library_count(w) for w in ("ébola", "łó", "ward", "news")] == [0, 0, 0, 1]
        assert store.library_count("") == 1
