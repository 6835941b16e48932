"""The schema and its forward-only migrations.

`MIGRATIONS[n]` takes a database at schema version n to n + 1; a new version appends a step
and never edits an old one, so every database written by an earlier reader can be brought
forward (tests start from a version-1 file written by the reader of that time).

The event log `annotation_events` is append-only (triggers refuse updates and deletes) and is
never rebuilt: a migration only adds nullable columns to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from reader.store.register_schema import V6

SCHEMA_VERSION = 8
APP_ID = 0x52454144  # "READ": marks a database as ours

V1 = [
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        title TEXT,
        source TEXT,
        url TEXT,
        author TEXT,
        published TEXT,
        site TEXT,
        text TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        model TEXT,
        model_version TEXT,
        imported_at TEXT NOT NULL
    )""",
    """
    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (article_id, idx)
    )""",
    """
    CREATE TABLE entities (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        text TEXT NOT NULL
    )""",
    "CREATE INDEX entities_article ON entities(article_id, start)",
    """
    CREATE TABLE annotations (
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        annotator TEXT NOT NULL,
        label TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (article_id, sentence_index, annotator),
        FOREIGN KEY (article_id, sentence_index) REFERENCES sentences(article_id, idx) ON DELETE CASCADE
    ) WITHOUT ROWID""",
    "CREATE INDEX annotations_label ON annotations(label)",
    """
    CREATE TABLE annotation_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL,
        sentence_index INTEGER,
        annotator TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('set', 'clear', 'undo', 'redo', 'delete', 'import')),
        label TEXT,
        previous TEXT,
        target INTEGER,
        created TEXT NOT NULL
    )""",
    "CREATE INDEX annotation_events_article ON annotation_events(article_id, annotator, id)",
    """
    CREATE TRIGGER annotation_events_no_update BEFORE UPDATE ON annotation_events
    BEGIN SELECT RAISE(ABORT, 'annotation_events is append-only'); END""",
    """
    CREATE TRIGGER annotation_events_no_delete BEFORE DELETE ON annotation_events
    BEGIN SELECT RAISE(ABORT, 'annotation_events is append-only'); END""",
    """
    CREATE TABLE positions (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (article_id, annotator)
    ) WITHOUT ROWID""",
    """
    CREATE VIEW labelled_sentences AS
    SELECT a.article_id, s.idx AS sentence_index, art.title AS article_title, s.text AS sentence,
           a.label, a.annotator, a.updated
    FROM annotations a
    JOIN sentences s ON s.article_id = a.article_id AND s.idx = a.sentence_index
    JOIN articles art ON art.id = a.article_id""",
]

