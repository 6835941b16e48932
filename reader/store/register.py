"""The commitment register as kept rows (schema 6, reader.store.register_schema): computed for
the sentences the write paths marked, then read a window at a time in any of its orders.

`computed` is the register's one definition (which sentences, with what was extracted and what
people set); `refresh_register` applies it to the marked sentences only, so keeping the rows
costs what was written, and `computed` over every sentence is what the kept rows must equal.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import sqlite3
from collections import Counter
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from reader.model import COMMITMENT, SKIPPED
from reader.register_order import LAST, group_keys, sort_columns
from reader.store.db import Connection
from reader.store.register_schema import ORDERS
from reader.store.suggestions import DEFAULT_SET

if TYPE_CHECKING:  # the register's classes load when it is read, not when the store opens
    from reader.records import Annotation, Tracked

PREFIX = "commitment."

# every sentence that may be in the register, or only those the write paths marked
EVERY = """
    SELECT article_id, sentence_index FROM annotations WHERE label = :label
    UNION SELECT article_id, sentence_index FROM sentence_fields WHERE field = 'review' AND value = :label
    UNION SELECT article_id, sentence_index FROM suggestions WHERE label_set = :label_set AND label = :label"""
MARKED = "SELECT article_id, sentence_index FROM register_dirty"

# labelled commitment by someone (or decided so by a reviewer), or unlabelled and suggested so
_ORIGIN = """
    SELECT k.article_id, k.sentence_index, CASE
        WHEN EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = k.article_id AND n.sentence_index = k.sentence_index
                     AND n.label = :label)
          OR EXISTS (SELECT 1 FROM sentence_fields f WHERE f.article_id = k.article_id AND f.sentence_index = k.sentence_index
                     AND f.field = 'review' AND f.value = :label) THEN 'labelled'
        WHEN EXISTS (SELECT 1 FROM suggestions g WHERE g.article_id = k.article_id AND g.sentence_index = k.sentence_index
                     AND g.label_set = :label_set AND g.label = :label)
         AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = k.article_id AND n.sentence_index = k.sentence_index)
        THEN 'suggested' END AS origin
    FROM ({keys}) k"""


def computed(conn: sqlite3.Connection, keys: str = EVERY, label_set: str = DEFAULT_SET) -> list[tuple[Tracked, bool, bool, str]]:
    """The register's sentences among `keys` (SQL giving article_id, sentence_index): each
    commitment, listed, extracted and its article's import time, newest import first."""
    from reader.records import Annotation, Tracked

    params = {"label": COMMITMENT, "label_set": label_set}
    rows = conn.execute(
        f"""SELECT c.article_id, c.sentence_index, s.text, s.start, s."end", a.title, a.url,
                   coalesce(a.published, x.article_date), c.origin,
                   x.actor, x.actor_entities, x.actor_resolved, x.actor_note, x.action, x.when_text, x.when_iso, x.updated,
                   a.imported_at
            FROM ({_ORIGIN.format(keys=keys)}) c
            JOIN sentences s ON s.article_id = c.article_id AND s.idx = c.sentence_index
            JOIN articles a ON a.id = c.article_id
            LEFT JOIN commitments x ON x.article_id = c.article_id AND x.sentence_index = c.sentence_index
            WHERE c.origin IS NOT NULL
            ORDER BY a.imported_at DESC, c.article_id, c.sentence_index""",
        params,
    ).fetchall()
    set_by: dict[tuple[str, int], dict[str, str]] = {}
    reviews: dict[tuple[str, int], Annotation] = {}
    for article_id, index, annotator, field, value, updated in conn.execute(
        f"""SELECT f.article_id, f.sentence_index, f.annotator, f.field, f.value, f.updated
            FROM sentence_fields f JOIN ({keys}) k ON k.article_id = f.article_id AND k.sentence_index = f.sentence_index
            WHERE f.field LIKE 'commitment.%' OR f.field = 'review' ORDER BY f.updated, f.annotator""",
        params,
    ):
        if field == "review":
            reviews[(article_id, index)] = Annotation(value, annotator, updated, updated, "review")
        else:
            set_by.setdefault((article_id, index), {})[field[len(PREFIX):]] = value
    labels: dict[tuple[str, int], list[Annotation]] = {}
    for article_id, index, annotator, label, created, updated in conn.execute(
        f"""SELECT n.article_id, n.sentence_index, n.annotator, n.label, n.created, n.updated
            FROM annotations n JOIN ({keys}) k ON k.article_id = n.article_id AND k.sentence_index = n.sentence_index
            WHERE n.label != :skipped""",
        {**params, "skipped": SKIPPED},
    ):
        labels.setdefault((article_id, index), []).append(Annotation(label, annotator, created, updated))
    out = []
    for r in rows:
        key = (r[0], r[1])
        fields = set_by.get(key, {})
        extracted = {}
        if r[16] is not None:  # the extractor has read it (it may have found nothing)
            extracted = {"actor": r[9], "actor_entities": json.loads(r[10] or "[]"), "actor_resolved": r[11],
                         "actor_note": r[12], "action": r[13], "when": r[14], "when_iso": r[15]}
        corrected = {k: v for k, v in fields.items() if k in ("actor", "action", "when")}
        item = Tracked(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], extracted, corrected,
                       fields.get("status", "open"), fields.get("note"))
        out.append((item, r[8] != "labelled" or _stands(labels.get(key, []), reviews.get(key)), r[16] is not None, r[17]))
    return out


