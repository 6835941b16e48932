"""Large libraries: the summary tables of schema 5 stay equal to a count over the rows they
summarise whatever writes them (labels, undo, skips, delete, import again, merge, restore, a
migration), and the library, which holds a window of the articles, reaches every one; the
commitment register kept as rows (schema 6) stays equal to the register computed afresh, in
every order and filter."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

from reader import tracker
from reader.model import SKIPPED, STATUSES, Article, Parsed, Sentence
from reader.pipeline import sample_dir
from reader.register_order import actor_key, deadline, group_keys, haystack, sort_columns
from reader.store import Store
from reader.store.register import computed
from reader.tui.app import ReaderApp
from reader.tui.screens.library import PAGE, LibraryScreen
from reader.tui.widgets.rows import MARGIN
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
        table.move_cursor(row=PAGE - MARGIN - 10)  # inside the first window, short of where it moves, then
        await pilot.pause()
        for _ in range(MARGIN + 20):  # past its end, a key at a time
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
        table.move_cursor(row=PAGE - MARGIN - 10)  # inside the first window, short of where it moves, then past its end a key at a time
        await pilot.pause()
        for _ in range(MARGIN + 15):
            await pilot.press("j")
        await pilot.pause()
        assert screen.selected().value("action") == actions[PAGE + 5]
        assert actions[PAGE + 5] in screen_text(app)  # in the header's sentence and the row
        for _ in range(2 * PAGE // 10):  # the table's own key moves the window on too
            await pilot.press("pagedown")
            if screen.selected().value("action") == actions[-1]:
                break
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


# --- the register kept as rows (schema 6) ------------------------------------------------------


def assert_register_right(db: Path) -> list:
    """The kept register rows hold what computing the register over every sentence gives: the
    same commitments, listed or not, read or not, with the same sort, group and filter keys, the
    trigram index in step with them and each actor's count; returns the register."""
    with Store(db) as store:
        store.refresh_register()
        full = computed(store.conn)
        listed = [item for item, shown, _, _ in full if shown]
        assert store.register() == listed
        assert [(i.article_id, i.sentence_index) for i, _, read, _ in sorted(full, key=lambda r: (r[0].article_id, r[0].sentence_index))
                if not read] == [(a, i) for a, indexes in store.needing_extraction().items() for i in indexes]
        groups = group_keys(actor_key(i) for i in listed)
        wanted = {
            (i.article_id, i.sentence_index): (int(shown), int(read), imported, *{**sort_columns(i), **({} if shown else {"hay": ""})}.values(),
                                               groups[actor_key(i)] if shown else None)
            for i, shown, read, imported in full
        }
        kept = {
            (r[0], r[1]): (*r[2:-1], r[-1] if r[2] else None)
            for r in store.conn.execute(
                """SELECT article_id, sentence_index, listed, extracted, imported_at, actor_key, deadline_sort, when_value,
                          status_rank, date_key, hay, actor_group FROM register_rows""")
        }
        assert kept == wanted
        assert dict(store.conn.execute("SELECT actor_key, n FROM register_actors")) == dict(Counter(actor_key(i) for i in listed))
        assert store.register_groups_of() == groups
        grams = Counter(g for i in listed for g in {*haystack(i), *(haystack(i)[k : k + 2] for k in range(len(haystack(i)) - 1))})
        assert dict(store.conn.execute("SELECT gram, n FROM register_grams")) == dict(grams)
        store.conn.execute("INSERT INTO register_text (register_text, rank) VALUES ('integrity-check', 1)")
        assert store.register_count() == len(listed) and store.register_labelled() == sum(i.origin == "labelled" for i in listed)
        assert not store.conn.execute("SELECT count(*) FROM register_dirty").fetchone()[0]
    return listed


