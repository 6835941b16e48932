"""The only module that speaks SQL: schema, migrations, and every read and write.

Current labels live in `annotations`, but every change is first an append-only row in
`annotation_events` written in the same transaction, so the history (and undo across restarts)
is derived from the log. Writes take the lock up front (BEGIN IMMEDIATE) and retry with
backoff while another process holds it, so "database is locked" never reaches a user.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import sqlite_utils


from reader.model import Annotation, Article, ArticleData, ArticleSummary, Change, Entity, Parsed, Restored, Sentence

SCHEMA_VERSION = 1
APP_ID = 0x52454144  # "READ": marks a database as ours
BUSY_TIMEOUT_MS = 2000
RETRY_FOR_SECONDS = 60.0
T = TypeVar("T")


class StoreError(RuntimeError):
    """A database problem a user can act on; the message is one line."""


def default_path() -> Path:
    """READER_DB, else reader.db in the platform's user-data directory."""
    env = os.environ.get("READER_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("close-reader", appauthor=False)) / "reader.db"


def now() -> str:
    """The current time as ISO 8601 in UTC, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _retry(action: Callable[[], T]) -> T:
    """Run a database action, retrying with jittered backoff while another process holds the lock."""
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    delay = 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                if _is_busy(exc):
                    raise StoreError("the database stayed busy for a minute: another program is holding it") from None
                raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


def _nearly_full(path: Path) -> bool:
    """Whether the file system holding path has less than a megabyte left."""
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 1024 * 1024


def explain(path: Path, exc: sqlite3.Error) -> str:
    """A one-line, actionable reason for an SQLite error."""
    message = str(exc).lower()
    # With no room at all SQLite cannot even grow its -shm file, and says "disk I/O error".
    if "full" in message or ("disk i/o" in message and _nearly_full(path)):
        return f"the disk is full: {path} was not changed (free some space and try again)"
    if ("readonly" in message or "read-only" in message or "unable to open" in message) and (
        path.exists() and os.access(path, os.W_OK) and not os.access(path.parent, os.W_OK)
    ):
        return f"the database {path} is in a read-only folder: nothing was written (reader keeps its -wal and -shm files beside it)"
    if "readonly" in message or "read-only" in message:
        return f"the database {path} is read-only: nothing was written"
    if "malformed" in message or "not a database" in message or "corrupt" in message:
        return f"the database {path} is damaged: {exc}; nothing was changed (restore it from a backup)"
    if "unable to open" in message or "disk i/o" in message:
        return f"cannot use the database {path}: {exc}"
    return f"database error in {path}: {exc}"


SCHEMA = [
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


def _enable_search(db: "sqlite_utils.Database") -> None:
    """Full-text search over sentences, the sqlite-utils way, so `sqlite-utils search` and
    Datasette find it."""
    db["sentences"].enable_fts(["text"], create_triggers=True, tokenize="porter")

# MIGRATIONS[n] takes a database at schema version n to n + 1.
MIGRATIONS: dict[int, list[str]] = {0: SCHEMA}


@dataclass(frozen=True)
class Event:
    """One row of the annotation event log."""

    id: int
    sentence_index: int
    action: str
    label: str | None
    previous: str | None
    target: int | None


def _check_file(path: Path) -> None:
    """Refuse, without touching it, a file that is not an SQLite database."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if path.exists() and not path.is_file():
        # a FIFO would block the read below forever; a device is nobody's database
        raise StoreError(f"{path} is not a regular file, so it cannot be a database")
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        return
    except PermissionError:
        raise StoreError(f"cannot read the database {path}: permission denied") from None
    if header and header != b"SQLite format 3\x00":
        raise StoreError(f"{path} is not a reader database (not an SQLite file); nothing was changed")


SIDE_FILES = ("-wal", "-shm", "-journal")


def is_sqlite_file(path: Path) -> bool:
    """Whether path is a regular file that starts with SQLite's header."""
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def is_reader_database(path: Path) -> bool:
    """Whether path is a database of ours: SQLite's header with our application id."""
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            header = handle.read(72)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and int.from_bytes(header[68:72], "big") == APP_ID


def _database_of(path: Path) -> Path:
    """The database a -wal, -shm or -journal file belongs to, else path itself."""
    for end in SIDE_FILES:
        if path.name.endswith(end) and len(path.name) > len(end):
            return path.with_name(path.name[: -len(end)])
    return path


def _is_live(target: Path, database: Path) -> bool:
    """Whether target (already resolved) is the database in use or one of its side files."""
    live = Path(os.path.realpath(database))
    return target == live or target in {live.with_name(live.name + end) for end in SIDE_FILES}


def guard_export(target: Path, database: Path) -> None:
    """Refuse to write a dataset over the database in use, its side files or any SQLite database."""
    resolved = Path(os.path.realpath(target))
    if _is_live(resolved, database):
        raise StoreError(f"will not write over {target}: it is the database in use (or its -wal/-shm file); choose another output")
    owner = _database_of(resolved)
    if is_sqlite_file(owner):
        kind = "a reader database" if is_reader_database(owner) else "an SQLite database"
        where = "" if owner == resolved else f" file of {owner}"
        raise StoreError(f"will not write over {target}: it is {kind}{where}; choose another output")


def guard_backup(target: Path, database: Path, *, force: bool) -> None:
    """Refuse a backup over the live database, over a file that is not a reader database, or,
    without force, over an earlier backup."""
    resolved = Path(os.path.realpath(target))
    if _is_live(resolved, database):
        raise StoreError("the backup must go to another file than the database itself (or its -wal and -shm files)")
    owner = _database_of(resolved)
    if owner != resolved and is_sqlite_file(owner):
        raise StoreError(f"will not write over {target}: it belongs to the database {owner}")
    if not resolved.is_file():
        return  # nothing there yet (a FIFO or device is refused when the copy is written)
    if not is_reader_database(resolved):
        raise StoreError(f"will not replace {target}: it is not a reader database (choose a new file name)")
    if not force:
        raise StoreError(f"{target} is an earlier backup: pass --force to replace it")


class Store:
    """An open reader database."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        """Open (creating if needed) a database; readonly opens an existing one without writing.

        A read-only open still uses a normal connection when the file is writable, so SQLite
        tidies its -wal and -shm files on close; only a file we cannot write is opened with
        mode=ro.
        """
        self.path = Path(path).expanduser()
        self.readonly = readonly
        _check_file(self.path)
        if readonly and not self.path.exists():
            raise StoreError(f"no database at {self.path}: import something first (reader import FILE)")
        if not readonly and self.path.exists() and not os.access(self.path, os.W_OK):
            raise StoreError(f"the database {self.path} is read-only: reader needs to write labels to it")
        if not self.path.exists():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for {self.path}: {exc.strerror}") from None
            if not os.access(self.path.parent, os.W_OK):
                raise StoreError(f"cannot create {self.path}: its folder is read-only")
        try:
            if readonly and not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
                conn = self._connect_readonly()
            else:
                conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            self.conn = conn
            self._db: sqlite_utils.Database | None = None
            self._prepare()
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from None

    def _connect_readonly(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL database in a folder we cannot write has no -shm to share: read it as a
            # snapshot instead (nobody else can be writing it there either).
            conn.close()
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        return conn

    def _prepare(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer reader (schema {version}, this one knows {SCHEMA_VERSION}): upgrade reader"
            )
        if version == 0 and app != APP_ID:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path} is an SQLite database of another program; nothing was changed")
        if version < SCHEMA_VERSION:
            if self.readonly:
                if version == 0:
                    raise StoreError(f"{self.path} is not a reader database yet: nothing to read")
                raise StoreError(f"{self.path} needs upgrading by a writable reader first")
            self._migrate(version)
        if self.readonly:
            return
        mode = _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if mode.lower() != "wal":
            conn.execute(f"PRAGMA journal_mode = {mode}")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self, version: int) -> None:
        def run() -> None:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                for step in range(current, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step]:
                        conn.execute(statement)
                    if step == 0:
                        _enable_search(self.db)
                conn.execute(f"PRAGMA application_id = {APP_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        try:
            _retry(run)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot write to the database {self.path}: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on our connection, imported only when needed: it costs a quarter of a
        second at start-up (it imports numpy), and opening an article needs none of it."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @contextmanager
    def _write(self) -> Iterator[Store]:
        """One write transaction that holds the lock from its start; committed on exit."""
        if self.readonly:
            raise StoreError(f"the database {self.path} was opened read-only")
        conn = self.conn
        try:
            _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from None
        try:
            yield self
            _retry(lambda: conn.execute("COMMIT"))
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(explain(self.path, exc)) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _read(self, action: Callable[[], T]) -> T:
        try:
            return _retry(action)
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from None

    def _one(self, sql: str, params: tuple = ()) -> Any:
        return self._read(lambda: self.conn.execute(sql, params).fetchone())

    def _all(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._read(lambda: self.conn.execute(sql, params).fetchall())

    def check(self) -> None:
        """Refuse a damaged database before writing to it: a write could spread the damage, and
        a damaged page that this write does not happen to touch would go unnoticed."""
        row = self._one("PRAGMA quick_check")
        if row is None or row[0] != "ok":
            detail = row[0] if row else "no answer"
            raise StoreError(f"the database {self.path} is damaged ({detail}); nothing was changed (restore it from a backup)")

    def backup(self, target: str | Path, *, force: bool = False) -> Path:
        """Copy the live database with SQLite's online backup API, atomically, to target (a file,
        or a folder to put a file of the database's name in); return the file written."""
        target = Path(target).expanduser()
        if target.is_dir():
            target = target / self.path.name
        guard_backup(target, self.path, force=force)
        if target.exists() and not target.is_file():
            raise StoreError(f"cannot write the backup to {target}: it is not a regular file")
        temp = target.with_name(f".{target.name}.part")
        try:
            dest = sqlite3.connect(str(temp))
            try:
                _retry(lambda: self.conn.backup(dest))
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
            os.replace(temp, target)
            return target
        except (sqlite3.Error, OSError) as exc:
            try:
                temp.unlink()
            except OSError:
                pass
            if isinstance(exc, sqlite3.Error) and "full" in str(exc).lower():
                reason = f"the disk is full: no backup was written to {target}"
            else:
                reason = f"cannot write the backup to {target}: {getattr(exc, 'strerror', None) or exc}"
            raise StoreError(reason) from None

    # --- articles -------------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return self._one("SELECT 1 FROM articles WHERE id = ?", (article_id,)) is not None

    def is_parsed(self, article_id: str) -> bool:
        row = self._one("SELECT model FROM articles WHERE id = ?", (article_id,))
        return row is not None and row[0] is not None

    def add_article(self, article: Article, parsed: Parsed | None = None) -> bool:
        """Store an article (and its parse) in one transaction; False if it was already there.

        An article stored earlier without a parse gets this parse.
        """
        with self._write() as db:
            exists = db.conn.execute("SELECT model FROM articles WHERE id = ?", (article.id,)).fetchone()
            if exists is not None and (exists[0] is not None or parsed is None):
                return False
            if exists is None:
                # Plain SQL: opening a new article in the reader must not wait for
                # sqlite-utils to import (with numpy, about 130 ms).
                db.conn.execute(
                    "INSERT INTO articles (id, title, source, url, author, published, site, text, meta, model, model_version, imported_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                    (
                        article.id,
                        article.title,
                        article.source,
                        article.url,
                        article.author,
                        article.published,
                        article.site,
                        article.text,
                        json.dumps(article.meta, ensure_ascii=False),
                        now(),
                    ),
                )
            if parsed is not None:
                self._put_parse(db, article.id, parsed)
            return True

    def save_parse(self, article_id: str, parsed: Parsed) -> None:
        """Store the sentences and entities of an article stored earlier without them."""
        with self._write() as db:
            if db.conn.execute("SELECT model FROM articles WHERE id = ?", (article_id,)).fetchone()[0] is None:
                self._put_parse(db, article_id, parsed)

    @staticmethod
    def _put_parse(db: Store, article_id: str, parsed: Parsed) -> None:
        text = db.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        db.conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
            [(article_id, s.index, s.start, s.end, text[s.start : s.end]) for s in parsed.sentences],
        )
        db.conn.executemany(
            'INSERT INTO entities (article_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
            [(article_id, e.start, e.end, e.label, e.text) for e in parsed.entities],
        )
        db.conn.execute(
            "UPDATE articles SET model = ?, model_version = ? WHERE id = ?",
            (parsed.model, parsed.model_version, article_id),
        )

    def unparsed(self) -> list[str]:
        """Ids of articles stored before their sentences and entities were known."""
        return [r[0] for r in self._all("SELECT id FROM articles WHERE model IS NULL ORDER BY imported_at, id")]

    def article(self, article_id: str) -> Article | None:
        row = self._one(
            "SELECT text, title, source, url, author, published, site, meta FROM articles WHERE id = ?",
            (article_id,),
        )
        if row is None:
            return None
        return Article(
            text=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published=row[5], site=row[6],
            meta=json.loads(row[7] or "{}"),
        )

    def find_articles(self, prefix: str) -> list[str]:
        """Article ids starting with a prefix, for commands that take an id."""
        return [r[0] for r in self._all("SELECT id FROM articles WHERE id LIKE ? || '%' ORDER BY id", (prefix,))]

    def sentences(self, article_id: str) -> list[Sentence]:
        rows = self._all('SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,))
        return [Sentence(*row) for row in rows]

    def entities(self, article_id: str) -> list[Entity]:
        rows = self._all(
            'SELECT start, "end", label, text FROM entities WHERE article_id = ? ORDER BY start', (article_id,)
        )
        return [Entity(*row) for row in rows]

    def summaries(self) -> list[ArticleSummary]:
        """Every article with its sentence and labelled counts, newest import first."""
        rows = self._all(
            """
            SELECT a.id, coalesce(a.title, ''), a.source, a.published,
                   (SELECT count(*) FROM sentences s WHERE s.article_id = a.id),
                   (SELECT count(DISTINCT n.sentence_index) FROM annotations n WHERE n.article_id = a.id),
                   a.imported_at
            FROM articles a ORDER BY a.imported_at DESC, a.id
            """
        )
        return [ArticleSummary(*row) for row in rows]

    def delete_article(self, article_id: str, annotator: str) -> None:
        """Delete an article; its label history stays in the event log."""
        with self._write() as db:
            db.conn.execute(
                "INSERT INTO annotation_events (article_id, annotator, action, created) VALUES (?, ?, 'delete', ?)",
                (article_id, annotator, now()),
            )
            db.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def label_counts(self) -> dict[str, int]:
        return dict(self._all("SELECT label, count(*) FROM annotations GROUP BY label ORDER BY label"))

    # --- labels ---------------------------------------------------------------------------

    def labels(self, article_id: str, annotator: str) -> dict[int, str]:
        """Current label of each labelled sentence of an article, for one annotator."""
        rows = self._all(
            "SELECT sentence_index, label FROM annotations WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        )
        return dict(rows)

    def set_label(self, article_id: str, index: int, label: str | None, annotator: str) -> Change | None:
        """Set (or with None clear) a sentence's label; committed before this returns.

        Returns the change, or None when the sentence already had that label.
        """
        with self._write() as db:
            previous = self._current(db, article_id, index, annotator)
            if previous == label:
                return None
            action = "clear" if label is None else "set"
            event_id = self._record(db, article_id, index, annotator, action, label, previous, None)
            self._apply(db, article_id, index, annotator, label)
            return Change(event_id, index, label, previous)

    def undo(self, article_id: str, annotator: str) -> Change | None:
        """Undo this annotator's last change in the article; None when there is nothing to undo."""
        return self._step(article_id, annotator, "undo")

    def redo(self, article_id: str, annotator: str) -> Change | None:
        """Redo the change last undone; None when there is nothing to redo."""
        return self._step(article_id, annotator, "redo")

    def _step(self, article_id: str, annotator: str, action: str) -> Change | None:
        with self._write() as db:
            done, undone = self._history(db, article_id, annotator)
            stack = done if action == "undo" else undone
            if not stack:
                return None
            target = stack[-1]
            label = target.previous if action == "undo" else target.label
            previous = self._current(db, article_id, target.sentence_index, annotator)
            event_id = self._record(db, article_id, target.sentence_index, annotator, action, label, previous, target.id)
            self._apply(db, article_id, target.sentence_index, annotator, label)
            return Change(event_id, target.sentence_index, label, previous)

    @staticmethod
    def _history(db: Store, article_id: str, annotator: str) -> tuple[list[Event], list[Event]]:
        """Replay the event log into the undo and redo stacks."""
        done: list[Event] = []
        undone: list[Event] = []
        rows = db.conn.execute(
            """SELECT id, sentence_index, action, label, previous, target FROM annotation_events
               WHERE article_id = ? AND annotator = ? ORDER BY id""",
            (article_id, annotator),
        )
        for row in rows:
            event = Event(*row)
            if event.action in ("set", "clear"):
                done.append(event)
                undone.clear()
            elif event.action == "undo" and done:
                undone.append(done.pop())
            elif event.action == "redo" and undone:
                done.append(undone.pop())
            elif event.action == "delete":
                done.clear()
                undone.clear()
        return done, undone

    @staticmethod
    def _current(db: Store, article_id: str, index: int, annotator: str) -> str | None:
        row = db.conn.execute(
            "SELECT label FROM annotations WHERE article_id = ? AND sentence_index = ? AND annotator = ?",
            (article_id, index, annotator),
        ).fetchone()
        return row[0] if row else None

    @staticmethod
    def _record(db, article_id, index, annotator, action, label, previous, target) -> int:
        cursor = db.conn.execute(
            """INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, previous, target, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (article_id, index, annotator, action, label, previous, target, now()),
        )
        return int(cursor.lastrowid)

    @staticmethod
    def _apply(db, article_id: str, index: int, annotator: str, label: str | None) -> None:
        if label is None:
            db.conn.execute(
                "DELETE FROM annotations WHERE article_id = ? AND sentence_index = ? AND annotator = ?",
                (article_id, index, annotator),
            )
            return
        stamp = now()
        db.conn.execute(
            """INSERT INTO annotations (article_id, sentence_index, annotator, label, created, updated)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (article_id, sentence_index, annotator) DO UPDATE SET label = excluded.label, updated = excluded.updated""",
            (article_id, index, annotator, label, stamp, stamp),
        )

    # --- reading position -----------------------------------------------------------------

    def position(self, article_id: str, annotator: str) -> int:
        """Where this annotator left the article: saved position, else last labelled sentence."""
        row = self._one(
            "SELECT sentence_index FROM positions WHERE article_id = ? AND annotator = ?", (article_id, annotator)
        )
        if row is None:
            row = self._one(
                """SELECT sentence_index FROM annotation_events WHERE article_id = ? AND annotator = ?
                   AND sentence_index IS NOT NULL ORDER BY id DESC LIMIT 1""",
                (article_id, annotator),
            )
        return int(row[0]) if row else 0

    def save_position(self, article_id: str, annotator: str, index: int) -> None:
        with self._write() as db:
            db.conn.execute(
                """INSERT INTO positions (article_id, annotator, sentence_index, updated) VALUES (?, ?, ?, ?)
                   ON CONFLICT (article_id, annotator) DO UPDATE SET sentence_index = excluded.sentence_index,
                   updated = excluded.updated""",
                (article_id, annotator, index, now()),
            )

    # --- export ---------------------------------------------------------------------------

    def article_ids(self) -> list[str]:
        return [r[0] for r in self._all("SELECT id FROM articles ORDER BY imported_at, id")]

    def dataset(self, article_ids: list[str] | None = None) -> Iterator[ArticleData]:
        """Each article with its sentences, entities and every annotator's labels, one at a time."""
        for article_id in article_ids if article_ids is not None else self.article_ids():
            row = self._one(
                """SELECT id, title, source, url, author, published, site, text, meta, model, model_version
                   FROM articles WHERE id = ?""",
                (article_id,),
            )
            if row is None:
                continue
            sentences = self._all(
                'SELECT idx, start, "end", text FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)
            )
            entities = [
                Entity(*r)
                for r in self._all('SELECT start, "end", label, text FROM entities WHERE article_id = ? ORDER BY start, "end"', (article_id,))
            ]
            labels: dict[int, list[Annotation]] = {}
            for index, label, annotator, created, updated in self._all(
                """SELECT sentence_index, label, annotator, created, updated FROM annotations
                   WHERE article_id = ? ORDER BY sentence_index, updated, annotator""",
                (article_id,),
            ):
                labels.setdefault(index, []).append(Annotation(label, annotator, created, updated))
            yield ArticleData(
                id=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published=row[5], site=row[6],
                text=row[7], meta=json.loads(row[8] or "{}"), model=row[9], model_version=row[10],
                sentences=sentences, entities=entities, labels=labels,
            )

    def stats(self) -> dict[str, Any]:
        """Counts per label, per annotator and per article, and labelled / total sentences."""
        total = self._one("SELECT count(*) FROM sentences")[0]
        labelled = self._one("SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index FROM annotations)")[0]
        per_article = [
            {"id": r.id, "title": r.title or None, "sentences": r.sentences, "labelled": r.labelled}
            for r in sorted(self.summaries(), key=lambda r: (r.imported_at, r.id))
        ]
        per_annotator: dict[str, dict[str, int]] = {}
        for annotator, label, count in self._all(
            "SELECT annotator, label, count(*) FROM annotations GROUP BY annotator, label ORDER BY annotator, label"
        ):
            per_annotator.setdefault(annotator, {})[label] = count
        return {
            "articles": len(per_article),
            "sentences": total,
            "labelled": labelled,
            "labels": self.label_counts(),
            "annotators": per_annotator,
            "per_article": per_article,
        }

    # --- restoring our own exports ----------------------------------------------------------

    def restore(self, article_id: str, article: Article, parsed: Parsed | None, labels: list[Restored]) -> tuple[bool, int]:
        """Store an article under its exported id (if new) and its labels with annotator and time.

        Returns (article added, labels added). Labels already present are left alone, so
        restoring twice adds nothing.
        """
        with self._write() as db:
            added = db.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None
            if added:
                db.conn.execute(
                    """INSERT INTO articles (id, title, source, url, author, published, site, text, meta, imported_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (article_id, article.title, article.source, article.url, article.author, article.published,
                     article.site, article.text, json.dumps(article.meta, ensure_ascii=False), now()),
                )
                if parsed is not None:
                    self._put_parse(db, article_id, parsed)
            known = {r[0] for r in db.conn.execute("SELECT idx FROM sentences WHERE article_id = ?", (article_id,))}
            count = 0
            for item in labels:
                if item.sentence_index not in known:
                    continue
                current = self._current(db, article_id, item.sentence_index, item.annotator)
                if current == item.label:
                    continue
                db.conn.execute(
                    """INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, previous, created)
                       VALUES (?, ?, ?, 'import', ?, ?, ?)""",
                    (article_id, item.sentence_index, item.annotator, item.label, current, now()),
                )
                db.conn.execute(
                    """INSERT INTO annotations (article_id, sentence_index, annotator, label, created, updated)
                       VALUES (?, ?, ?, ?, ?, ?)
                       ON CONFLICT (article_id, sentence_index, annotator) DO UPDATE SET label = excluded.label,
                       updated = excluded.updated""",
                    (article_id, item.sentence_index, item.annotator, item.label, item.created or item.updated, item.updated),
                )
                count += 1
            return added, count