def _stands(labels: list[Annotation], review: Annotation | None) -> bool:
    """Whether a sentence someone labelled commitment resolves to commitment as `reader export
    --resolve reviewed` resolves it (a reviewer's decision, else most annotators); training
    follows the same rule."""
    from reader.resolve import resolve

    resolved = resolve(labels, "reviewed", review)
    return resolved is not None and resolved.label == COMMITMENT


def _phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def _grams(hay: str) -> set[str]:
    """The one- and two-character strings of a commitment's filter text."""
    return set(hay) | set(map(operator.add, hay, hay[1:]))


@functools.cache
def _parts() -> tuple[str, ...]:
    """Tracked's field names, read once (the class loads when the register is first read)."""
    from reader.records import Tracked

    return tuple(f.name for f in fields(Tracked))


def _stored(item: Tracked) -> str:
    return json.dumps({name: getattr(item, name) for name in _parts()}, ensure_ascii=False)


def _tracked(item: str) -> Tracked:
    from reader.records import Tracked

    return Tracked(**json.loads(item))


class RegisterRows(Connection):
    """The register read a window at a time from its kept rows."""

    def refresh_register(self) -> int:
        """Bring the kept rows of the sentences the write paths marked up to date; returns how
        many were marked. A read-only database is read as it is."""
        if self.readonly or not self._one("SELECT 1 FROM register_dirty LIMIT 1"):
            return 0
        with self._write() as conn:
            marked = conn.execute("SELECT count(*) FROM register_dirty").fetchone()[0]
            fresh = computed(conn, MARKED)
            gone = conn.execute(
                "SELECT r.id, r.hay, r.actor_key, r.listed FROM register_rows r JOIN register_dirty d"
                " ON d.article_id = r.article_id AND d.sentence_index = r.sentence_index").fetchall()
            conn.executemany("INSERT INTO register_text (register_text, rowid, hay) VALUES ('delete', ?, ?)", [g[:2] for g in gone])
            conn.executemany("DELETE FROM register_rows WHERE id = ?", [g[:1] for g in gone])
            actors: Counter[str] = Counter()
            grams: Counter[str] = Counter()
            for _, hay, key, listed in gone:
                actors[key] -= listed
                grams.subtract(_grams(hay))
            rows = []
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM register_rows").fetchone()[0]
            for n, (item, listed, extracted, imported_at) in enumerate(fresh, next_id):
                columns = sort_columns(item)
                if listed:
                    actors[str(columns["actor_key"])] += 1
                    grams.update(_grams(str(columns["hay"])))
                else:
                    columns["hay"] = ""  # the filter never shows it
                rows.append({**columns, "id": n, "article_id": item.article_id, "sentence_index": item.sentence_index,
                             "listed": int(listed), "extracted": int(extracted), "origin": item.origin,
                             "imported_at": imported_at, "item": _stored(item)})
            conn.executemany(
                """INSERT INTO register_rows (id, article_id, sentence_index, listed, extracted, origin, imported_at, item,
                       actor_key, deadline_sort, when_value, status_rank, date_key, hay)
                   VALUES (:id, :article_id, :sentence_index, :listed, :extracted, :origin, :imported_at, :item,
                       :actor_key, :deadline_sort, :when_value, :status_rank, :date_key, :hay)""", rows)
            conn.executemany("INSERT INTO register_text (rowid, hay) VALUES (:id, :hay)", rows)
            conn.executemany("""INSERT INTO register_grams (gram, n) VALUES (?, ?)
                                ON CONFLICT (gram) DO UPDATE SET n = n + excluded.n""", [g for g in grams.items() if g[1]])
            conn.execute("DELETE FROM register_grams WHERE n <= 0")
            conn.execute("DELETE FROM register_dirty")
            self._regroup(conn, actors)
        return int(marked)

    def _regroup(self, conn: sqlite3.Connection, changes: dict[str, int]) -> None:
        """Count each actor key's commitments; when the keys themselves change (a new actor, or
        the last commitment of one gone), group them again, which may move others' rows."""
        before = {k for (k,) in conn.execute("SELECT actor_key FROM register_actors")}
        for key, n in changes.items():
            if n:
                conn.execute("""INSERT INTO register_actors (actor_key, n, actor_group) VALUES (?, ?, ?)
                                ON CONFLICT (actor_key) DO UPDATE SET n = n + excluded.n""", (key, n, key))
        conn.execute("DELETE FROM register_actors WHERE n <= 0")
        groups = dict(conn.execute("SELECT actor_key, actor_group FROM register_actors"))
        if set(groups) != before:
            wanted = group_keys(groups)
            for key, group in wanted.items():
                if groups[key] != group:
                    conn.execute("UPDATE register_actors SET actor_group = ? WHERE actor_key = ?", (group, key))
                    conn.execute("UPDATE register_rows SET actor_group = ?, actor_sort = ? WHERE actor_key = ?",
                                 (group, group or LAST, key))
            groups = wanted
        # rows written now take their group (the others have theirs)
        for key in changes:
            if key in groups:
                conn.execute("UPDATE register_rows SET actor_group = ?, actor_sort = ? WHERE actor_key = ? AND actor_sort = ''",
                             (groups[key], groups[key] or LAST, key))

    def register_groups_of(self) -> dict[str, str]:
        """Each actor key and the actor it is grouped under."""
        return dict(self._all("SELECT actor_key, actor_group FROM register_actors"))

    def _where(self, needle: str, view: str, on: dt.date, due_days: int) -> tuple[str, dict[str, Any]]:
        where, params = ["listed = 1"], {}
        needle = needle.lower()
        if len(needle) >= 3:  # the trigram index finds them (it folds case as SQLite does, after Python)
            where.append("id IN (SELECT rowid FROM register_text WHERE register_text MATCH :phrase)")
            params["phrase"] = _phrase(needle)
        elif needle:
            where.append("instr(hay, :needle)")
            params["needle"] = needle
        if view in ("overdue", "due"):
            where.append("status_rank = 0")
            if view == "overdue":
                where.append("deadline_sort < :on")
            else:
                where.append("deadline_sort BETWEEN :on AND :until")
                params["until"] = (on + dt.timedelta(days=due_days)).isoformat()
            params["on"] = on.isoformat()
        return " AND ".join(where), params

    def register_count(self, needle: str = "", view: str = "all", on: dt.date | None = None, due_days: int = 30) -> int:
        """How many commitments are shown: with the whole register in view, counted from the
        trigram index (three characters and more) or the kept counts (fewer), not row by row."""
        needle = needle.lower()
        if not needle and view not in ("overdue", "due"):  # every listed commitment: the actors' counts add up to it
            return int(self._all("SELECT coalesce(sum(n), 0) FROM register_actors")[0][0])
        if needle and view not in ("overdue", "due"):
            if len(needle) >= 3:
                return int(self._all("SELECT count(*) FROM register_text WHERE register_text MATCH ?", (_phrase(needle),))[0][0])
            return int(self._all("SELECT coalesce(max(n), 0) FROM register_grams WHERE gram = ?", (needle,))[0][0])
        where, params = self._where(needle, view, on or dt.date.today(), due_days)
        return int(self._all(f"SELECT count(*) FROM register_rows WHERE {where}", params)[0][0])

    def register_window(self, order: str, offset: int, limit: int, needle: str = "", view: str = "all",
                        on: dt.date | None = None, due_days: int = 30) -> list[Tracked]:
        """The commitments shown from `offset`, at most `limit` of them, in one of ORDERS."""
        where, params = self._where(needle, view, on or dt.date.today(), due_days)
        rows = self._all(f"SELECT item FROM register_rows INDEXED BY register_by_{order} WHERE {where}"
                         f" ORDER BY {ORDERS[order]} LIMIT :limit OFFSET :offset", {**params, "limit": limit, "offset": offset})
        return [_tracked(item) for (item,) in rows]

    def register_labelled(self) -> int:
        return int(self._one("SELECT count(*) FROM register_rows WHERE listed = 1 AND origin = 'labelled'")[0])

    def register_due(self, on: dt.date, due_days: int) -> dict[str, int]:
        """How many open commitments are overdue and due within `due_days`, of them all."""
        return {view: self.register_count(view=view, on=on, due_days=due_days) for view in ("overdue", "due")}

    def register_group_counts(self, needle: str = "", view: str = "all", on: dt.date | None = None,
                              due_days: int = 30) -> dict[str, int]:
        where, params = self._where(needle, view, on or dt.date.today(), due_days)
        return dict(self._all(f"SELECT actor_group, count(*) FROM register_rows WHERE {where} GROUP BY actor_group", params))

    def _stale(self) -> bool:
        """Marked sentences a read-only database cannot bring up to date: read it computed."""
        self.refresh_register()
        return self.readonly and bool(self._one("SELECT 1 FROM register_dirty LIMIT 1"))

    def kept_register(self) -> list[Tracked]:
        """Every commitment the register lists, newest import first."""
        if self._stale():
            return [item for item, listed, _, _ in self._read(lambda: computed(self.conn)) if listed]
        return [_tracked(item) for (item,) in self._all(
            f"SELECT item FROM register_rows INDEXED BY register_by_article WHERE listed = 1 ORDER BY {ORDERS['article']}")]

    def kept_unread(self) -> list[tuple[str, int]]:
        """The register's sentences (listed or not) the extractor has not read yet."""
        if self._stale():
            return sorted((i.article_id, i.sentence_index) for i, _, extracted, _ in self._read(lambda: computed(self.conn))
                          if not extracted)
        return self._all("SELECT article_id, sentence_index FROM register_rows WHERE extracted = 0 ORDER BY article_id, sentence_index")
