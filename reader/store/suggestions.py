"""Suggestions and the models that make them: one proposed label per sentence and label set,
replaced whenever a better suggester has run over the article."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.model import DEFAULT_LABELS, Suggestion
from reader.store.db import Connection, now

if TYPE_CHECKING:
    from reader.records import ModelInfo  # made where models are read, after an article's first paint

DEFAULT_SET = ",".join(DEFAULT_LABELS)
# a trained model's moved encoder head: a stored vector (`encoded.vector`) to probabilities
# (nothing when the vector is damaged: then the encoder's stored scores stand)
Scorer = Callable[[bytes], dict[str, float]]


def put_suggestions(conn: sqlite3.Connection, article_id: str, label_set: str, items: dict[int, Suggestion],
                    share: float | None = None, head: Scorer | None = None) -> None:
    """Replace an article's suggestions for a label set (in the caller's transaction). Under the
    default labels, a sentence the sentence encoder has scored gets the two mixed
    (`Suggestion.refined`) at `share` (None: the encoder's own, stored with its scores; a model
    trained on the user's labels has its own), its own probabilities kept beside the mix. With
    `head` (a trained model's moved output layer), the encoder's side is what it makes of the
    sentence's stored vector."""
    conn.execute("DELETE FROM suggestions WHERE article_id = ? AND label_set = ?", (article_id, label_set))
    encoded = _encoded(conn, article_id) if label_set == DEFAULT_SET else {}
    stamp = now()
    rows = []
    for index, s in sorted(items.items()):
        unrefined = None
        if index in encoded:
            scores, weight, vector = encoded[index]
            if head is not None and vector is not None:
                scores = head(vector) or scores  # nothing from a damaged vector: the encoder's own
            unrefined, s = json.dumps(s.scores), s.refined(scores, weight if share is None else share)
        rows.append((article_id, index, label_set, s.label, s.score, json.dumps(s.scores), s.source, s.reason, stamp, unrefined))
    conn.executemany(
        """INSERT INTO suggestions (article_id, sentence_index, label_set, label, score, scores, source, reason, updated, unrefined)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )


def _encoded(conn: sqlite3.Connection, article_id: str) -> dict[int, tuple[dict[str, float], float, bytes | None]]:
    rows = conn.execute("SELECT sentence_index, scores, weight, vector FROM encoded WHERE article_id = ?", (article_id,))
    return {r[0]: (json.loads(r[1]), r[2], r[3]) for r in rows}


def _model_shares(conn: sqlite3.Connection) -> dict[str, float]:
    """The encoder's share in each trained model's suggestions, by their source ("model:<id>"):
    what `reader train` chose on the user's held-out labels (none for a model before it)."""
    out = {}
    for model_id, scores in conn.execute("SELECT id, scores FROM models"):
        try:
            out[f"model:{model_id}"] = float(json.loads(scores).get("encoder_weight") or 0.0)
        except (ValueError, TypeError, AttributeError):
            out[f"model:{model_id}"] = 0.0
    return out


class Suggestions(Connection):
    """Reading and replacing suggestions; the register of trained models."""

    def suggestions(self, article_id: str, label_set: str) -> dict[int, Suggestion]:
        rows = self._all(
            "SELECT sentence_index, label, score, scores, source, reason FROM suggestions WHERE article_id = ? AND label_set = ?",
            (article_id, label_set),
        )
        return {r[0]: Suggestion(r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows}

    def save_suggestions(self, article_id: str, label_set: str, items: dict[int, Suggestion], share: float | None = None,
                         head: Scorer | None = None) -> None:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                put_suggestions(conn, article_id, label_set, items, share, head)

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

    # --- the sentence encoder's scores ----------------------------------------------------

    def unencoded(self, encoder: str | None, article_ids: list[str] | None = None) -> dict[str, list[tuple[int, str]]]:
        """Sentences this encoder (None: any) has not scored, or scored before their vectors
        were kept, by article (oldest import first): of these articles, or of all."""
        wanted = "" if article_ids is None else f"AND s.article_id IN ({','.join('?' * len(article_ids))})"
        rows = self._all(
            f"""SELECT s.article_id, s.idx, s.text FROM sentences s JOIN articles a ON a.id = s.article_id
                LEFT JOIN encoded e ON e.article_id = s.article_id AND e.sentence_index = s.idx
                WHERE (e.encoder IS NULL OR e.vector IS NULL OR (? IS NOT NULL AND e.encoder != ?)) {wanted}
                ORDER BY a.imported_at, a.id, s.idx""",
            (encoder, encoder, *(article_ids or ())),
        )
        out: dict[str, list[tuple[int, str]]] = {}
        for article_id, index, text in rows:
            out.setdefault(article_id, []).append((index, text))
        return out

    def encoded_of(self, encoder: str, keys: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[dict[str, float], bytes]]:
        """What this encoder stored for these sentences (article id, index) that it read with
        their vectors: its probabilities and the vector."""
        wanted = set(keys)
        out = {}
        for article_id in sorted({a for a, _ in wanted}):
            rows = self._all("SELECT sentence_index, scores, vector FROM encoded WHERE article_id = ? AND encoder = ? AND vector IS NOT NULL",
                             (article_id, encoder))
            out.update({(article_id, i): (json.loads(scores), vector) for i, scores, vector in rows if (article_id, i) in wanted})
        return out

    def encoder_behind(self) -> bool:
        """Whether the newest parsed article has a sentence no encoder has scored: cheap in a
        library of any size, and enough to know whether the background job has work, since it
        reads the oldest articles first."""
        return bool(self._all(
            """SELECT 1 FROM sentences s WHERE s.article_id = (
                   SELECT id FROM articles WHERE model IS NOT NULL ORDER BY imported_at DESC, id DESC LIMIT 1)
               AND NOT EXISTS (SELECT 1 FROM encoded e WHERE e.article_id = s.article_id AND e.sentence_index = s.idx
                               AND e.vector IS NOT NULL)
               LIMIT 1"""))

    def save_encoded(self, article_id: str, encoder: str, weight: float, scores: dict[int, dict[str, float]],
                     texts: dict[int, str], vectors: dict[int, bytes] | None = None, heads: dict[str, Scorer] | None = None) -> None:
        """Store what the encoder gives these sentences (`texts`, the words it read; `vectors`,
        as `head.to_blob` writes them) and mix it into their suggestions under the default
        labels (from their own probabilities, however they were refined before); a suggestion
        whose source has a moved head (`heads`, by source) is mixed with what that head makes
        of the vector. A sentence whose words are not those any more (the article was deleted
        and stored again, split otherwise) is left for the encoder to read again."""
        vectors = vectors or {}
        with self._write() as conn:
            rows = conn.execute("SELECT idx, text FROM sentences WHERE article_id = ?", (article_id,))
            known = {index for index, text in rows if index in texts and texts[index] == text}
            conn.executemany(
                "INSERT OR REPLACE INTO encoded (article_id, sentence_index, encoder, weight, scores, vector) VALUES (?, ?, ?, ?, ?, ?)",
                [(article_id, i, encoder, weight, json.dumps(p), vectors.get(i)) for i, p in sorted(scores.items()) if i in known],
            )
            stored = conn.execute(
                "SELECT sentence_index, label, scores, source, reason, unrefined FROM suggestions WHERE article_id = ? AND label_set = ?",
                (article_id, DEFAULT_SET)).fetchall()
            stamp = now()
            shares = _model_shares(conn)
            for index, label, mixed, source, reason, unrefined in stored:
                if index not in scores or index not in known:
                    continue
                own = json.loads(unrefined or mixed)
                if not own:
                    continue  # restored from an export as it was there: final
                best = max(own, key=lambda name: own[name])
                share = shares.get(source, weight)  # a model trained on the user's labels has its own
                head = (heads or {}).get(source)
                encoded = (head(vectors[index]) if head is not None and index in vectors else None) or scores[index]
                s = Suggestion(best, own[best], own, source, reason if best == label else None).refined(encoded, share)
                conn.execute(
                    """UPDATE suggestions SET label = ?, score = ?, scores = ?, reason = ?, unrefined = ?, updated = ?
                       WHERE article_id = ? AND sentence_index = ? AND label_set = ?""",
                    (s.label, s.score, json.dumps(s.scores), s.reason, json.dumps(own), stamp, article_id, index, DEFAULT_SET))

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
