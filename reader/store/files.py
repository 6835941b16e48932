"""What a file is, before anything is written to it: an SQLite file, a reader database, a
backup, the database in use or one of its side files; and the guards that refuse to write a
dataset or a backup over the wrong one."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from reader.store.errors import BUSY_TIMEOUT_MS, SIDE_FILES, SQLITE_MAGIC, StoreError
from reader.store.schema import APP_ID

__all__ = ["BACKUP_MARK", "guard_backup", "guard_export", "is_backup", "is_reader_database", "is_sqlite_file"]



def _header(path: Path, size: int) -> bytes:
    try:
        if not path.is_file():
            return b""
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def is_sqlite_file(path: Path) -> bool:
    """Whether path is a regular file that starts with SQLite's header."""
    return _header(path, 16) == SQLITE_MAGIC


def is_reader_database(path: Path) -> bool:
    """Whether path is a database of ours: SQLite's header with our application id."""
    header = _header(path, 72)
    return header[:16] == SQLITE_MAGIC and int.from_bytes(header[68:72], "big") == APP_ID


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


BACKUP_MARK = "reader_backup"  # a table only a backup holds: which database it copies, and when


def is_backup(path: Path) -> bool:
    """Whether path is a reader database that records itself as a backup (and nobody has
    worked in since: a writable open drops the mark)."""
    if not is_reader_database(path):
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (BACKUP_MARK,)).fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def guard_backup(target: Path, database: Path, *, force: bool) -> None:
    """Refuse a backup over the live database, over a file that is not a reader database, over
    a working database, or, without force, over an earlier backup."""
    resolved = Path(os.path.realpath(target))
    if _is_live(resolved, database):
        raise StoreError("the backup must go to another file than the database itself (or its -wal and -shm files)")
    owner = _database_of(resolved)
    if owner != resolved and is_sqlite_file(owner):
        raise StoreError(f"will not write over {target}: it belongs to the database {owner}")
    if not resolved.is_file():
        left = [resolved.with_name(resolved.name + end) for end in SIDE_FILES]
        if not resolved.exists() and any(p.exists() for p in left):
            # a new file beside them would get their pages replayed onto it at the next open
            raise StoreError(f"will not write {target}: a -wal, -shm or -journal file of an earlier database is beside it (move it away first)")
        return  # nothing there yet (a FIFO or device is refused when the copy is written)
    if not is_reader_database(resolved):
        raise StoreError(f"will not replace {target}: it is not a reader database (choose a new file name)")
    if not is_backup(resolved):
        raise StoreError(f"will not replace {target}: it is a working reader database, not a backup (choose a new file name)")
    if not force:
        raise StoreError(f"{target} is an earlier backup: pass --force to replace it")
