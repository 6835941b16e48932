"""Suggestions and the models that make them: one proposed label per sentence and label set,
replaced whenever a better suggester has run over the article."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from reader.model import DEFAULT_LABELS, Suggestion
from reader.store.db import Connection, now

if TYPE_CHECKING:
    from reader.records import ModelInfo  # made where models are read, after an article's first paint

DEFAULT_SET = ",".join(DEFAULT_LABELS)


def put_suggestions(conn: sqlite3.Connection, article_id: str, label_set: str, items: dict[int, Suggestion]) -> None:
    """Replace an article's suggestions for a label set (in the caller's transaction)."""
    conn.execute("DELETE FROM suggestions WHERE article_id = ? AND label_set = ?", (article_id, label_set))
    stamp = now()
    conn.executemany(
        """INSERT INTO suggestions (article_id, sentence_index, label_set, label, score, scores, source, reason, updated)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (article_id, index, label_set, s.label, s.score, json.dumps(s.scores), s.source, s.reason, stamp)
            for index, s in sorted(items.items())
        ],
    )


class Suggestions(Connection):
    """Reading and replacing suggestions; the register of trained models."""

    def suggestions(self, article_id: str, label_set: str) -> dict[int, Suggestion]:
        rows = self._all(
            "SELECT sentence_index, label, score, scores, source, reason FROM suggestions WHERE article_id = ? AND label_set = ?",
            (article_id, label_set),
        )
        return {r[0]: Suggestion(r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows}

    def save_suggestions(self, article_id: str, label_set: str, items: dict[int, Suggestion]) -> None:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                put_suggestions(conn, article_id, label_set, items)

    def unsuggested(self, label_set: str, source: str | None = None) -> list[str]:
        """Parsed articles with sentences that have no suggestion for this label set (or none
        from `source`): those stored before suggestions existed, or before the current model."""
        if source is None:
            # an article has a suggestion per sentence, or fewer: the counts the triggers keep say which
            rows = self._all(
                """SELECT id FROM articles WHERE model IS NOT NULL AND id IN (
                       SELECT c.article_id FROM article_counts c
                       LEFT JOIN suggestion_counts g ON g.article_id = c.article_id AND g.label_set = ?
                       WHERE c.sentences > coalesce(g.n, 0))
                   ORDER BY imported_at, id""",
                (label_set,),
            )
            return [r[0] for r in rows]
        rows = self._all(
            """SELECT a.id FROM articles a WHERE a.model IS NOT NULL AND EXISTS (
                   SELECT 1 FROM sentences s WHERE s.article_id = a.id AND NOT EXISTS (
                       SELECT 1 FROM suggestions g WHERE g.article_id = s.article_id AND g.sentence_index = s.idx
                       AND g.label_set = ? AND (? IS NULL OR g.source = ?)))
               ORDER BY a.imported_at, a.id""",
            (label_set, source, source),
        )
        return [r[0] for r in rows]

    # --- models ---------------------------------------------------------------------------

    def add_model(self, info: ModelInfo) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO models (id, label_set, path, created, labels, scores, kept) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (info.id, info.label_set, info.path, info.created, info.labels, json.dumps(info.scores), int(info.kept)),
            )

    def models(self, label_set: str | None = None) -> list[ModelInfo]:
        from reader.records import ModelInfo

        rows = self._all(
            "SELECT id, label_set, path, created, labels, scores, kept FROM models"
            " WHERE ? IS NULL OR label_set = ? ORDER BY created, id",
            (label_set, label_set),
        )
        return [ModelInfo(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), bool(r[6])) for r in rows]

    def current_model(self, label_set: str) -> ModelInfo | None:
        """The latest model kept for this label set."""
        kept = [m for m in self.models(label_set) if m.kept]
        return kept[-1] if kept else None

    def lacking_current(self, label_set: str) -> tuple[ModelInfo | None, list[str]]:
        """The model in use for this label set (None: the cold start) and the parsed articles
        without its suggestions on every sentence (`reader refresh`, `export --suggestions`)."""
        current = self.current_model(label_set)
        return current, self.unsuggested(label_set, f"model:{current.id}" if current is not None else None)
