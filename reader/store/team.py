"""Team work in SQL: the labels agreement is measured on, reviewers' decisions with an undo of
their own, and the assignments of articles to annotators."""

from __future__ import annotations

from collections.abc import Iterable

from reader.model import Change
from reader.store.db import Connection, now
from reader.store.labels import EVENT_COLUMNS, REVIEW, Entry, current, replay, write

Vote = tuple[str, int, str, str]  # article id, sentence index, annotator, label


class Team(Connection):
    """Votes, reviews and assignments."""

    def votes(self, article_ids: Iterable[str] | None = None) -> list[Vote]:
        """Every current label as (article, sentence, annotator, label), by article and sentence."""
        sql = "SELECT article_id, sentence_index, annotator, label FROM annotations"
        if article_ids is None:
            return self._all(sql + " ORDER BY article_id, sentence_index, annotator")
        rows: list[Vote] = []
        for article_id in dict.fromkeys(article_ids):
            rows.extend(self._all(sql + " WHERE article_id = ? ORDER BY sentence_index, annotator", (article_id,)))
        return rows

    def article_order(self) -> dict[str, tuple[int, str]]:
        """Each article's place in the library (oldest import first) and its title."""
        rows = self._all("SELECT id, coalesce(title, '') FROM articles ORDER BY imported_at, id")
        return {article_id: (n, title) for n, (article_id, title) in enumerate(rows)}

    # --- reviews --------------------------------------------------------------------------

    def reviews(self, article_ids: Iterable[str]) -> dict[tuple[str, int], tuple[str, str]]:
        """The decision standing on each reviewed sentence: (article, index) -> (reviewer, label);
        where two reviewers decided, the later decision stands (as `reader export` reads it)."""
        found: dict[tuple[str, int], tuple[str, str]] = {}
        for article_id in dict.fromkeys(article_ids):
            for index, reviewer, value in self._all(
                """SELECT sentence_index, annotator, value FROM sentence_fields WHERE field = ? AND article_id = ?
                   ORDER BY updated, annotator""",
                (REVIEW, article_id),
            ):
                found[(article_id, index)] = (reviewer, value)
        return found

    def set_review(self, article_id: str, index: int, label: str | None, reviewer: str) -> Change | None:
        """A reviewer's final label for a sentence (None withdraws it): an event by the reviewer,
        marked as a review; None when the reviewer had already decided the same."""
        with self._write() as conn:
            previous = current(conn, article_id, index, reviewer, REVIEW)
            if previous == label:
                return None
            action = "clear" if label is None else "set"
            entry = Entry(article_id, index, reviewer, action, label, previous, field=REVIEW, provenance=REVIEW)
            return Change(write(conn, entry), index, label, previous)

    def undo_review(self, reviewer: str, article_ids: Iterable[str]) -> tuple[str, Change] | None:
        """Undo the reviewer's latest decision in these articles: (article, change), or None."""
        return self._review_step(reviewer, list(article_ids), "undo")

    def redo_review(self, reviewer: str, article_ids: Iterable[str]) -> tuple[str, Change] | None:
        return self._review_step(reviewer, list(article_ids), "redo")

    def _review_step(self, reviewer: str, article_ids: list[str], action: str) -> tuple[str, Change] | None:
        with self._write() as conn:
            rows: list[tuple] = []
            for article_id in dict.fromkeys(article_ids):
                rows.extend(conn.execute(
                    f"""SELECT {EVENT_COLUMNS} FROM annotation_events WHERE article_id = ? AND annotator = ? AND field = ?
                        AND EXISTS (SELECT 1 FROM articles WHERE id = article_id)""",
                    (article_id, reviewer, REVIEW),
                ))
            done, undone = replay(sorted(rows), (REVIEW,))
            stack = done if action == "undo" else undone
            if not stack:
                return None
            target = stack[-1]
            assert target.sentence_index is not None  # only changes of a sentence are on a stack
            label = target.previous if action == "undo" else target.label
            previous = current(conn, target.article_id, target.sentence_index, reviewer, REVIEW)
            entry = Entry(target.article_id, target.sentence_index, reviewer, action, label, previous,
                          target=target.id, field=REVIEW, provenance=REVIEW)
            return target.article_id, Change(write(conn, entry), target.sentence_index, label, previous)

    # --- assignments ----------------------------------------------------------------------

    def assignments(self) -> list[tuple[str, str, str]]:
        """(article, annotator, when assigned), for articles still stored, in library order."""
        return self._all(
            """SELECT s.article_id, s.annotator, s.assigned FROM assignments s JOIN articles a ON a.id = s.article_id
               ORDER BY a.imported_at, a.id, s.annotator"""
        )

    def assigned_to(self, annotator: str) -> set[str]:
        return {r[0] for r in self._all("SELECT article_id FROM assignments WHERE annotator = ?", (annotator,))}

    def save_assignments(self, pairs: list[tuple[str, str]], *, replace: bool = False) -> int:
        """Store (article, annotator) assignments in one transaction; with replace, an article's
        earlier assignments go first. Returns how many were added."""
        stamp = now()
        added = 0
        with self._write() as conn:
            if replace:
                for article_id in dict.fromkeys(a for a, _ in pairs):
                    conn.execute("DELETE FROM assignments WHERE article_id = ?", (article_id,))
            for article_id, annotator in pairs:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO assignments (article_id, annotator, assigned) VALUES (?, ?, ?)",
                    (article_id, annotator, stamp),
                )
                added += cursor.rowcount
        return added
