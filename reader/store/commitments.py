"""The commitment register: what the extractor found in each commitment sentence, and the
corrections, status and note people gave it (sentence fields "commitment.*", written as events
through the one write path, the latest by anyone winning)."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from reader.store.db import now
from reader.store.register import RegisterRows, computed
from reader.store.suggestions import DEFAULT_SET

if TYPE_CHECKING:
    from reader.records import Tracked

PREFIX = "commitment."
FIELDS = frozenset(f"{PREFIX}{part}" for part in ("actor", "action", "when", "status", "note"))


def put_commitment(conn: sqlite3.Connection, article_id: str, index: int, found: Any, article_date: Any) -> None:
    """Store (or replace) what the extractor found in one sentence, and the article date it
    resolved times against (its published date, or its dateline)."""
    conn.execute(
        """INSERT OR REPLACE INTO commitments (article_id, sentence_index, actor, actor_entities, actor_resolved,
               actor_note, action, when_text, when_iso, trigger, confidence, article_date, updated)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (article_id, index, found.actor, json.dumps([list(e) for e in found.actor_entities]), found.actor_resolved,
         found.actor_note, found.action, found.when, found.when_iso, found.trigger, found.confidence,
         article_date.isoformat() if article_date else None, now()),
    )


class Commitments(RegisterRows):
    """The register of commitments across every article."""

    def save_commitments(self, article_id: str, found: dict[int, Any], article_date: Any) -> None:
        with self._write() as conn:
            for index, item in found.items():
                put_commitment(conn, article_id, index, item, article_date)

    def needing_extraction(self, label_set: str = DEFAULT_SET) -> dict[str, list[int]]:
        """Commitment sentences the extractor has not read yet, by article."""
        out: dict[str, list[int]] = {}
        unread = self.kept_unread() if label_set == DEFAULT_SET else sorted(
            (i.article_id, i.sentence_index) for i, _, extracted, _ in self._read(lambda: computed(self.conn, label_set=label_set))
            if not extracted)
        for article_id, index in unread:
            out.setdefault(article_id, []).append(index)
        return out

    def register(self, label_set: str = DEFAULT_SET) -> list[Tracked]:
        """Every commitment of the library, with what was extracted and what people set (kept
        as rows by reader.store.register, for the default label set)."""
        if label_set == DEFAULT_SET:
            return self.kept_register()
        return [item for item, listed, _, _ in self._read(lambda: computed(self.conn, label_set=label_set)) if listed]
