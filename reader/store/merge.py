"""Merging another reader database into this one: reading the other file (only reading it)
and writing its articles, label histories and assignments here in one transaction.

The decisions (which events are new, which sentences correspond, which event sets the value
in force) are in `reader.store.merge_plan`; every event goes through `labels.write_many` (`write`
for many events at once).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.sanitize import clean_field
from reader.store.db import Connection, StoreError
from reader.store.errors import SIDE_FILES
from reader.store.files import is_reader_database, is_sqlite_file
from reader.store.events import COLUMNS, Event
from reader.store.events import read as read_events
from reader.store.labels import next_event_id, sentences_digest, write_many
from reader.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:  # the decisions are imported by a merge only: opening the reader needs none of them
    from reader.store.merge_plan import MergeReport

ARTICLE_COLUMNS = "id, title, source, url, author, published, site, text, meta, model, model_version, imported_at"
DETAILS = ("title", "source", "url", "author", "published", "site", "meta", "imported_at")
# What a merge reads from each table of the other file (later columns of the event log may be
# missing in a version-1 file: they are read as NULL).
REQUIRED = {
    "articles": [c.strip() for c in ARTICLE_COLUMNS.split(",")],
    "sentences": ["article_id", "idx", "start", "end", "text"],
    "entities": ["article_id", "start", "end", "label", "text"],
    "annotations": ["article_id", "sentence_index", "annotator", "label", "created", "updated"],
    "annotation_events": ["id", "article_id", "sentence_index", "annotator", "action", "label", "previous", "target", "created"],
}


def _blamed(method: Any) -> Any:
    """A read of the other file whose SQLite error names that file, not this database."""

    def read(self: Other, *args: Any) -> Any:
        try:
            return method(self, *args)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot merge {self.path}: {clean_field(str(exc))}; nothing of it was merged") from None
        except UnicodeDecodeError:  # a damaged page read as text, or SQLite's message quoting one
            raise StoreError(f"cannot merge {self.path}: it is damaged (its text is not UTF-8); nothing of it was merged") from None

    read.__doc__ = method.__doc__
    return read


def _same_file(path: Path, ours: Path) -> bool:
    """Whether path is our database or one of its side files (by inode, so links count)."""
    try:
        if ours.exists() and os.path.samefile(path, ours):
            return True
    except OSError:
        return False
    real = Path(os.path.realpath(ours))
    return Path(os.path.realpath(path)) in {real.with_name(real.name + end) for end in SIDE_FILES}


class Other:
    """Another reader database, opened so that it cannot be written, read in one snapshot."""

    def __init__(self, path: Path, ours: Path) -> None:
        self.path = path
        if not path.exists():
            raise StoreError(f"cannot merge {path}: no such file")
        if path.is_dir():
            raise StoreError(f"cannot merge {path}: it is a directory, not a database file")
        if _same_file(path, ours):
            raise StoreError(f"cannot merge {path}: it is this same database")
        if not path.is_file():
            raise StoreError(f"cannot merge {path}: it is not a regular file")
        if not os.access(path, os.R_OK):
            raise StoreError(f"cannot merge {path}: permission denied")
        if not is_sqlite_file(path):
            raise StoreError(f"cannot merge {path}: it is not a reader database (not an SQLite file); nothing was merged")
        if not is_reader_database(path):
            raise StoreError(f"cannot merge {path}: it is an SQLite database of another program; nothing was merged")
        try:
            self.conn = self._connect()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot merge {path}: {exc}; nothing was merged") from None
        try:
            self._check()
        except sqlite3.Error as exc:
            self.conn.close()
            raise StoreError(f"cannot merge {path}: it is damaged ({clean_field(str(exc))}); nothing was merged") from None
        except UnicodeDecodeError:  # SQLite's message quoted the damaged bytes, which are not UTF-8
            self.conn.close()
            raise StoreError(f"cannot merge {path}: it is damaged (its report is not text); nothing was merged") from None
        except StoreError:
            self.conn.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        # With no -wal file beside it nobody has it open: read it as it is, creating nothing
        # beside it. Otherwise another reader may be writing it: read it properly locked.
        if os.path.exists(f"{self.path}-wal"):
            return sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)

    def _check(self) -> None:
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"cannot merge {self.path}: it was written by a newer reader (schema {version}, this one knows "
                             f"{SCHEMA_VERSION}): upgrade reader; nothing was merged")
        if version < 1:
            raise StoreError(f"cannot merge {self.path}: it is not a reader database; nothing was merged")
        row = conn.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise StoreError(f"cannot merge {self.path}: it is damaged ({row[0] if row else 'no answer'}); nothing was merged")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"articles", "sentences", "entities", "annotations", "annotation_events"} <= tables:
            raise StoreError(f"cannot merge {self.path}: it is not a reader database (tables are missing); nothing was merged")
        self.tables = tables
        for table, needed in REQUIRED.items():
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            missing = [c for c in needed if c not in have]
            if missing:
                raise StoreError(f"cannot merge {self.path}: it is not a reader database (its table {table} has no column "
                                 f"{missing[0]}); nothing was merged")
        self.event_columns = {r[1] for r in conn.execute("PRAGMA table_info(annotation_events)")}
        conn.execute("BEGIN")  # one snapshot for everything read, even while its annotator writes

    def close(self) -> None:
        self.conn.close()

    @_blamed
    def articles(self) -> list[tuple]:
        return self.conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY imported_at, id").fetchall()

    @_blamed
    def gone(self) -> list[str]:
        """Articles its log speaks of that it no longer holds (deleted there)."""
        rows = self.conn.execute("SELECT DISTINCT article_id FROM annotation_events WHERE article_id NOT IN (SELECT id FROM articles) ORDER BY 1")
        return [r[0] for r in rows]

    @_blamed
    def sentences(self, article_id: str) -> list[tuple]:
        return self.conn.execute('SELECT idx, start, "end", text FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)).fetchall()

    @_blamed
    def entities(self, article_id: str) -> list[tuple]:
        return self.conn.execute('SELECT start, "end", label, text FROM entities WHERE article_id = ?', (article_id,)).fetchall()

    @_blamed
    def events(self, article_id: str) -> list[tuple]:
        columns = ", ".join(c if c in self.event_columns else f"NULL AS {c}" for c in Event._fields)
        return self.conn.execute(f"SELECT {columns} FROM annotation_events WHERE article_id = ? ORDER BY id", (article_id,)).fetchall()

    @_blamed
    def deleted_digest(self, article_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT label FROM annotation_events WHERE article_id = ? AND action = 'delete' ORDER BY id DESC LIMIT 1", (article_id,)
        ).fetchone()
        return row[0] if row else None

    @_blamed
    def values(self, article_id: str) -> dict[tuple, tuple[str, str, str]]:
        """Current values: (sentence index, annotator, field) -> (label, since, updated)."""
        found = {
            (i, a, None): (label, created, updated)
            for i, a, label, created, updated in self.conn.execute(
                "SELECT sentence_index, annotator, label, created, updated FROM annotations WHERE article_id = ?", (article_id,)
            )
        }
        if "sentence_fields" in self.tables:
            for i, a, name, value, updated in self.conn.execute(
                "SELECT sentence_index, annotator, field, value, updated FROM sentence_fields WHERE article_id = ?", (article_id,)
            ):
                found[(i, a, name)] = (value, updated, updated)
        return found

    @_blamed
    def assignments(self) -> list[tuple[str, str, str]]:
        if "assignments" not in self.tables:
            return []
        return self.conn.execute("SELECT article_id, annotator, assigned FROM assignments ORDER BY 1, 2").fetchall()


class Merge(Connection):
    """Bringing other databases' work into this one."""

    def open_other(self, path: str | Path) -> Other:
        """Check and open a database to merge (refused with one line if it cannot be)."""
        return Other(Path(path).expanduser(), self.path)

    def merge_from(self, other: Other) -> MergeReport:
        """Merge one database in one transaction: nothing of it is written unless all of it is."""
        from reader.store.merge_plan import MergeReport

        self.check()
        report = MergeReport(str(other.path))
        # A merge writes hundreds of thousands of rows in one transaction: with SQLite's default
        # 2 MB page cache the indexes' pages would spill to the log and be read back (-20 %).
        cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size = -65536")
        try:
            return self._merge(other, report)
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(cache)}")

    def _merge(self, other: Other, report: MergeReport) -> MergeReport:
        from reader.store.merge_plan import clean_article, clean_assignment

        with self._write() as conn:
            for row in other.articles():
                cleaned = clean_article(row)
                if isinstance(cleaned, str):
                    self._refuse(other, row, cleaned, report)
                    continue
                self._merge_article(conn, other, cleaned, report)
            for article_id in other.gone():
                if not isinstance(article_id, str) or clean_field(article_id) != article_id or len(article_id) > 64:
                    report.refused += other.conn.execute("SELECT count(*) FROM annotation_events WHERE article_id = ?",
                                                         (article_id,)).fetchone()[0]
                    continue
                self._merge_gone(conn, other, article_id, report)
            for row in other.assignments():
                assignment = clean_assignment(*row)
                if assignment is None:
                    continue
                article_id, annotator, assigned = assignment
                if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
                    continue
                cursor = conn.execute(
                    """INSERT INTO assignments (article_id, annotator, assigned) VALUES (?, ?, ?)
                       ON CONFLICT (article_id, annotator) DO UPDATE SET assigned = min(assigned, excluded.assigned)
                       WHERE excluded.assigned < assigned""",
                    (article_id, annotator, assigned),
                )
                report.assignments_added += cursor.rowcount
        return report

    @staticmethod
    def _refuse(other: Other, row: tuple, reason: str, report: MergeReport) -> None:
        article_id = clean_field(row[0]) if isinstance(row[0], str) else None
        title = clean_field(row[1]) if isinstance(row[1], str) else None
        events = other.conn.execute("SELECT count(*) FROM annotation_events WHERE article_id = ?", (row[0],)).fetchone()[0]
        report.articles_refused.append({"id": (article_id or "?")[:64], "title": title[:200] if title else None,
                                        "reason": reason, "events": events})

    def _merge_article(self, conn: sqlite3.Connection, other: Other, row: tuple, report: MergeReport) -> None:
        from reader.store.merge_plan import clean_parse, sentence_map

        article_id, text = row[0], row[7]
        here = conn.execute("SELECT imported_at, model, text FROM articles WHERE id = ?", (article_id,)).fetchone()
        theirs = other.sentences(article_id)
        mapping: dict[int, int] | None = None
        if here is None:
            parse = clean_parse(text, theirs, other.entities(article_id))
            if isinstance(parse, str):
                self._refuse(other, row, parse, report)
                return
            conn.execute(f"INSERT INTO articles ({ARTICLE_COLUMNS}) VALUES ({', '.join('?' * 12)})", row)
            self._insert_parse(conn, other, article_id, *parse)
            report.articles_added += 1
        else:
            report.articles_present += 1
            text = here[2]  # ours: offsets are mapped into the text this database holds
            if row[11] < here[0]:  # an article's details come from its earliest import, whichever file it is in
                conn.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in DETAILS)} WHERE id = ?",
                             (*row[1:7], row[8], row[11], article_id))
            ours = conn.execute('SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)).fetchall()
            spans = [tuple(s[:3]) for s in theirs]
            if not ours and theirs:
                parse = clean_parse(text, theirs, other.entities(article_id))
                if isinstance(parse, str):
                    mapping = {}  # their sentences do not fit our text: none of their labels can be placed
                else:
                    self._insert_parse(conn, other, article_id, *parse)
            elif theirs and spans != [tuple(s) for s in ours]:
                mapping = sentence_map(text, ours, [s for s in spans if all(type(v) is int for v in s)])
                report.resplit.append({"id": article_id, "title": row[1], "sentences": len(theirs), "mapped": len(mapping)})
        self._merge_events(conn, other, article_id, mapping, report)

    def _insert_parse(self, conn: sqlite3.Connection, other: Other, article_id: str, sentences: list[tuple],
                      entities: list[tuple]) -> None:
        conn.executemany('INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                         [(article_id, *s) for s in sentences])
        conn.executemany('INSERT INTO entities (article_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
                         [(article_id, *e) for e in entities])
        model = other.conn.execute("SELECT model, model_version FROM articles WHERE id = ?", (article_id,)).fetchone()
        cleaned = [clean_field(v) if isinstance(v, str) else None for v in model]
        model = [c[:200] if c else None for c in cleaned]
        conn.execute("UPDATE articles SET model = ?, model_version = ? WHERE id = ?", (*model, article_id))

    def _merge_gone(self, conn: sqlite3.Connection, other: Other, article_id: str, report: MergeReport) -> None:
        """The history of an article deleted there: kept here as history; applied only if this
        database holds the article with the very sentences it had there."""
        ours = conn.execute('SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)).fetchall()
        if not ours:
            self._merge_events(conn, other, article_id, None, report, can_apply=False)
            return
        same = other.deleted_digest(article_id) == sentences_digest(ours)
        self._merge_events(conn, other, article_id, None if same else {}, report)

    def _merge_events(self, conn: sqlite3.Connection, other: Other, article_id: str, mapping: dict[int, int] | None,
                      report: MergeReport, *, can_apply: bool = True) -> None:
        from reader.store.merge_plan import clean_event, latest_stamps, plan_article, with_uids

        ours = with_uids(read_events(conn.execute(f"SELECT {COLUMNS} FROM annotation_events WHERE article_id = ? ORDER BY id", (article_id,))))
        known = {uid: (e.id, e) for uid, e in ours}
        cleaned = [clean_event(e) for e in read_events(other.events(article_id))]
        report.refused += sum(1 for e in cleaned if e is None)
        theirs = with_uids(e for e in cleaned if e is not None)
        fresh = [uid for uid, _ in theirs if uid not in known]
        elsewhere = {r[0] for r in conn.execute(
            "SELECT uid FROM annotation_events WHERE uid IN (SELECT value FROM json_each(?)) AND article_id != ?",
            (json.dumps(fresh), article_id))} if fresh else set()
        valid = {r[0] for r in conn.execute("SELECT idx FROM sentences WHERE article_id = ?", (article_id,))} if can_apply else None
        plan = plan_article(theirs, mapping, known, latest_stamps(ours), other.values(article_id), can_apply=can_apply,
                            valid=valid, elsewhere=elsewhere)
        # The log numbers a batch in order, so each event's id here is known before it is written.
        first = next_event_id(conn)
        ids = dict(plan.known)
        ids.update((item.their_id, first + k) for k, item in enumerate(plan.events))
        entries = [item.entry if item.their_target is None else replace(item.entry, target=ids.get(item.their_target))
                   for item in plan.events]
        if write_many(conn, entries)[:1] not in ([], [first]):
            raise RuntimeError("merged events were numbered otherwise than planned")
        report.events_added += len(plan.events)
        report.events_present += len(plan.known)
        report.left_out += plan.left_out
        report.conflicts += plan.conflicts
        report.changed += plan.changed
