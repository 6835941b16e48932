"""Labels: the one write path, undo and redo from the event log, and reading positions.

Every change to what an annotator said about a sentence (a label set by hand or accepted
from a suggestion, a clear, an undo or redo, a label restored from an export or merged from
another database, an article deleted) is an `Entry` given to `write` (many at once:
`write_many`), which appends the event and applies it to the current state in the caller's
transaction. A new feature adds a provenance or a field, never another write path.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from reader.limits import MAX_VALUE_CHARS
from reader.model import NOTE, UNSURE, Change, Suggestion
from reader.sanitize import clipped_field
from reader.store.db import Connection, now
from reader.store.events import INSERT, WRITTEN
from reader.store.undo import DONE, EVENT_COLUMNS, MINE_OR_ARTICLE, UNDELETE, UNDONE, Event, View, replay
from reader.store.undo import event as read_event

__all__ = ["EVENT_COLUMNS", "UNDELETE", "Entry", "Event", "Labels", "current", "history", "replay", "write", "write_many"]


@dataclass(frozen=True)
class Entry:
    """One event for the log, and what it does to the current state: every column the log is
    written with (`reader.store.events.WRITTEN`, by name) and how it is applied.

    `label` is the value the event sets (None clears it) and `previous` the value it replaces;
    `field` names what is set: None for the label, otherwise another field of the sentence.
    `provenance` is None for what a person did by hand. `created` is the event's time (now when
    None); `since`/`updated` are the times the current value carries, when they come from
    elsewhere (a restored export).
    """

    article_id: str
    sentence_index: int | None
    annotator: str
    action: str
    label: str | None
    previous: str | None
    target: int | None = None
    field: str | None = None
    provenance: str | None = None
    suggested: str | None = None
    created: str | None = None
    uid: str | None = None
    since: str | None = None
    updated: str | None = None
    # For events merged from another database's log (reader.store.merge_plan): `apply=False` appends
    # an event older than the value in force without touching that value; `exact=True` makes
    # the value take `since` and `updated` as given even where one is already there, so the
    # result depends on the events merged, never on the order the databases were merged in.
    apply: bool = True
    exact: bool = False


# The event row of an entry: every column the log is written with (reader.store.events), read
# from the entry by name; `created` and `uid` are filled in when the entry leaves them to the store.
_written = attrgetter(*WRITTEN)
_CREATED, _UID = WRITTEN.index("created"), WRITTEN.index("uid")


def _event_row(entry: Entry, created: str) -> list:
    row = list(_written(entry))
    row[_CREATED] = created
    row[_UID] = entry.uid or uuid.uuid4().hex
    return row


def write(conn: sqlite3.Connection, entry: Entry) -> int:
    """Append the event and apply it to the current state; returns the event's id.

    The caller holds the write transaction, so the event and the current value it describes
    are committed together or not at all.
    """
    created = entry.created or now()
    cursor = conn.execute(INSERT, _event_row(entry, created))
    if entry.sentence_index is not None and entry.apply:
        _apply(conn, entry, entry.since or entry.updated or created, entry.updated or created)
    assert cursor.lastrowid is not None  # an INSERT always sets it
    return cursor.lastrowid


def write_many(conn: sqlite3.Connection, entries: Sequence[Entry]) -> list[int]:
    """`write` for many events at once (a merge brings hundreds of thousands): the same rows,
    appended in order and applied in order, in the caller's transaction; returns their ids."""
    stamp = now()
    first = next_event_id(conn)
    conn.executemany(INSERT, [_event_row(e, e.created or stamp) for e in entries])
    if next_event_id(conn) != first + len(entries):
        raise RuntimeError("the event log did not number a batch of events in order")
    changes = [
        _statement(e, e.since or e.updated or e.created or stamp, e.updated or e.created or stamp)
        for e in entries if e.sentence_index is not None and e.apply
    ]
    # consecutive changes made by one statement go together (the order of changes is kept)
    for sql, run in groupby(changes, key=lambda change: change[0]):
        conn.executemany(sql, [params for _, params in run])
    return list(range(first, first + len(entries)))


def next_event_id(conn: sqlite3.Connection) -> int:
    """The id the next event gets (the log's ids are AUTOINCREMENT: never reused)."""
    return conn.execute(
        """SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'annotation_events'), 0),
                      coalesce((SELECT max(id) FROM annotation_events), 0)) + 1"""
    ).fetchone()[0]


def _apply(conn: sqlite3.Connection, e: Entry, since: str, updated: str) -> None:
    conn.execute(*_statement(e, since, updated))