OLD_KEYS = {  # the register's orders as the screen sorted them in Python before schema 6
    "actor": lambda c, g: (g[actor_key(c)] or "\uffff",),
    "when": lambda c, g: ((deadline(c).isoformat() if deadline(c) else "\uffff"), c.value("when") or ""),
    "status": lambda c, g: (STATUSES.index(c.status),),
    "date": lambda c, g: (c.article_date or "",),
    "grouped": lambda c, g: (g[actor_key(c)], c.article_date or "", c.sentence_index),
}


def test_the_register_rows_follow_labels_undo_status_corrections_delete_and_import_again(db: Path, india: str) -> None:
    register = assert_register_right(db)  # as `reader import` left them
    mine = [c for c in register if c.article_id == india]
    suggested = [c for c in mine if c.origin == "suggested"]
    assert len(suggested) >= 3
    with Store(db) as store:
        other = next(i for i in range(40) if i not in {c.sentence_index for c in mine})
        store.set_label(india, other, "commitment", "asha")  # labelled: in, as labelled
        store.set_label(india, suggested[0].sentence_index, "claim", "asha")  # labelled otherwise: out
        store.set_label(india, suggested[1].sentence_index, "commitment", "asha")
        store.set_label(india, suggested[1].sentence_index, "claim", "ben")  # a tie of two: the latest, claim
        store.set_field(india, suggested[2].sentence_index, "review", "background", "rev")  # a reviewer says otherwise
    register = assert_register_right(db)
    keys = {(c.article_id, c.sentence_index): c for c in register}
    assert keys[(india, other)].origin == "labelled"
    assert {(india, suggested[0].sentence_index), (india, suggested[1].sentence_index)}.isdisjoint(keys)
    with Store(db) as store:
        kept = keys[(india, suggested[3].sentence_index)] if len(suggested) > 3 else keys[(india, other)]
        tracker.set_status(store, kept, "kept", "asha")
        tracker.correct(store, kept, "actor", "Helena Marsh", "asha")
        tracker.correct(store, kept, "when", "by March 2027", "asha")
        tracker.set_note(store, kept, "a note the filter finds: zebra", "asha")
        store.refresh_register()  # what the screen does on reload
        assert store.register_count("zebra") == 1 and store.register_count("ze") >= 1
        tracker.undo(store, "asha")  # the note
        tracker.undo(store, "asha")  # the time
        tracker.redo(store, "asha")
        store.undo(india, "ben")  # ben's claim: asha's commitment stands again
    register = assert_register_right(db)
    keys = {(c.article_id, c.sentence_index): c for c in register}
    assert (india, suggested[1].sentence_index) in keys
    changed = keys[(kept.article_id, kept.sentence_index)]
    assert (changed.status, changed.value("actor"), changed.value("when"), changed.note) == ("kept", "Helena Marsh", "by March 2027", None)
    with Store(db) as store:
        store.delete_article(india, "asha")
    assert all(c.article_id != india for c in assert_register_right(db))
    # imported again, the article gets its labels back from the log, and its register rows with them
    again = run_reader("import", str(sample_dir() / INDIA), "--db", str(db))
    assert again.returncode == 0, again.stderr
    register = assert_register_right(db)
    assert (india, other) in {(c.article_id, c.sentence_index) for c in register}


