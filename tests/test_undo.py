"""Undo and redo from stacks kept as rows (reader.store.undo): the same answers as replaying the
whole event log, whatever happened in between, and a version-2 database brought forward."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model import Article
from reader.store import SCHEMA_VERSION, Store
from reader.store.labels import LABEL_FIELDS, history
from reader.store.commitments import FIELDS as COMMITMENT_FIELDS
from reader.store.undo import DONE, UNDONE, View
from test_store import FIXTURES, TEXT, parsed

SECOND = "Another text begins. It has a middle. Then a third sentence. A fourth one. The last."

OPS = st.one_of(
    st.tuples(st.just("label"), st.sampled_from([0, 1]), st.integers(0, 4), st.sampled_from(["claim", "background", None]), st.sampled_from(["asha", "ben"])),
    st.tuples(st.just("note"), st.sampled_from([0, 1]), st.integers(0, 4), st.sampled_from(["a note", None]), st.sampled_from(["asha", "ben"])),
    st.tuples(st.just("status"), st.sampled_from([0, 1]), st.integers(0, 4), st.sampled_from(["done", None]), st.just("asha")),
    st.tuples(st.sampled_from(["undo", "redo"]), st.sampled_from([0, 1, None]), st.just(0), st.just(None), st.sampled_from(["asha", "ben"])),
    st.tuples(st.just("tracker-undo"), st.just(None), st.just(0), st.just(None), st.just("asha")),
    st.tuples(st.just("delete"), st.sampled_from([0, 1]), st.just(0), st.just(None), st.just("asha")),
)


def _stacks(store: Store, article_id: str | None, annotator: str, fields: frozenset) -> tuple[list[int], list[int]]:
    with store._write() as conn:
        view = View.open(conn, article_id, annotator, fields)
        kept = [i.id for i in view._read(DONE)], [i.id for i in view._read(UNDONE)]
        replayed = history(conn, article_id, annotator, fields)
    assert kept == ([e.id for e in replayed[0]], [e.id for e in replayed[1]])
    return kept


def _do(store: Store, op: str, article_id: str | None, index: int, value: str | None, who: str) -> None:
    if op == "label":
        store.set_label(article_id, index, value, who)
    elif op == "note":
        store.set_field(article_id, index, "note", value, who)
    elif op == "status":
        store.set_field(article_id, index, "commitment.status", value, who)
    elif op in ("undo", "redo"):
        getattr(store, op)(article_id, who)
    elif op == "tracker-undo":
        store.undo(None, who, COMMITMENT_FIELDS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=40))
def test_the_kept_stacks_are_the_stacks_a_full_replay_gives(tmp_path_factory, ops) -> None:
    db = tmp_path_factory.mktemp("undo") / "reader.db"
    articles = [Article(TEXT, title="one"), Article(SECOND, title="two")]
    texts = [TEXT, SECOND]
    with Store(db) as store:
        for a, text in zip(articles, texts, strict=True):
            store.add_article(a, parsed(text))
        gone: set[int] = set()
        for n, (op, which, index, value, who) in enumerate(ops):
            article_id = None if which is None else articles[which].id
            if which is not None and which in gone:
                store.add_article(articles[which], parsed(texts[which]))  # imported again: its history comes back
                gone.discard(which)
            if op == "delete":
                store.delete_article(article_id, who)
                gone.add(which)
            else:
                _do(store, op, article_id, index, value, who)
            if n % 3 == 0:  # views are brought up to date at different moments, as keypresses do
                for who in ("asha", "ben"):
                    _stacks(store, None, who, COMMITMENT_FIELDS)
                    for a in articles:
                        _stacks(store, a.id, who, LABEL_FIELDS)
        for who in ("asha", "ben"):
            _stacks(store, None, who, LABEL_FIELDS)
            _stacks(store, None, who, COMMITMENT_FIELDS)
            for a in articles:
                _stacks(store, a.id, who, LABEL_FIELDS)


def test_undo_does_not_replay_the_log_on_each_keypress(tmp_path: Path) -> None:
    """The view keeps the last event it folded in and its stacks' sizes, so the next keypress
    reads only what was written since (here: the undo itself)."""
    db = tmp_path / "r.db"
    with Store(db) as store:
        a = Article(TEXT)
        store.add_article(a, parsed())
        for n in range(300):
            store.set_label(a.id, n % 5, ("claim", "background")[n % 2], "asha")
        store.undo(a.id, "asha")
        with store._write() as conn:
            (last,) = conn.execute("SELECT last_event FROM undo_views WHERE scope = ?", (a.id,)).fetchone()
            assert last == conn.execute("SELECT max(id) FROM annotation_events").fetchone()[0] - 1
            # the rows hold the stacks as they were before this undo: 300 changes done
            assert conn.execute("SELECT done, undone FROM undo_views WHERE scope = ?", (a.id,)).fetchone() == (300, 0)
        assert store.undo(a.id, "asha").sentence_index == 298 % 5
        with store._write() as conn:
            # the next keypress folded in the first undo only
            assert conn.execute("SELECT done, undone FROM undo_views WHERE scope = ?", (a.id,)).fetchone() == (299, 1)
            assert conn.execute("SELECT count(*) FROM undo_stacks").fetchone()[0] == 300


def test_a_version_2_database_is_brought_forward(tmp_path: Path) -> None:
    """v2.db was written by the reader of schema 2: asha labelled sentences 0-2, changed 1 to
    claim, noted 2, then undid the note and the change; ben labelled 4."""
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "v2.db", db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    before = conn.execute("SELECT * FROM annotation_events ORDER BY id").fetchall()
    conn.close()
    with Store(db) as s:
        (article,) = s.article_ids()
        assert s.labels(article, "asha") == {0: "background", 1: "commitment", 2: "claim"}
        redone = s.redo(article, "asha")
        assert (redone.sentence_index, redone.label) == (1, "claim")
        redone = s.redo(article, "asha")
        assert (redone.sentence_index, redone.field, redone.label) == (2, "note", "check the date")
        assert s.redo(article, "asha") is None
        assert s.undo(article, "ben").sentence_index == 4
        assert s.undo(None, "asha").field == "note"  # every article's stack, built from the old log too
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
        assert conn.execute("SELECT * FROM annotation_events ORDER BY id").fetchall()[: len(before)] == before
    finally:
        conn.close()


def test_an_article_imported_again_puts_its_history_back_underneath(tmp_path: Path) -> None:
    with Store(tmp_path / "r.db") as store:
        one, two = Article(TEXT, title="one"), Article(SECOND, title="two")
        store.add_article(one, parsed(TEXT))
        store.add_article(two, parsed(SECOND))
        store.set_label(one.id, 0, "claim", "asha")
        store.set_label(two.id, 1, "claim", "asha")
        assert store.undo(None, "asha").sentence_index == 1  # builds the every-article view
        store.redo(None, "asha")
        store.delete_article(one.id, "asha")
        store.set_label(two.id, 2, "background", "asha")
        store.add_article(one, parsed(TEXT))  # the same sentences: its labels and history return
        assert store.labels(one.id, "asha") == {0: "claim"}
        undone = [store.undo(None, "asha") for _ in range(4)]
        assert [(c.sentence_index, c.label) for c in undone[:3]] == [(2, None), (1, None), (0, None)]
        assert undone[3] is None
        for article_id in (one.id, two.id):
            _stacks(store, article_id, "asha", LABEL_FIELDS)
        _stacks(store, None, "asha", LABEL_FIELDS)


def test_an_article_another_annotator_deleted_leaves_every_stack(tmp_path: Path) -> None:
    """Regression (found by the property test above): each annotator's stacks read only their
    own events, so when asha deleted an article ben's undo still held ben's change in it, and
    his redo wrote into the deleted article (a FOREIGN KEY error). The delete takes the change
    off ben's stacks too, and importing the article again puts it back."""
    with Store(tmp_path / "r.db") as store:
        one, two = Article(TEXT, title="one"), Article(SECOND, title="two")
        store.add_article(one, parsed(TEXT))
        store.add_article(two, parsed(SECOND))
        store.set_label(one.id, 0, "claim", "asha")
        store.set_label(two.id, 0, "claim", "ben")
        store.delete_article(two.id, "asha")
        assert store.undo(None, "ben") is None and store.redo(None, "ben") is None
        store.add_article(two, parsed(SECOND))  # imported again: its labels and history come back
        change = store.undo(None, "ben")
        assert change is not None and (change.sentence_index, change.label) == (0, None)
        assert store.redo(None, "ben") is not None
