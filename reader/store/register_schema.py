"""Schema version 6: the commitment register kept as rows, so a register of 100,000 articles
opens and answers keys by reading a window through an index.

`register_rows` holds one row per sentence that may be in the register (labelled commitment,
decided so by a reviewer, or unlabelled and suggested so): the commitment as the register shows
it, `listed` (0 when its labels resolve to something else), whether the extractor has read it,
and the keys it is sorted, grouped and filtered by (a row not listed has nothing to filter),
with an index per sort order and a trigram index on what the filter reads. Triggers on every table the register is made from mark the
sentences they touch in `register_dirty`, so every write path (import, the one label write
path, undo, merge, restore, delete with its cascades, the extractor) leaves its trace without
knowing the register exists; `reader.store.register` brings those rows up to date (in Python,
with the same code that computes the register) before the register is read. `register_actors`
counts the commitments of each actor key and the actor it is grouped under.
"""

from __future__ import annotations

ORDER = "imported_at DESC, article_id, sentence_index"
# the sort orders of the register (reader.tracker.SORTS, and grouped by actor), as index columns
ORDERS = {
    "article": ORDER,
    "actor": f"actor_sort, {ORDER}",
    "when": f"deadline_sort, when_value, {ORDER}",
    "status": f"status_rank, {ORDER}",
    "date": f"date_key, {ORDER}",
    "grouped": "actor_group, date_key, sentence_index, imported_at DESC, article_id",
}


# (ON CONFLICT DO NOTHING, not INSERT OR IGNORE: a statement's own conflict clause inside a
# trigger gives way to that of the statement that fired it, an upsert's included)
def _mark(key: str, index: str = "sentence_index") -> str:
    return (f"INSERT INTO register_dirty (article_id, sentence_index) VALUES ({key}.article_id, {key}.{index})"
            " ON CONFLICT DO NOTHING;")


def _mark_rows(where: str) -> str:
    return ("INSERT INTO register_dirty (article_id, sentence_index) SELECT article_id, sentence_index FROM register_rows"
            f" WHERE {where} ON CONFLICT DO NOTHING;")


def _known(key: str) -> str:
    return f"EXISTS (SELECT 1 FROM register_rows r WHERE r.article_id = {key}.article_id AND r.sentence_index = {key}.sentence_index)"


_FIELDS = "({0}.field = 'review' OR {0}.field LIKE 'commitment.%')"