# Version 2 makes room for suggestions, reviews, merges and the commitment tracker without
# rebuilding the event log: every change still is one event row, now saying which field of
# the sentence it changed (NULL: the label), where it came from (NULL: given by hand) and
# which suggestion was on screen.
V2 = [
    "ALTER TABLE annotation_events ADD COLUMN field TEXT",
    "ALTER TABLE annotation_events ADD COLUMN provenance TEXT",
    "ALTER TABLE annotation_events ADD COLUMN suggested TEXT",
    # A globally unique id, so that merging another database's log never adds an event twice.
    "ALTER TABLE annotation_events ADD COLUMN uid TEXT",
    "CREATE UNIQUE INDEX annotation_events_uid ON annotation_events(uid) WHERE uid IS NOT NULL",
    "ALTER TABLE annotations ADD COLUMN provenance TEXT",
    "ALTER TABLE annotations ADD COLUMN suggested TEXT",
    # Current values of the other fields of a sentence (a note, unsure, a reviewer's decision,
    # corrections of an extracted commitment), one row per annotator, written with its event.
    """
    CREATE TABLE sentence_fields (
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        annotator TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        provenance TEXT,
        updated TEXT NOT NULL,
        PRIMARY KEY (article_id, sentence_index, annotator, field),
        FOREIGN KEY (article_id, sentence_index) REFERENCES sentences(article_id, idx) ON DELETE CASCADE
    ) WITHOUT ROWID""",
    "CREATE INDEX sentence_fields_field ON sentence_fields(field, article_id)",
    # The proposed label of each sentence under one label set, with its probabilities.
    """
    CREATE TABLE suggestions (
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        label_set TEXT NOT NULL,
        label TEXT NOT NULL,
        score REAL NOT NULL,
        scores TEXT NOT NULL,
        source TEXT NOT NULL,
        reason TEXT,
        updated TEXT NOT NULL,
        PRIMARY KEY (article_id, sentence_index, label_set),
        FOREIGN KEY (article_id, sentence_index) REFERENCES sentences(article_id, idx) ON DELETE CASCADE
    ) WITHOUT ROWID""",
    "CREATE INDEX suggestions_label ON suggestions(label_set, label)",
    # Trained suggestion models kept beside the database, with how well they did held out.
    """
    CREATE TABLE models (
        id TEXT PRIMARY KEY,
        label_set TEXT NOT NULL,
        path TEXT NOT NULL,
        created TEXT NOT NULL,
        labels INTEGER NOT NULL,
        scores TEXT NOT NULL,
        kept INTEGER NOT NULL
    )""",
    """
    CREATE TABLE assignments (
        article_id TEXT NOT NULL,
        annotator TEXT NOT NULL,
        assigned TEXT NOT NULL,
        PRIMARY KEY (article_id, annotator)
    ) WITHOUT ROWID""",
    # What the extractor found in each commitment sentence (labelled or suggested); corrections,
    # a status and a note are sentence fields ("commitment.actor", ...) written as events.
    """
    CREATE TABLE commitments (
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        actor TEXT,
        actor_entities TEXT NOT NULL DEFAULT '[]',
        actor_resolved TEXT,
        actor_note TEXT,
        action TEXT,
        when_text TEXT,
        when_iso TEXT,
        trigger TEXT,
        confidence REAL NOT NULL DEFAULT 0,
        article_date TEXT,
        updated TEXT NOT NULL,
        PRIMARY KEY (article_id, sentence_index),
        FOREIGN KEY (article_id, sentence_index) REFERENCES sentences(article_id, idx) ON DELETE CASCADE
    ) WITHOUT ROWID""",
]

# Version 3 lets undo and redo cost O(log n) however long the log grows: each annotator's undo
# and redo stacks, per view (one article or every article, and the fields it covers), are kept
# as rows and brought up to date from the events after the last one folded in, instead of
# replaying the whole log on every keypress. They are derived data: reader.store.undo rebuilds
# a view from the log whenever it is missing.
V3 = [
    "CREATE INDEX annotation_events_annotator ON annotation_events(annotator, id)",
    """
    CREATE TABLE undo_views (
        id INTEGER PRIMARY KEY,
        annotator TEXT NOT NULL,
        scope TEXT NOT NULL,
        fields TEXT NOT NULL,
        last_event INTEGER NOT NULL,
        done INTEGER NOT NULL,
        undone INTEGER NOT NULL,
        UNIQUE (annotator, scope, fields)
    )""",
    """
    CREATE TABLE undo_stacks (
        view INTEGER NOT NULL REFERENCES undo_views(id) ON DELETE CASCADE,
        stack TEXT NOT NULL,
        depth INTEGER NOT NULL,
        event INTEGER NOT NULL,
        article_id TEXT NOT NULL,
        sentence_index INTEGER,
        field TEXT,
        PRIMARY KEY (view, stack, depth)
    ) WITHOUT ROWID""",
    "CREATE INDEX undo_stacks_sentence ON undo_stacks(view, stack, article_id, sentence_index, field, depth)",
]

# Version 4: the tokens of `reader serve`, one per annotator, kept only as a SHA-256 hash.
V4 = [
    """
    CREATE TABLE serve_tokens (
        annotator TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        reviewer INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    ) WITHOUT ROWID""",
]

