"""The commitment register: what the extractor found in each commitment sentence, and the
corrections, status and note people gave it (sentence fields "commitment.*", written as events
through the one write path, the latest by anyone winning)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from reader.model import COMMITMENT, Tracked
from reader.store.db import Connection, now
from reader.store.suggestions import DEFAULT_SET

PREFIX = "commitment."
FIELDS = frozenset(f"{PREFIX}{part}" for part in ("actor", "action", "when", "status", "note"))

# Sentences that may be in the register: labelled commitment by someone (or decided so by a
# reviewer), or unlabelled and suggested so. Of the labelled ones, the register keeps those
# whose labels resolve to commitment as `--resolve reviewed` resolves them (`_resolved_out`).
CHOSEN = """
    SELECT article_id, sentence_index, 'labelled' AS origin FROM annotations WHERE label = :label
    UNION
    SELECT article_id, sentence_index, 'labelled' FROM sentence_fields WHERE field = 'review' AND value = :label
    UNION
    SELECT g.article_id, g.sentence_index, 'suggested' FROM suggestions g
    WHERE g.label_set = :label_set AND g.label = :label AND NOT EXISTS (
        SELECT 1 FROM annotations n WHERE n.article_id = g.article_id AND n.sentence_index = g.sentence_index)
"""


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


class Commitments(Connection):
    """The register of commitments across every article."""

    def save_commitments(self, article_id: str, found: dict[int, Any], article_date: Any) -> None:
        with self._write() as conn:
            for index, item in found.items():
                put_commitment(conn, article_id, index, item, article_date)

    def needing_extraction(self, label_set: str = DEFAULT_SET) -> dict[str, list[int]]:
        """Commitment sentences the extractor has not read yet, by article."""
        out: dict[str, list[int]] = {}
        for article_id, index in self._all(
            f"""SELECT c.article_id, c.sentence_index FROM ({CHOSEN}) c
                WHERE NOT EXISTS (SELECT 1 FROM commitments x WHERE x.article_id = c.article_id AND x.sentence_index = c.sentence_index)
                ORDER BY c.article_id, c.sentence_index""",
            {"label": COMMITMENT, "label_set": label_set},
        ):
            out.setdefault(article_id, []).append(index)
        return out

    def register(self, label_set: str = DEFAULT_SET) -> list[Tracked]:
        """Every commitment of the library, with what was extracted and what people set."""
        rows = self._all(
            f"""SELECT c.article_id, c.sentence_index, s.text, s.start, s."end", a.title, a.url,
                       coalesce(a.published, x.article_date), c.origin,
                       x.actor, x.actor_entities, x.actor_resolved, x.actor_note, x.action, x.when_text, x.when_iso, x.updated
                FROM ({CHOSEN}) c
                JOIN sentences s ON s.article_id = c.article_id AND s.idx = c.sentence_index
                JOIN articles a ON a.id = c.article_id
                LEFT JOIN commitments x ON x.article_id = c.article_id AND x.sentence_index = c.sentence_index
                ORDER BY a.imported_at DESC, c.article_id, c.sentence_index""",
            {"label": COMMITMENT, "label_set": label_set},
        )
        set_by: dict[tuple[str, int], dict[str, str]] = {}
        for article_id, index, field, value in self._all(
            "SELECT article_id, sentence_index, field, value FROM sentence_fields WHERE field LIKE 'commitment.%' ORDER BY updated, annotator"
        ):
            set_by.setdefault((article_id, index), {})[field[len(PREFIX):]] = value
        out = []
        settled = self._resolved_out(label_set)
        for r in rows:
            if r[8] == "labelled" and (r[0], r[1]) in settled:
                continue
            fields = set_by.get((r[0], r[1]), {})
            extracted = {}
            if r[16] is not None:  # the extractor has read it (it may have found nothing)
                extracted = {"actor": r[9], "actor_entities": json.loads(r[10] or "[]"), "actor_resolved": r[11],
                             "actor_note": r[12], "action": r[13], "when": r[14], "when_iso": r[15]}
            corrected = {k: v for k, v in fields.items() if k in ("actor", "action", "when")}
            out.append(Tracked(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], extracted, corrected,
                               fields.get("status", "open"), fields.get("note")))
        return out

    def _resolved_out(self, label_set: str) -> set[tuple[str, int]]:
        """Sentences someone labelled commitment whose labels resolve to something else: a
        reviewer decided otherwise, or most annotators said otherwise (the rule of `reader
        export --resolve reviewed`, which training follows too)."""
        from reader.model import SKIPPED, Annotation
        from reader.resolve import resolve

        labels: dict[tuple[str, int], list[Annotation]] = {}
        for article_id, index, annotator, label, created, updated in self._all(
            f"""SELECT n.article_id, n.sentence_index, n.annotator, n.label, n.created, n.updated
                FROM annotations n JOIN ({CHOSEN}) c ON c.article_id = n.article_id AND c.sentence_index = n.sentence_index
                WHERE c.origin = 'labelled' AND n.label != :skipped""",
            {"label": COMMITMENT, "label_set": label_set, "skipped": SKIPPED},
        ):
            labels.setdefault((article_id, index), []).append(Annotation(label, annotator, created, updated))
        reviews: dict[tuple[str, int], Annotation] = {}
        for article_id, index, annotator, value, updated in self._all(
            "SELECT article_id, sentence_index, annotator, value, updated FROM sentence_fields WHERE field = 'review' ORDER BY updated, annotator"
        ):
            reviews[(article_id, index)] = Annotation(value, annotator, updated, updated, "review")
        out = set()
        for key in labels.keys() | {k for k, r in reviews.items() if r.label == COMMITMENT}:
            resolved = resolve(labels.get(key, []), "reviewed", reviews.get(key))
            if resolved is None or resolved.label != COMMITMENT:
                out.add(key)
        return out
