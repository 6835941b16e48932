"""The connection: opening and checking a file (what a file is: `files`), retries while another process writes, one-line
errors, transactions, and the online backup.

Writes take the lock up front (BEGIN IMMEDIATE) and retry with backoff while another process
holds it, so "database is locked" never reaches a user.
"""

from __future__ import annotations

import os
import random
import contextlib
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reader.store.errors import BUSY_TIMEOUT_MS, SQLITE_MAGIC, Busy, StoreError
from reader.store.files import BACKUP_MARK, guard_backup
from reader.store.schema import APP_ID, SCHEMA_VERSION, migrate

if TYPE_CHECKING:
    import sqlite_utils

RETRY_FOR_SECONDS = 60.0
T = TypeVar("T")


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


def retry(action: Callable[[], T], patience: float = RETRY_FOR_SECONDS) -> T:
    """Run a database action, retrying with jittered backoff while another process holds the
    lock, for `patience` seconds (0: not at all, raising Busy)."""
    deadline = time.monotonic() + patience
    delay = 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                if _is_busy(exc) and not patience:
                    raise Busy("the database is busy: another program is writing to it") from None
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


# Databases this process has open, by real path. Closing any descriptor of a file drops every
# POSIX lock the process holds on it, SQLite's included: reading a header with open() while
# another connection of ours is open would let another process think that connection gone
# (and delete the write-ahead log under it). A file we have open was checked when first opened.
_OPEN: dict[str, int] = {}
_OPEN_LOCK = threading.Lock()