V6 = [
    """
    CREATE TABLE register_rows (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        listed INTEGER NOT NULL,
        extracted INTEGER NOT NULL,
        origin TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        item TEXT NOT NULL,
        actor_key TEXT NOT NULL,
        actor_group TEXT NOT NULL DEFAULT '',
        actor_sort TEXT NOT NULL DEFAULT '',
        deadline_sort TEXT NOT NULL,
        when_value TEXT NOT NULL,
        status_rank INTEGER NOT NULL,
        date_key TEXT NOT NULL,
        hay TEXT NOT NULL,
        UNIQUE (article_id, sentence_index)
    )""",
    *(f"CREATE INDEX register_by_{name} ON register_rows({columns}) WHERE listed = 1" for name, columns in ORDERS.items()),
    "CREATE INDEX register_deadlines ON register_rows(status_rank, deadline_sort) WHERE listed = 1",
    "CREATE INDEX register_origins ON register_rows(origin) WHERE listed = 1",
    "CREATE INDEX register_actor_keys ON register_rows(actor_key)",
    "CREATE INDEX register_unread ON register_rows(article_id, sentence_index) WHERE extracted = 0",
    "CREATE VIRTUAL TABLE register_text USING fts5(hay, content='register_rows', content_rowid='id', tokenize='trigram')",
    """
    CREATE TABLE register_actors (
        actor_key TEXT PRIMARY KEY,
        n INTEGER NOT NULL,
        actor_group TEXT NOT NULL
    ) WITHOUT ROWID""",
    # how many listed commitments hold each one- and two-character string: the filter's count
    # while fewer than three characters are typed (the trigram index counts from three)
    "CREATE TABLE register_grams (gram TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
    """
    CREATE TABLE register_dirty (
        article_id TEXT NOT NULL,
        sentence_index INTEGER NOT NULL,
        PRIMARY KEY (article_id, sentence_index)
    ) WITHOUT ROWID""",
    # a database brought forward: every sentence that may be in the register, to be read once
    """
    INSERT OR IGNORE INTO register_dirty
    SELECT article_id, sentence_index FROM annotations WHERE label = 'commitment'
    UNION SELECT article_id, sentence_index FROM sentence_fields WHERE field = 'review' AND value = 'commitment'
    UNION SELECT article_id, sentence_index FROM suggestions WHERE label = 'commitment'""",
    # a label or a reviewer's decision may add the sentence, take it out, or change its origin
    f"CREATE TRIGGER register_labelled AFTER INSERT ON annotations BEGIN {_mark('NEW')} END",
    f"CREATE TRIGGER register_relabelled AFTER UPDATE ON annotations BEGIN {_mark('OLD')} {_mark('NEW')} END",
    f"CREATE TRIGGER register_unlabelled AFTER DELETE ON annotations BEGIN {_mark('OLD')} END",
    f"CREATE TRIGGER register_fielded AFTER INSERT ON sentence_fields WHEN {_FIELDS.format('NEW')} BEGIN {_mark('NEW')} END",
    f"CREATE TRIGGER register_refielded AFTER UPDATE ON sentence_fields WHEN {_FIELDS.format('NEW')} OR {_FIELDS.format('OLD')}"
    f" BEGIN {_mark('OLD')} {_mark('NEW')} END",
    f"CREATE TRIGGER register_unfielded AFTER DELETE ON sentence_fields WHEN {_FIELDS.format('OLD')} BEGIN {_mark('OLD')} END",
    f"CREATE TRIGGER register_suggested AFTER INSERT ON suggestions WHEN NEW.label = 'commitment' OR {_known('NEW')}"
    f" BEGIN {_mark('NEW')} END",
    f"CREATE TRIGGER register_resuggested AFTER UPDATE ON suggestions WHEN NEW.label = 'commitment' OR OLD.label = 'commitment'"
    f" OR {_known('NEW')} BEGIN {_mark('OLD')} {_mark('NEW')} END",
    f"CREATE TRIGGER register_unsuggested AFTER DELETE ON suggestions WHEN OLD.label = 'commitment' OR {_known('OLD')}"
    f" BEGIN {_mark('OLD')} END",
    f"CREATE TRIGGER register_extracted AFTER INSERT ON commitments BEGIN {_mark('NEW')} END",
    f"CREATE TRIGGER register_reextracted AFTER UPDATE ON commitments BEGIN {_mark('OLD')} {_mark('NEW')} END",
    f"CREATE TRIGGER register_unextracted AFTER DELETE ON commitments BEGIN {_mark('OLD')} END",
    # the sentence's text and the article's title, address and dates are shown in the row
    f"""CREATE TRIGGER register_sentence_gone AFTER DELETE ON sentences
        WHEN EXISTS (SELECT 1 FROM register_rows r WHERE r.article_id = OLD.article_id AND r.sentence_index = OLD.idx)
        BEGIN {_mark('OLD', 'idx')} END""",
    f"""CREATE TRIGGER register_sentence_changed AFTER UPDATE ON sentences BEGIN
        {_mark_rows("(article_id = OLD.article_id AND sentence_index = OLD.idx) OR (article_id = NEW.article_id AND sentence_index = NEW.idx)")}
    END""",
    f"""CREATE TRIGGER register_article_changed AFTER UPDATE OF id, title, url, published, imported_at ON articles BEGIN
        {_mark_rows("article_id IN (OLD.id, NEW.id)")}
    END""",
]
