"""Datasets out and back in: every article with all its labels, counts, and restoring one of
reader's own exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reader.model import Annotation, Article, ArticleData, Entity, Parsed, ExportedLabel
from reader.store.articles import Articles, insert_article, insert_parse
from reader.store.labels import Entry, Labels, current, write


class Dataset(Articles, Labels):
    """What exports, stats and restores read and write."""

    def dataset(self, article_ids: list[str] | None = None) -> Iterator[ArticleData]:
        """Each article with its sentences, entities and every annotator's labels, one at a time."""
        for article_id in article_ids if article_ids is not None else self.article_ids():
            row = self._one(
                """SELECT id, title, source, url, author, published, site, text, meta, model, model_version
                   FROM articles WHERE id = ?""",
                (article_id,),
            )
            if row is None:
                continue
            sentences = self._all(
                'SELECT idx, start, "end", text FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)
            )
            entities = [
                Entity(*r)
                for r in self._all('SELECT start, "end", label, text FROM entities WHERE article_id = ? ORDER BY start, "end"', (article_id,))
            ]
            labels: dict[int, list[Annotation]] = {}
            for index, label, annotator, created, updated in self._all(
                """SELECT sentence_index, label, annotator, created, updated FROM annotations
                   WHERE article_id = ? ORDER BY sentence_index, updated, annotator""",
                (article_id,),
            ):
                labels.setdefault(index, []).append(Annotation(label, annotator, created, updated))
            yield ArticleData(
                id=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published=row[5], site=row[6],
                text=row[7], meta=json.loads(row[8] or "{}"), model=row[9], model_version=row[10],
                sentences=sentences, entities=entities, labels=labels,
            )

    def stats(self) -> dict[str, Any]:
        """Counts per label, per annotator and per article, and labelled / total sentences."""
        total = self._one("SELECT count(*) FROM sentences")[0]
        labelled = self._one("SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index FROM annotations)")[0]
        per_article = [
            {"id": r.id, "title": r.title or None, "sentences": r.sentences, "labelled": r.labelled}
            for r in sorted(self.summaries(), key=lambda r: (r.imported_at, r.id))
        ]
        per_annotator: dict[str, dict[str, int]] = {}
        for annotator, label, count in self._all(
            "SELECT annotator, label, count(*) FROM annotations GROUP BY annotator, label ORDER BY annotator, label"
        ):
            per_annotator.setdefault(annotator, {})[label] = count
        return {
            "articles": len(per_article),
            "sentences": total,
            "labelled": labelled,
            "labels": self.label_counts(),
            "annotators": per_annotator,
            "per_article": per_article,
        }

    # --- restoring our own exports ----------------------------------------------------------

    def restore_export(self, article_id: str, article: Article, parsed: Parsed | None, labels: list[ExportedLabel]) -> tuple[bool, int]:
        """Store an article under its exported id (if new) and its labels with annotator and time.

        Returns (article added, labels added). Labels already present are left alone, so
        restoring twice adds nothing.
        """
        with self._write() as conn:
            added = conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None
            if added:
                insert_article(conn, article_id, article)
                if parsed is not None:
                    insert_parse(conn, article_id, parsed)
            known = {r[0] for r in conn.execute("SELECT idx FROM sentences WHERE article_id = ?", (article_id,))}
            count = 0
            for item in labels:
                if item.sentence_index not in known:
                    continue
                previous = current(conn, article_id, item.sentence_index, item.annotator)
                if previous == item.label:
                    continue
                write(conn, Entry(article_id, item.sentence_index, item.annotator, "import", item.label, previous,
                                  since=item.created or item.updated, updated=item.updated))
                count += 1
            return added, count