# Version 5 keeps the library's counts in small summary tables, so a library of 100,000
# articles opens and answers keys without counting millions of rows: each article's
# sentences, each annotator's labelled sentences per article, each annotator's count per
# label, each article's suggestions per label set, and the number of articles and sentences. Triggers keep them, so every path that
# writes sentences or labels (import, the one label write path, merge, restore, delete with
# its cascades) keeps them right without knowing they exist. An index in the library's
# order (newest import first) holds the columns its filter reads, and another finds the
# articles still to parse, and another the articles with a date.
V5 = [
    """
    CREATE TABLE article_counts (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        sentences INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """
    CREATE TABLE label_progress (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        labelled INTEGER NOT NULL,
        PRIMARY KEY (article_id, annotator)
    ) WITHOUT ROWID""",
    """
    CREATE TABLE label_totals (
        annotator TEXT NOT NULL,
        label TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (annotator, label)
    ) WITHOUT ROWID""",
    "CREATE TABLE library_totals (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
    """
    CREATE TABLE suggestion_counts (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        label_set TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (article_id, label_set)
    ) WITHOUT ROWID""",
    "INSERT INTO suggestion_counts SELECT article_id, label_set, count(*) FROM suggestions GROUP BY article_id, label_set",
    "INSERT INTO article_counts SELECT article_id, count(*) FROM sentences GROUP BY article_id",
    "INSERT INTO label_progress SELECT article_id, annotator, count(*) FROM annotations GROUP BY article_id, annotator",
    "INSERT INTO label_totals SELECT annotator, label, count(*) FROM annotations GROUP BY annotator, label",
    "INSERT INTO library_totals VALUES ('articles', (SELECT count(*) FROM articles)), ('sentences', (SELECT count(*) FROM sentences))",
    """
    CREATE TRIGGER articles_counted AFTER INSERT ON articles
    BEGIN UPDATE library_totals SET n = n + 1 WHERE name = 'articles'; END""",
    """
    CREATE TRIGGER articles_uncounted AFTER DELETE ON articles
    BEGIN UPDATE library_totals SET n = n - 1 WHERE name = 'articles'; END""",
    """
    CREATE TRIGGER sentences_counted AFTER INSERT ON sentences BEGIN
        INSERT INTO article_counts (article_id, sentences) VALUES (NEW.article_id, 1)
            ON CONFLICT (article_id) DO UPDATE SET sentences = sentences + 1;
        UPDATE library_totals SET n = n + 1 WHERE name = 'sentences';
    END""",
    """
    CREATE TRIGGER sentences_uncounted AFTER DELETE ON sentences BEGIN
        UPDATE article_counts SET sentences = sentences - 1 WHERE article_id = OLD.article_id;
        UPDATE library_totals SET n = n - 1 WHERE name = 'sentences';
    END""",
    """
    CREATE TRIGGER annotations_counted AFTER INSERT ON annotations BEGIN
        INSERT INTO label_progress (article_id, annotator, labelled) VALUES (NEW.article_id, NEW.annotator, 1)
            ON CONFLICT (article_id, annotator) DO UPDATE SET labelled = labelled + 1;
        INSERT INTO label_totals (annotator, label, n) VALUES (NEW.annotator, NEW.label, 1)
            ON CONFLICT (annotator, label) DO UPDATE SET n = n + 1;
    END""",
    """
    CREATE TRIGGER annotations_uncounted AFTER DELETE ON annotations BEGIN
        UPDATE label_progress SET labelled = labelled - 1 WHERE article_id = OLD.article_id AND annotator = OLD.annotator;
        UPDATE label_totals SET n = n - 1 WHERE annotator = OLD.annotator AND label = OLD.label;
    END""",
    """
    CREATE TRIGGER annotations_recounted AFTER UPDATE OF label ON annotations WHEN OLD.label IS NOT NEW.label BEGIN
        UPDATE label_totals SET n = n - 1 WHERE annotator = OLD.annotator AND label = OLD.label;
        INSERT INTO label_totals (annotator, label, n) VALUES (NEW.annotator, NEW.label, 1)
            ON CONFLICT (annotator, label) DO UPDATE SET n = n + 1;
    END""",
    """
    CREATE TRIGGER suggestions_counted AFTER INSERT ON suggestions BEGIN
        INSERT INTO suggestion_counts (article_id, label_set, n) VALUES (NEW.article_id, NEW.label_set, 1)
            ON CONFLICT (article_id, label_set) DO UPDATE SET n = n + 1;
    END""",
    """
    CREATE TRIGGER suggestions_uncounted AFTER DELETE ON suggestions BEGIN
        UPDATE suggestion_counts SET n = n - 1 WHERE article_id = OLD.article_id AND label_set = OLD.label_set;
    END""",
    # titles and sources by every three letters: the filter's substrings without a scan
    """
    CREATE VIRTUAL TABLE articles_titles USING fts5(
        title, source, content='articles', content_rowid='rowid', tokenize='trigram')""",
    "INSERT INTO articles_titles (rowid, title, source) SELECT rowid, title, source FROM articles",
    """
    CREATE TRIGGER articles_titled AFTER INSERT ON articles
    BEGIN INSERT INTO articles_titles (rowid, title, source) VALUES (NEW.rowid, NEW.title, NEW.source); END""",
    """
    CREATE TRIGGER articles_untitled AFTER DELETE ON articles BEGIN
        INSERT INTO articles_titles (articles_titles, rowid, title, source) VALUES ('delete', OLD.rowid, OLD.title, OLD.source);
    END""",
    """
    CREATE TRIGGER articles_retitled AFTER UPDATE OF title, source ON articles BEGIN
        INSERT INTO articles_titles (articles_titles, rowid, title, source) VALUES ('delete', OLD.rowid, OLD.title, OLD.source);
        INSERT INTO articles_titles (rowid, title, source) VALUES (NEW.rowid, NEW.title, NEW.source);
    END""",
    "CREATE INDEX articles_newest ON articles(imported_at DESC, id, title, source)",
    "CREATE INDEX articles_unparsed ON articles(imported_at, id) WHERE model IS NULL",
    "CREATE INDEX articles_dated ON articles(id) WHERE published IS NOT NULL",
]

# Version 7: what the sentence encoder (reader.suggest.encoder) gives each sentence, once per
# encoder, so a suggestion written later (a retrained model's) is mixed with it without running
# the encoder again; and each refined suggestion's own probabilities before the mix, so a new
# encoder can refine it afresh.
V7 = [
    """
    CREATE TABLE encoded (
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        encoder TEXT NOT NULL,
        weight REAL NOT NULL,
        scores TEXT NOT NULL,
        PRIMARY KEY (article_id, sentence_index),
        FOREIGN KEY (article_id, sentence_index) REFERENCES sentences(article_id, idx) ON DELETE CASCADE
    ) WITHOUT ROWID""",
    # the suggester's own probabilities before the mix: NULL when not refined, '{}' for a
    # suggestion restored from an export, which stays as the export gave it
    "ALTER TABLE suggestions ADD COLUMN unrefined TEXT",
    # one restored before this version is as final (reader.ingest.exports gives it this reason
    # and only its own label's score: mixed, that score would become 1.0)
    "UPDATE suggestions SET unrefined = '{}' WHERE reason = 'restored from a reader export'",
]

# Version 8: the sentence's vector as the encoder read it (float16, reader.suggest.head.to_blob),
# which the encoder's output layer, moved by `reader train` on the user's labels, scores again
# without the encoder; NULL for a sentence scored before, which the encoder reads once more.
V8 = ["ALTER TABLE encoded ADD COLUMN vector BLOB"]

MIGRATIONS: dict[int, list[str]] = {0: V1, 1: V2, 2: V3, 3: V4, 4: V5, 5: V6, 6: V7, 7: V8}


def _enable_search(db: Any) -> None:
    """Full-text search over sentences, the sqlite-utils way, so `sqlite-utils search` and
    Datasette find it."""
    db["sentences"].enable_fts(["text"], create_triggers=True, tokenize="porter")


def migrate(conn: sqlite3.Connection, utils: Callable[[], Any]) -> None:
    """Bring a database forward to SCHEMA_VERSION in one transaction (utils gives sqlite-utils
    on the same connection, needed only by the first step)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(current, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
            if step == 0:
                _enable_search(utils())
        conn.execute(f"PRAGMA application_id = {APP_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
