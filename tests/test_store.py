"""The store's contract, in process: labels, undo across restarts, migrations, restores, and
the annotation session the article screen draws."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reader.model import Article, ExportedLabel, LabelSet, Parsed, Sentence
from reader.session import Session
from reader.store import SCHEMA_VERSION, Store, StoreError

FIXTURES = Path(__file__).parent / "fixtures"
TEXT = "First sentence here. Second one follows. Third closes it.\n\nA new paragraph starts. It ends."


def parsed(text: str = TEXT) -> Parsed:
    """Sentences at each full stop: five of them."""
    spans = [m.span() for m in re.finditer(r"[^\s.][^.]*\.", text)]
    return Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "test", "1")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "reader.db") as s:
        yield s


@pytest.fixture
def article(store: Store) -> str:
    a = Article(TEXT, title="Test")
    store.add_article(a, parsed())
    return a.id


def events(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT sentence_index, annotator, action, label, previous, field, provenance, uid FROM annotation_events ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


# --- labels and their history -----------------------------------------------------------------


def test_set_clear_and_the_event_log(store: Store, article: str) -> None:
    assert store.set_label(article, 0, "claim", "asha").label == "claim"
    assert store.set_label(article, 0, "claim", "asha") is None  # already so: nothing written
    change = store.set_label(article, 0, None, "asha")
    assert (change.label, change.previous) == (None, "claim")
    log = events(store.path)
    assert [(e[2], e[3], e[4]) for e in log] == [("set", "claim", None), ("clear", None, "claim")]
    assert all(e[5] is None and e[6] is None for e in log)  # the label field, set by hand
    assert len({e[7] for e in log}) == 2 and all(len(e[7]) == 32 for e in log)  # unique ids for merging


def test_undo_and_redo_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with Store(db) as s:
        a = Article(TEXT)
        s.add_article(a, parsed())
        s.set_label(a.id, 0, "claim", "asha")
        s.set_label(a.id, 1, "background", "asha")
        s.set_label(a.id, 1, "commitment", "ben")
    with Store(db) as s:
        undone = s.undo(a.id, "asha")
        assert (undone.sentence_index, undone.label, undone.previous) == (1, None, "background")
    with Store(db) as s:
        assert s.labels(a.id, "asha") == {0: "claim"}
        assert s.labels(a.id, "ben") == {1: "commitment"}  # another annotator's history is theirs
        assert s.redo(a.id, "asha").label == "background"
        assert s.redo(a.id, "asha") is None
        s.set_label(a.id, 2, "claim", "asha")
        assert s.undo(a.id, "asha").sentence_index == 2
        assert s.undo(a.id, "asha").sentence_index == 1
        assert s.undo(a.id, "asha").sentence_index == 0
        assert s.undo(a.id, "asha") is None
        assert s.labels(a.id, "asha") == {}


def test_delete_keeps_the_history_in_the_log(store: Store, article: str) -> None:
    store.set_label(article, 0, "claim", "asha")
    store.delete_article(article, "asha")
    assert not store.has_article(article)
    assert [e[2] for e in events(store.path)] == ["set", "delete"]


def test_restore_adds_labels_once(store: Store) -> None:
    a = Article(TEXT, title="Restored")
    labels = [ExportedLabel(0, "claim", "gold", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z")]
    assert store.restore_export(a.id, a, parsed(), labels)[:2] == (True, 1)
    assert store.restore_export(a.id, a, parsed(), labels)[:2] == (False, 0)
    (row,) = store.dataset([a.id])
    assert row.labels[0][0].created == "2026-01-01T00:00:00.000Z"  # the times the export carried
    assert row.labels[0][0].updated == "2026-01-02T00:00:00.000Z"
    assert [e[2] for e in events(store.path)] == ["import"]


def test_no_label_without_its_event(store: Store, article: str) -> None:
    """Whatever wrote it, every current label is the last value its event log gives it."""
    store.set_label(article, 0, "claim", "asha")
    store.set_label(article, 1, "claim", "asha")
    store.undo(article, "asha")
    store.restore_export(article, store.article(article), None, [ExportedLabel(2, "background", "gold", None, "2026-01-01T00:00:00.000Z")])
    latest: dict[tuple, str | None] = {}
    for index, annotator, _action, label, *_ in events(store.path):
        latest[(index, annotator)] = label
    current = {(i, a): label for i, a, label in store._all("SELECT sentence_index, annotator, label FROM annotations")}
    assert current == {k: v for k, v in latest.items() if v is not None}


# --- migrations -------------------------------------------------------------------------------


def test_a_version_1_database_is_brought_forward(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "v1.db", db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    before_events = conn.execute("SELECT * FROM annotation_events ORDER BY id").fetchall()
    before_labels = conn.execute("SELECT * FROM annotations ORDER BY 1, 2, 3").fetchall()
    conn.close()
    with Store(db) as s:
        (article,) = s.article_ids()
        assert s.labels(article, "asha") == {0: "background", 1: "commitment", 3: "claim"}
        # the history written by version 1 still drives undo
        undone = s.undo(article, "asha")
        assert (undone.sentence_index, undone.label) == (3, None)
        s.set_label(article, 7, "claim", "asha")
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        after = conn.execute("SELECT id, article_id, sentence_index, annotator, action, label, previous, target, created FROM annotation_events ORDER BY id").fetchall()
        assert after[: len(before_events)] == before_events  # the log was extended, never rewritten
        old_rows = conn.execute("SELECT field, provenance, uid FROM annotation_events WHERE id <= ?", (len(before_events),)).fetchall()
        assert set(old_rows) == {(None, None, None)}
        assert conn.execute("SELECT uid FROM annotation_events ORDER BY id DESC LIMIT 1").fetchone()[0]
        labels = conn.execute("SELECT article_id, sentence_index, annotator, label, created, updated FROM annotations ORDER BY 1, 2, 3").fetchall()
        assert [r for r in labels if r[1] != 3 and r[1] != 7] == [r for r in before_labels if r[1] != 3]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"sentence_fields", "suggestions", "models", "assignments", "commitments", "serve_tokens"} <= tables
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE annotation_events SET label = 'x'")
    finally:
        conn.close()


def test_a_newer_schema_is_refused_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    shutil.copy(FIXTURES / "v1.db", db)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer reader"):
        Store(db)
    assert db.read_bytes() == before


# --- several connections ----------------------------------------------------------------------


def test_data_version_sees_what_others_commit(store: Store, article: str) -> None:
    seen = store.data_version()
    store.set_label(article, 0, "claim", "asha")
    assert store.data_version() == seen  # our own writes are no news
    with Store(store.path) as other:
        other.set_label(article, 1, "claim", "ben")
    assert store.data_version() != seen


def test_a_second_connection_in_a_thread_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    # Regression: opening the database in a worker thread read its header with open(); closing
    # that descriptor dropped every POSIX lock of the process, so the next process to close its
    # connection thought it was the last one and deleted the write-ahead log under the reader
    # ("disk I/O error").
    db = tmp_path / "r.db"
    with Store(db) as ui:
        a = Article(TEXT)
        ui.add_article(a, parsed())
        ui.set_label(a.id, 0, "claim", "asha")

        def worker() -> None:
            with Store(db) as s:
                s.article_ids()

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        code = f"from reader.store import Store\nwith Store({str(db)!r}) as s: s.article_ids()"
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        assert os.path.exists(f"{db}-wal")
        assert ui.labels(a.id, "asha") == {0: "claim"}
        ui.set_label(a.id, 1, "claim", "asha")


# --- the annotation session -------------------------------------------------------------------


def test_session_labels_counts_and_marks(store: Store, article: str) -> None:
    session = Session(store, article, "asha", LabelSet())
    assert session.load() and len(session.sentences) == 5
    outcome = session.label(0, "claim")
    assert outcome.changed == {0} and session.counts == {"claim": 1}
    assert session.mark(0).label == "claim" and session.mark(1).label is None
    session.label(0, "background")
    assert session.counts == {"background": 1}
    assert session.undo().change.label == "claim"
    assert session.counts == {"claim": 1}
    assert session.label(0, "claim") is None  # the database already holds it


def test_two_windows_of_one_annotator_never_count_below_zero(tmp_path: Path) -> None:
    # Regression: `1` in one window and `2` in another gave "commitment -1 claim 1".
    db = tmp_path / "r.db"
    with Store(db) as s1, Store(db) as s2:
        a = Article(TEXT)
        s1.add_article(a, parsed())
        one = Session(s1, a.id, "asha", LabelSet())
        two = Session(s2, a.id, "asha", LabelSet())
        one.load()
        two.load()
        one.label(3, "commitment")
        two.label(3, "claim")  # the other window changes the same sentence
        assert dict(two.counts) == {"claim": 1}
        assert one.refresh() == {3}
        assert dict(one.counts) == {"claim": 1} and one.labels == {3: "claim"}
        # undo in the first window undoes what the database says came last: the second's change
        undone = one.undo()
        assert (undone.change.sentence_index, undone.change.label, undone.change.previous) == (3, "commitment", "claim")
        assert dict(one.counts) == {"commitment": 1}
        assert two.refresh() == {3} and dict(two.counts) == {"commitment": 1}
        assert all(n >= 0 for n in one.counts.values())


def test_the_event_row_is_the_table_the_migrations_make(tmp_path: Path) -> None:
    """reader.store.events defines the event row once; the migrations (history, never edited)
    must make exactly that table, and the one write path's Entry must carry every written column."""
    from dataclasses import fields

    from reader.store.events import WRITTEN, Event
    from reader.store.labels import Entry

    with Store(tmp_path / "r.db"):
        pass
    conn = sqlite3.connect(tmp_path / "r.db")
    try:
        table = tuple(row[1] for row in conn.execute("PRAGMA table_info(annotation_events)"))
    finally:
        conn.close()
    assert table == Event._fields
    assert set(WRITTEN) <= {f.name for f in fields(Entry)}


def test_an_entry_is_written_as_the_row_it_says(store: Store, article: str) -> None:
    """Every written column reaches the log under its own name (the INSERT and the row are both
    derived from reader.store.events)."""
    from reader.store.events import COLUMNS, Event
    from reader.store.labels import Entry, write

    entry = Entry(article, 1, "ann", "set", "claim", None, field="note", provenance="hand?", suggested='{"x": 1}',
                  created="2026-01-02T03:04:05.000Z", uid="u-1")
    with store._write() as conn:
        event_id = write(conn, entry)
    row = Event._make(store.db.conn.execute(f"SELECT {COLUMNS} FROM annotation_events WHERE id = ?", (event_id,)).fetchone())
    assert row == Event(event_id, article, 1, "ann", "set", "claim", None, None, "2026-01-02T03:04:05.000Z", "note",
                        "hand?", '{"x": 1}', "u-1")
