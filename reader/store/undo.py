"""Undo and redo stacks, replayed from the event log once and then kept as rows.

What undo and redo do is defined by `fold`, applied to the event log in order: a change pushes
onto the undo stack and empties the redo stack, an undo moves the top of one to the other and a
redo moves it back; deleting an article takes its changes off both stacks and importing it again
with its labels ("undelete") puts them back underneath.

`replay` folds rows into lists (the review stacks use it). `View` keeps the same stacks as rows
of `undo_stacks`, one view per annotator, scope (an article, or every article) and set of fields,
with the id of the last event folded in: a keypress folds only the events written since (its own
undo or redo, another window's labels) and reads the top of a stack through the primary key, so
undo costs O(log n) in a log of n events instead of a replay of the whole log. The rows are
derived data: a missing view is rebuilt from the log, and one far behind is rebuilt too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Container, Iterable
from typing import NamedTuple, Protocol

from reader.store.events import COLUMNS, Event

UNDELETE = "undelete"
DONE = "done"
UNDONE = "undone"
EVENT_COLUMNS = COLUMNS  # every column: undo and redo read the log's rows as they are
# The events of a view: the annotator's own, and an article deleted or brought back by anyone,
# which takes its changes off (or puts them back on) everyone's stacks: an undo must never
# write into an article another annotator deleted.
MINE_OR_ARTICLE = f"(annotator = :annotator OR action = 'delete' OR (action = 'import' AND field = '{UNDELETE}'))"
# Past this many events written since a view was last used (a merge, a long session in another
# window), rebuilding it in memory is cheaper than folding each into the rows.
REBUILD_AFTER = 2000


class Item(NamedTuple):
    """What a stack holds of an event: enough to find it and the sentence it changed."""

    id: int
    article_id: str
    sentence_index: int | None
    field: str | None


class Stacks(Protocol):
    def push(self, stack: str, item: Item) -> None: ...
    def pop(self, stack: str) -> Item | None: ...
    def clear(self, stack: str) -> None: ...
    def drop(self, article_id: str) -> None: ...
    def restore(self, article_id: str) -> None: ...


def fold(event: Event, fields: Container[str | None], stacks: Stacks) -> None:
    """Apply one event of the log, in log order, to the undo (DONE) and redo (UNDONE) stacks."""
    if event.action == "delete":
        stacks.drop(event.article_id)
    elif event.action == "import" and event.field == UNDELETE:
        stacks.restore(event.article_id)
    elif event.field not in fields:
        return
    elif event.action in ("set", "clear"):
        stacks.push(DONE, Item(event.id, event.article_id, event.sentence_index, event.field))
        stacks.clear(UNDONE)
    elif event.action in ("undo", "redo"):
        source, target = (DONE, UNDONE) if event.action == "undo" else (UNDONE, DONE)
        moved = stacks.pop(source)
        if moved is not None:
            stacks.push(target, moved)


class Lists:
    """The stacks as lists in memory."""

    def __init__(self) -> None:
        self.stacks: dict[str, list[Item]] = {DONE: [], UNDONE: []}
        self.kept: dict[str, dict[str, list[Item]]] = {}

    def push(self, stack: str, item: Item) -> None:
        self.stacks[stack].append(item)

    def pop(self, stack: str) -> Item | None:
        return self.stacks[stack].pop() if self.stacks[stack] else None

    def clear(self, stack: str) -> None:
        self.stacks[stack].clear()

    def drop(self, article_id: str) -> None:
        self.kept[article_id] = {k: [e for e in v if e.article_id == article_id] for k, v in self.stacks.items()}
        self.stacks = {k: [e for e in v if e.article_id != article_id] for k, v in self.stacks.items()}

    def restore(self, article_id: str) -> None:
        back = self.kept.pop(article_id, {})
        self.stacks = {k: back.get(k, []) + v for k, v in self.stacks.items()}


def replay(rows: Iterable[tuple], fields: Container[str | None]) -> tuple[list[Event], list[Event]]:
    """Undo and redo stacks from event rows (EVENT_COLUMNS) in log order, for these fields."""
    events = {row[0]: Event(*row) for row in rows}
    lists = Lists()
    for event in events.values():
        fold(event, fields, lists)
    return [events[i.id] for i in lists.stacks[DONE]], [events[i.id] for i in lists.stacks[UNDONE]]


def event(conn: sqlite3.Connection, event_id: int) -> Event:
    return Event(*conn.execute(f"SELECT {EVENT_COLUMNS} FROM annotation_events WHERE id = ?", (event_id,)).fetchone())


def _kept(stack: str, article_id: str) -> str:
    return f"kept {stack} {article_id}"


class View:
    """One annotator's undo and redo stacks in a scope, as rows; see the module's docstring.

    Use `View.open` inside the write transaction that will write the undo or redo.
    """

    def __init__(self, conn: sqlite3.Connection, view_id: int, done: int, undone: int) -> None:
        self.conn = conn
        self.id = view_id
        self.size = {DONE: done, UNDONE: undone}

    @classmethod
    def open(cls, conn: sqlite3.Connection, article_id: str | None, annotator: str, fields: Iterable[str | None]) -> View:
        """The view brought up to date with the log."""
        key = json.dumps(sorted(fields, key=lambda f: (f is not None, f or "")))
        scope = "" if article_id is None else article_id
        row = conn.execute(
            "SELECT id, last_event, done, undone FROM undo_views WHERE annotator = ? AND scope = ? AND fields = ?",
            (annotator, scope, key),
        ).fetchone()
        after = row[1] if row else 0
        rows = conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM annotation_events WHERE id > :after AND (:article IS NULL OR article_id = :article) "
            f"AND {MINE_OR_ARTICLE} ORDER BY id",
            {"after": after, "article": article_id, "annotator": annotator},
        ).fetchall()
        chosen = frozenset(json.loads(key))
        if row is not None and len(rows) <= REBUILD_AFTER:
            view = cls(conn, row[0], row[2], row[3])
            for r in rows:
                fold(Event(*r), chosen, view)
            if rows:
                conn.execute(
                    "UPDATE undo_views SET last_event = ?, done = ?, undone = ? WHERE id = ?",
                    (rows[-1][0], view.size[DONE], view.size[UNDONE], view.id),
                )
            return view
        if row is not None:
            conn.execute("DELETE FROM undo_stacks WHERE view = ?", (row[0],))
            conn.execute("DELETE FROM undo_views WHERE id = ?", (row[0],))
            rows = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM annotation_events WHERE (:article IS NULL OR article_id = :article) "
                f"AND {MINE_OR_ARTICLE} ORDER BY id",
                {"article": article_id, "annotator": annotator},
            ).fetchall()
        return cls._build(conn, annotator, scope, key, rows, chosen)

    @classmethod
    def _build(cls, conn: sqlite3.Connection, annotator: str, scope: str, key: str, rows: list, fields: frozenset) -> View:
        lists = Lists()
        for r in rows:
            fold(Event(*r), fields, lists)
        last = rows[-1][0] if rows else 0
        cursor = conn.execute(
            "INSERT INTO undo_views (annotator, scope, fields, last_event, done, undone) VALUES (?, ?, ?, ?, ?, ?)",
            (annotator, scope, key, last, len(lists.stacks[DONE]), len(lists.stacks[UNDONE])),
        )
        assert cursor.lastrowid is not None
        view = cls(conn, cursor.lastrowid, 0, 0)
        for stack, items in lists.stacks.items():
            view._write(stack, items)
        for article_id, stacks in lists.kept.items():
            for stack, items in stacks.items():
                view._write(_kept(stack, article_id), items)
        return view

    # --- reading ---------------------------------------------------------------------------

    def top(self, stack: str) -> Item | None:
        row = self.conn.execute(
            "SELECT event, article_id, sentence_index, field FROM undo_stacks WHERE view = ? AND stack = ? AND depth = ?",
            (self.id, stack, self.size[stack]),
        ).fetchone()
        return Item(*row) if row else None

    def below(self, item: Item) -> int | None:
        """The latest change under the top of the undo stack to the same field of the same
        sentence as `item`, if the stack still holds one."""
        row = self.conn.execute(
            """SELECT event FROM undo_stacks WHERE view = ? AND stack = ? AND article_id = ? AND sentence_index IS ?
               AND field IS ? AND depth < ? ORDER BY depth DESC LIMIT 1""",
            (self.id, DONE, item.article_id, item.sentence_index, item.field, self.size[DONE]),
        ).fetchone()
        return row[0] if row else None

    # --- Stacks, for `fold` --------------------------------------------------------------------

    def push(self, stack: str, item: Item) -> None:
        self.size[stack] += 1
        self.conn.execute(
            "INSERT INTO undo_stacks (view, stack, depth, event, article_id, sentence_index, field) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.id, stack, self.size[stack], *item),
        )

    def pop(self, stack: str) -> Item | None:
        item = self.top(stack)
        if item is not None:
            self.conn.execute("DELETE FROM undo_stacks WHERE view = ? AND stack = ? AND depth = ?", (self.id, stack, self.size[stack]))
            self.size[stack] -= 1
        return item

    def clear(self, stack: str) -> None:
        if self.size[stack]:
            self.conn.execute("DELETE FROM undo_stacks WHERE view = ? AND stack = ?", (self.id, stack))
            self.size[stack] = 0

    def drop(self, article_id: str) -> None:
        # Rare (an article deleted): rewriting the stacks costs their length.
        for stack in (DONE, UNDONE):
            items = self._read(stack)
            self._write(_kept(stack, article_id), [i for i in items if i.article_id == article_id])
            if any(i.article_id == article_id for i in items):
                self._write(stack, [i for i in items if i.article_id != article_id])

    def restore(self, article_id: str) -> None:
        for stack in (DONE, UNDONE):
            back = self._read(_kept(stack, article_id))
            if back:
                self._write(_kept(stack, article_id), [])
                self._write(stack, back + self._read(stack))

    def _read(self, stack: str) -> list[Item]:
        return [Item(*r) for r in self.conn.execute(
            "SELECT event, article_id, sentence_index, field FROM undo_stacks WHERE view = ? AND stack = ? ORDER BY depth",
            (self.id, stack),
        )]

    def _write(self, stack: str, items: list[Item]) -> None:
        self.conn.execute("DELETE FROM undo_stacks WHERE view = ? AND stack = ?", (self.id, stack))
        self.conn.executemany(
            "INSERT INTO undo_stacks (view, stack, depth, event, article_id, sentence_index, field) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self.id, stack, depth, *item) for depth, item in enumerate(items, 1)],
        )
        if stack in self.size:
            self.size[stack] = len(items)