def test_the_register_rows_follow_a_merge_a_restored_export_and_a_renamed_article(db: Path, india: str, tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.db"
    shutil.copy(db, theirs)
    suggested = [c for c in assert_register_right(db) if c.article_id == india and c.origin == "suggested"]
    with Store(theirs) as store:
        store.set_label(india, suggested[0].sentence_index, "background", "ben")
        tracker.set_status(store, suggested[1], "broken", "ben")
    merged = run_reader("merge", "--db", str(db), str(theirs))
    assert merged.returncode == 0, merged.stderr
    keys = {(c.article_id, c.sentence_index): c for c in assert_register_right(db)}
    assert (india, suggested[0].sentence_index) not in keys and keys[(india, suggested[1].sentence_index)].status == "broken"
    out = tmp_path / "labels.jsonl"
    assert run_reader("export", "-o", str(out), "--db", str(db)).returncode == 0
    fresh = tmp_path / "restored.db"
    restored = run_reader("import", str(out), "--db", str(fresh))
    assert restored.returncode == 0, restored.stderr
    assert_register_right(fresh)
    conn = sqlite3.connect(db)  # what a merge of newer details writes: the title the register shows
    with conn:
        conn.execute("UPDATE articles SET title = 'Renamed on the other machine' WHERE id = ?", (india,))
    conn.close()
    assert {c.article_title for c in assert_register_right(db) if c.article_id == india} == {"Renamed on the other machine"}


def test_a_version_1_database_gets_its_register_rows_when_brought_forward(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "v1.db", db)
    with Store(db):
        pass
    assert [c.origin for c in assert_register_right(db)] == ["labelled"]


def test_every_order_and_filter_of_the_kept_register_is_the_one_python_gave(db: Path, india: str) -> None:
    with Store(db) as store:
        register = store.register()
        tracker.correct(store, register[0], "actor", "Marsh", "asha")
        tracker.correct(store, register[1], "actor", "Dr Helena Marsh", "asha")
        tracker.set_status(store, register[2], "broken", "asha")
        tracker.set_note(store, register[3], "Łódź «quoted» \"note\"", "asha")
    register = assert_register_right(db)
    groups = group_keys(actor_key(c) for c in register)
    assert groups["marsh"] == "dr helena marsh"
    with Store(db) as store:
        for order, key in OLD_KEYS.items():
            assert store.register_window(order, 0, len(register)) == sorted(register, key=lambda c: key(c, groups)), order
        assert store.register_window("article", 5, 3) == register[5:8]
        for needle in ("e", "ma", "MARSH", "łó", "ŁÓDŹ", "«quoted»", '"note"', "will", "no such words here"):
            found = [c for c in register if needle.lower() in haystack(c)]
            assert store.register_count(needle) == len(found), needle
            assert store.register_window("article", 0, len(register), needle=needle) == found, needle


def test_actor_groups_by_last_words_are_those_of_every_pair_compared() -> None:
    """group_keys looks each name's last words up instead of comparing every pair of names
    (a register of thousands of actors regrouped on a keypress); it must group as the pairwise
    rule did, commas and names of several parties included."""
    joined = {"and", "&", "or", "with"}

    def pairwise(keys: set[str]) -> dict[str, str]:
        root: dict[str, str] = {}
        for key in sorted(keys, key=lambda k: (-len(k.split()), k)):
            words = key.split()
            found = {root[longer] for longer in root if words and len(longer.split()) > len(words)
                     and longer.split()[-len(words):] == words and "," not in longer and not joined & set(longer.split())}
            root[key] = found.pop() if len(found) == 1 else key
        return root

    rng = random.Random(22)
    words = ["marsh", "helena", "dr", "the", "council", "and", "board", "port", "mayor", "lee", "ostmark,", "with", "&", "or"]
    for _ in range(300):
        keys = {" ".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 60))}
        assert group_keys(keys) == pairwise(keys), keys
    assert group_keys({"marsh", "helena marsh", "dr helena marsh", "veldra and marsh"})["marsh"] == "dr helena marsh"


def test_a_read_only_store_computes_the_marked_register_and_writes_nothing(db: Path, india: str) -> None:
    """`reader export` opens the database read-only: with sentences marked since the rows were
    kept, the register is computed afresh (as before schema 6), and the marks stay for a writer."""
    assert_register_right(db)
    with Store(db) as store:
        suggested = next(c for c in store.register() if c.article_id == india and c.origin == "suggested")
        store.set_label(india, suggested.sentence_index, "claim", "asha")
        marked = store.conn.execute("SELECT count(*) FROM register_dirty").fetchone()[0]
    assert marked
    with Store(db, readonly=True) as store:
        listed = store.register()
        assert (india, suggested.sentence_index) not in {(c.article_id, c.sentence_index) for c in listed}
        assert store.conn.execute("SELECT count(*) FROM register_dirty").fetchone()[0] == marked
    assert assert_register_right(db) == listed