def _statement(e: Entry, since: str, updated: str) -> tuple[str, tuple]:
    """The SQL that makes the current state say what an event says, with its parameters."""
    key = (e.article_id, e.sentence_index, e.annotator)
    if e.field is None:
        if e.label is None:
            return "DELETE FROM annotations WHERE article_id = ? AND sentence_index = ? AND annotator = ?", key
        return (
            """INSERT INTO annotations (article_id, sentence_index, annotator, label, created, updated, provenance, suggested)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (article_id, sentence_index, annotator) DO UPDATE SET label = excluded.label,
               updated = excluded.updated, provenance = excluded.provenance, suggested = excluded.suggested,
               created = CASE WHEN ? THEN excluded.created ELSE annotations.created END""",
            (*key, e.label, since, updated, e.provenance, e.suggested, e.exact),
        )
    if e.label is None:
        return "DELETE FROM sentence_fields WHERE article_id = ? AND sentence_index = ? AND annotator = ? AND field = ?", (*key, e.field)
    return (
        """INSERT INTO sentence_fields (article_id, sentence_index, annotator, field, value, provenance, updated)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (article_id, sentence_index, annotator, field) DO UPDATE SET value = excluded.value,
           provenance = excluded.provenance, updated = excluded.updated""",
        (*key, e.field, e.label, e.provenance, updated),
    )


def current(conn: sqlite3.Connection, article_id: str, index: int, annotator: str, field: str | None = None) -> str | None:
    """The value a field of a sentence has now for one annotator (None: the label)."""
    if field is None:
        row = conn.execute(
            "SELECT label FROM annotations WHERE article_id = ? AND sentence_index = ? AND annotator = ?",
            (article_id, index, annotator),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT value FROM sentence_fields WHERE article_id = ? AND sentence_index = ? AND annotator = ? AND field = ?",
            (article_id, index, annotator, field),
        ).fetchone()
    return row[0] if row else None


# What each undo stack covers: the article view's (labels, notes, unsure marks); a reviewer's
# decisions ("review") and the commitment tracker's corrections have stacks of their own.
REVIEW = "review"
LABEL_FIELDS: frozenset[str | None] = frozenset({None, NOTE, UNSURE})


def history(
    conn: sqlite3.Connection, article_id: str | None, annotator: str, fields: Container[str | None] = LABEL_FIELDS
) -> tuple[list[Event], list[Event]]:
    """Replay the event log into this annotator's undo and redo stacks for the changes of these
    fields in an article (None: in every article)."""
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM annotation_events WHERE (:article IS NULL OR article_id = :article) AND {MINE_OR_ARTICLE} ORDER BY id",
        {"article": article_id, "annotator": annotator},
    )
    return replay(rows, fields)


# An article deleted and imported again gets its labels back from the log, when its sentences
# are the same as before (the delete event records a digest of their offsets).
SENTENCES = "sentences"


def sentences_digest(spans: Iterable[tuple[int, int]]) -> str:
    return hashlib.sha256(",".join(f"{a}:{b}" for a, b in spans).encode()).hexdigest()[:16]