def check_file(path: Path) -> None:
    """Refuse, without touching it, a file that is not an SQLite database."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if path.exists() and not path.is_file():
        # a FIFO would block the read below forever; a device is nobody's database
        raise StoreError(f"{path} is not a regular file, so it cannot be a database")
    if _OPEN.get(os.path.realpath(path)):
        return
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        return
    except PermissionError:
        raise StoreError(f"cannot read the database {path}: permission denied") from None
    if header and header != SQLITE_MAGIC:
        raise StoreError(f"{path} is not a reader database (not an SQLite file); nothing was changed")


class Connection:
    """An open reader database: the connection, its transactions and its errors."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        """Open (creating if needed) a database; readonly opens an existing one without writing.

        A read-only open still uses a normal connection when the file is writable, so SQLite
        tidies its -wal and -shm files on close; only a file we cannot write is opened with
        mode=ro.
        """
        self.path = Path(path).expanduser()
        self.readonly = readonly
        check_file(self.path)
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
        self._real = os.path.realpath(self.path)
        with _OPEN_LOCK:
            _OPEN[self._real] = _OPEN.get(self._real, 0) + 1

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
            try:
                retry(lambda: migrate(conn, lambda: self.db))
            except sqlite3.OperationalError as exc:
                raise StoreError(f"cannot write to the database {self.path}: {exc}") from None
        if self.readonly:
            return
        mode = retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if mode.lower() != "wal":
            conn.execute(f"PRAGMA journal_mode = {mode}")
        conn.execute("PRAGMA synchronous = NORMAL")
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (BACKUP_MARK,)).fetchone():
            # opened to work in: from now on it is a working database, which backup --force never replaces
            retry(lambda: conn.execute(f"DROP TABLE IF EXISTS {BACKUP_MARK}"))

    def close(self) -> None:
        self.conn.close()
        with _OPEN_LOCK:
            if _OPEN.get(self._real, 0) > 1:
                _OPEN[self._real] -= 1
            else:
                _OPEN.pop(self._real, None)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on our connection, imported only when needed: it costs a quarter of a
        second at start-up (it imports numpy), and opening an article needs none of it."""
        if self._db is None:
            self._db = _sqlite_utils().Database(self.conn)
        return self._db

    @contextmanager
    def at_once(self) -> Iterator[None]:
        """Writes inside do not wait for another process's write lock: they raise Busy at once
        (the reader queues a key pressed meanwhile instead of freezing)."""
        self._patience = 0.0
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            yield
        finally:
            self._patience = RETRY_FOR_SECONDS
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    _patience = RETRY_FOR_SECONDS

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that holds the lock from its start; committed on exit."""
        if self.readonly:
            raise StoreError(f"the database {self.path} was opened read-only")
        conn = self.conn
        patience = self._patience
        try:
            retry(lambda: conn.execute("BEGIN IMMEDIATE"), patience)
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from None
        try:
            yield conn
            retry(lambda: conn.execute("COMMIT"))
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
            return retry(action)
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from None

    def _one(self, sql: str, params: tuple = ()) -> Any:
        return self._read(lambda: self.conn.execute(sql, params).fetchone())

    def _all(self, sql: str, params: tuple | dict[str, Any] = ()) -> list[tuple]:
        return self._read(lambda: self.conn.execute(sql, params).fetchall())

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the database: a cheap
        way to notice labels written by another window or process."""
        return int(self._one("PRAGMA data_version")[0])

    def check(self) -> None:
        """Refuse a damaged database before writing to it: a write could spread the damage, and
        a damaged page that this write does not happen to touch would go unnoticed."""
        row = self._one("PRAGMA quick_check")
        if row is None or row[0] != "ok":
            detail = row[0] if row else "no answer"
            raise StoreError(f"the database {self.path} is damaged ({detail}); nothing was changed (restore it from a backup)")

    def backup(self, target: str | Path, *, force: bool = False) -> Path:
        """Copy the live database with SQLite's online backup API to target (a file, or a folder
        to put a file of the database's name in); return the file written.

        The copy is made in a temporary file, marked as a backup and checked with
        integrity_check. A new target is that file renamed into place; an earlier backup is
        replaced through the backup API onto it, so SQLite itself takes its lock and its -wal
        (a file swapped in beside an old -wal would get the old pages replayed onto it), and
        is checked again.
        """
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
                retry(lambda: self.conn.backup(dest))
                dest.execute("PRAGMA journal_mode = DELETE")
                dest.execute(f"CREATE TABLE {BACKUP_MARK} (source TEXT NOT NULL, created TEXT NOT NULL)")
                dest.execute(f"INSERT INTO {BACKUP_MARK} VALUES (?, ?)", (str(self.path), now()))
                dest.commit()
                _check_integrity(dest, temp)
                if target.exists():
                    self._replace_backup(dest, target)
            finally:
                dest.close()
            if target.exists():
                temp.unlink()
            else:
                os.replace(temp, target)
            return target
        except StoreError:
            temp.unlink(missing_ok=True)
            raise
        except (sqlite3.Error, OSError) as exc:
            with suppress(OSError):
                temp.unlink()
            if isinstance(exc, sqlite3.Error) and "full" in str(exc).lower():
                reason = f"the disk is full: no backup was written to {target}"
            else:
                reason = f"cannot write the backup to {target}: {getattr(exc, 'strerror', None) or exc}"
            raise StoreError(reason) from None

    @staticmethod
    def _replace_backup(copy: sqlite3.Connection, target: Path) -> None:
        """Write the checked copy over an earlier backup with the backup API, then check it."""
        old = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            retry(lambda: copy.backup(old))
            with contextlib.suppress(sqlite3.OperationalError):
                old.execute("PRAGMA journal_mode = DELETE")  # a file of its own again, when nobody has it open
            _check_integrity(old, target)
        finally:
            old.close()


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        raise StoreError(f"the backup {path} failed its integrity check ({rows[0]}): do not rely on it")


def _sqlite_utils() -> Any:
    """sqlite-utils without pandas: it imports pandas when installed (only to accept DataFrames,
    which reader never passes), and that import cost two thirds of a second on every new
    database and every command that reaches for sqlite-utils."""
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` raise ImportError
    try:
        import sqlite_utils
    finally:
        del sys.modules["pandas"]
    return sqlite_utils
