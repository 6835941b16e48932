"""The store's errors and the facts about SQLite files that every part of it shares."""

from __future__ import annotations

BUSY_TIMEOUT_MS = 2000
SIDE_FILES = ("-wal", "-shm", "-journal")
SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(RuntimeError):
    """A database problem a user can act on; the message is one line."""


class Busy(StoreError):
    """Another process holds the write lock, and this write was asked not to wait for it."""