def undelete(conn: sqlite3.Connection, article_id: str, digest: str) -> int:
    """Restore the labels an article had when it was deleted, if its sentences are the same as
    then (the new parse's digest matches); returns how many came back."""
    deleted = conn.execute(
        "SELECT label FROM annotation_events WHERE article_id = ? AND action = 'delete' ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if deleted is None or deleted[0] != digest:
        return 0
    # Every event records the value it leaves, so the last one per sentence, annotator and
    # field is the value the sentence had.
    last: dict[tuple, tuple] = {}
    for index, annotator, field, label, provenance, suggested in conn.execute(
        """SELECT sentence_index, annotator, field, label, provenance, suggested FROM annotation_events
           WHERE article_id = ? AND sentence_index IS NOT NULL AND action != 'delete' ORDER BY id""",
        (article_id,),
    ):
        last[(index, annotator, field)] = (label, provenance, suggested)
    annotators = sorted({annotator for _, annotator, _ in last})
    stamp = now()
    restored = 0
    for (index, annotator, field), (label, provenance, suggested) in last.items():
        if label is not None:
            _apply(conn, Entry(article_id, index, annotator, "import", label, None, field=field,
                               provenance=provenance, suggested=suggested), stamp, stamp)
            restored += 1
    for annotator in annotators:
        conn.execute(
            """INSERT INTO annotation_events (article_id, annotator, action, created, field, uid)
               VALUES (?, ?, 'import', ?, ?, ?)""",
            (article_id, annotator, stamp, UNDELETE, uuid.uuid4().hex),
        )
    return restored


class Labels(Connection):
    """Labels by sentence and annotator, with undo and redo, and where each annotator was."""

    def labels(self, article_id: str, annotator: str) -> dict[int, str]:
        """Current label of each labelled sentence of an article, for one annotator."""
        rows = self._all(
            "SELECT sentence_index, label FROM annotations WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        )
        return dict(rows)

    def could_train(self, names: Sequence[str], least: int) -> bool:
        """Whether there are labels enough to train on: `least` sentences with labels of this set,
        of two labels at least, in two articles at least (what training checks first). Each
        query stops as soon as it has its answer: this runs on a keypress."""
        marks = ",".join("?" * len(names))
        chosen = f"FROM annotations WHERE label IN ({marks})"
        sentences = self._one(f"SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index {chosen} LIMIT ?)", (*names, least))[0]
        labels = self._one(f"SELECT count(*) FROM (SELECT DISTINCT label {chosen} LIMIT 2)", tuple(names))[0]
        articles = self._one(f"SELECT count(*) FROM (SELECT DISTINCT article_id {chosen} LIMIT 2)", tuple(names))[0]
        return sentences >= least and labels >= 2 and articles >= 2

    def label_counts(self, annotator: str | None = None) -> dict[str, int]:
        """How many sentences carry each label: one annotator's, or (None) everyone's (from the
        counts the schema's triggers keep, not a count over the labels)."""
        return dict(self._all(
            "SELECT label, sum(n) FROM label_totals WHERE ?1 IS NULL OR annotator = ?1 GROUP BY label HAVING sum(n) > 0 ORDER BY label",
            (annotator,),
        ))

    def set_label(
        self, article_id: str, index: int, label: str | None, annotator: str, *,
        provenance: str | None = None, suggested: Suggestion | None = None,
    ) -> Change | None:
        """Set (or with None clear) a sentence's label; committed before this returns.

        `provenance` says where the label came from (None: by hand; "suggestion": accepted)
        and `suggested` is the suggestion that was on screen, so a dataset can be audited for
        automation bias. Returns the change, or None when the sentence already had that label.
        """
        shown = json.dumps(suggested.record()) if suggested is not None else None
        with self._write() as conn:
            previous = current(conn, article_id, index, annotator)
            if previous == label:
                return None
            action = "clear" if label is None else "set"
            entry = Entry(article_id, index, annotator, action, label, previous, provenance=provenance, suggested=shown)
            return Change(write(conn, entry), index, label, previous)

    def undo(self, article_id: str | None, annotator: str, fields: Container[str | None] = LABEL_FIELDS) -> Change | None:
        """Undo this annotator's last change of these fields in the article (None: in any
        article); None when there is nothing to undo."""
        return self._step(article_id, annotator, "undo", fields)

    def redo(self, article_id: str | None, annotator: str, fields: Container[str | None] = LABEL_FIELDS) -> Change | None:
        """Redo the change last undone; None when there is nothing to redo."""
        return self._step(article_id, annotator, "redo", fields)

    def _step(self, article_id: str | None, annotator: str, action: str, fields: Container[str | None]) -> Change | None:
        with self._write() as conn:
            if isinstance(fields, Iterable):
                # O(log n): the stacks are kept as rows, brought up to date with the log
                view = View.open(conn, article_id, annotator, fields)
                top = view.top(DONE if action == "undo" else UNDONE)
                if top is None:
                    return None
                target = read_event(conn, top.id)
                below = view.below(top) if action == "undo" else None
                earlier = read_event(conn, below) if below is not None else None
            else:
                done, undone = history(conn, article_id, annotator, fields)
                stack = done if action == "undo" else undone
                if not stack:
                    return None
                target = stack[-1]
                key = (target.article_id, target.sentence_index, target.field)
                before = [e for e in done[:-1] if (e.article_id, e.sentence_index, e.field) == key]
                earlier = before[-1] if before else None
            article_id = target.article_id
            index = target.sentence_index
            assert index is not None  # only changes of a sentence are on a stack (`fold`)
            # The value restored keeps where it came from: for a redo, the event redone; for an
            # undo, the change before it on the same sentence, if that is still in the history.
            source = target if action == "redo" else earlier
            label = target.previous if action == "undo" else target.label
            previous = current(conn, article_id, index, annotator, target.field)
            entry = Entry(
                article_id, index, annotator, action, label, previous, target=target.id, field=target.field,
                provenance=source.provenance if source else None, suggested=source.suggested if source else None,
            )
            return Change(write(conn, entry), index, label, previous, target.field, article_id)

    def set_field(self, article_id: str, index: int, field: str, value: str | None, annotator: str) -> Change | None:
        """Set (None: clear) another field of a sentence, such as a note; None when unchanged.
        The value is cleaned as an import or a merge cleans it (one line, no control or
        direction characters, at most MAX_VALUE_CHARS), so a note typed or pasted in the
        reader is stored as a copy of the database merged back would hold it."""
        value = clipped_field(value, MAX_VALUE_CHARS) if value is not None else None
        with self._write() as conn:
            previous = current(conn, article_id, index, annotator, field)
            if previous == value:
                return None
            entry = Entry(article_id, index, annotator, "clear" if value is None else "set", value, previous, field=field)
            return Change(write(conn, entry), index, value, previous, field)

    def fields(self, article_id: str, annotator: str, names: Iterable[str]) -> dict[str, dict[int, str]]:
        """This annotator's values of some fields of an article's sentences: field -> index -> value."""
        names = list(names)
        out: dict[str, dict[int, str]] = {name: {} for name in names}
        marks = ",".join("?" * len(names))
        for index, field, value in self._all(
            f"SELECT sentence_index, field, value FROM sentence_fields WHERE article_id = ? AND annotator = ? AND field IN ({marks})",
            (article_id, annotator, *names),
        ):
            out[field][index] = value
        return out

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
        with self._write() as conn:
            conn.execute(
                """INSERT INTO positions (article_id, annotator, sentence_index, updated) VALUES (?, ?, ?, ?)
                   ON CONFLICT (article_id, annotator) DO UPDATE SET sentence_index = excluded.sentence_index,
                   updated = excluded.updated""",
                (article_id, annotator, index, now()),
            )

