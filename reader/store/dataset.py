"""Datasets out and back in: every article with all its labels, counts, and restoring one of
reader's own exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reader.model import SKIPPED, Annotation, Article, ArticleData, Entity, ExportedLabel, Parsed
from reader.store.articles import Articles, insert_article, insert_parse
from reader.store.labels import Entry, Labels, current, write
from reader.store.suggestions import Suggestions


class Dataset(Articles, Labels, Suggestions):
    """What exports, stats and restores read and write."""

    def dataset(self, article_ids: list[str] | None = None, *, suggestions: str | None = None) -> Iterator[ArticleData]:
        """Each article with its sentences, entities, every annotator's labels and the reviewers'
        decisions, one at a time; with `suggestions` (a label set's key), its suggestions too."""
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
            for index, label, annotator, created, updated, provenance, suggested in self._all(
                """SELECT sentence_index, label, annotator, created, updated, provenance, suggested FROM annotations
                   WHERE article_id = ? ORDER BY sentence_index, updated, annotator""",
                (article_id,),
            ):
                shown = json.loads(suggested) if suggested else None
                labels.setdefault(index, []).append(Annotation(label, annotator, created, updated, provenance, shown))
            reviews: dict[int, Annotation] = {}
            fields: dict[tuple[int, str], dict[str, str]] = {}
            for index, field, value, annotator, updated in self._all(
                """SELECT sentence_index, field, value, annotator, updated FROM sentence_fields
                   WHERE article_id = ? AND field IN ('review', 'note', 'unsure') ORDER BY updated, annotator""",
                (article_id,),
            ):
                if field == "review":
                    reviews[index] = Annotation(value, annotator, updated, updated, "review")
                else:
                    fields.setdefault((index, annotator), {})[field] = value
            yield ArticleData(
                id=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published=row[5], site=row[6],
                text=row[7], meta=json.loads(row[8] or "{}"), model=row[9], model_version=row[10],
                sentences=sentences, entities=entities, labels=labels, reviews=reviews, fields=fields,
                suggestions=self.suggestions(article_id, suggestions) if suggestions else {},
                assigned=tuple(r[0] for r in self._all(
                    "SELECT annotator FROM assignments WHERE article_id = ? ORDER BY annotator", (article_id,))),
            )

    def stats(self, annotator: str) -> dict[str, Any]:
        """One annotator's progress and label counts; every annotator's counts, said to be so;
        per-article progress; and how the suggestions on screen fared."""
        total = self._one("SELECT count(*) FROM sentences")[0]
        mine = dict(self._all("SELECT label, count(*) FROM annotations WHERE annotator = ? GROUP BY label ORDER BY label", (annotator,)))
        skipped = mine.pop(SKIPPED, 0)
        per_article = [
            {"id": r.id, "title": r.title or None, "sentences": r.sentences, "labelled": r.labelled}
            for r in sorted(self.summaries(annotator), key=lambda r: (r.imported_at, r.id))
        ]
        per_annotator: dict[str, dict[str, int]] = {}
        for name, label, count in self._all(
            "SELECT annotator, label, count(*) FROM annotations GROUP BY annotator, label ORDER BY annotator, label"
        ):
            per_annotator.setdefault(name, {})[label] = count
        team_labelled = self._one(
            "SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index FROM annotations WHERE label != ?)", (SKIPPED,)
        )[0]
        return {
            "annotator": annotator,
            "articles": len(per_article),
            "sentences": total,
            "labelled": sum(mine.values()),
            "skipped": skipped,
            "labels": mine,
            "team": {
                "annotators": len(per_annotator),
                "labelled": team_labelled,
                "labels": sum(n for counts in per_annotator.values() for label, n in counts.items() if label != SKIPPED),
            },
            "annotators": per_annotator,
            "per_article": per_article,
            "suggestions": self._suggestion_stats(),
        }

    def _suggestion_stats(self) -> dict[str, Any]:
        """Of the labels given with a suggestion on screen: how many agreed with it, how many
        were accepted with one key, and what each suggested label was overridden with."""
        per_label: dict[str, dict[str, Any]] = {}
        shown = accepted = taken = 0
        for label, provenance, suggested in self._all(
            "SELECT label, provenance, suggested FROM annotations WHERE suggested IS NOT NULL AND label != ?", (SKIPPED,)
        ):
            proposed = json.loads(suggested).get("label")
            row = per_label.setdefault(proposed, {"shown": 0, "accepted": 0, "overridden": 0, "overridden_as": {}})
            row["shown"] += 1
            shown += 1
            taken += provenance == "suggestion"
            if label == proposed:
                row["accepted"] += 1
                accepted += 1
            else:
                row["overridden"] += 1
                row["overridden_as"][label] = row["overridden_as"].get(label, 0) + 1
        return {
            "shown": shown, "accepted": accepted, "accepted_with_enter": taken, "overridden": shown - accepted,
            "acceptance": accepted / shown if shown else 0.0, "per_label": dict(sorted(per_label.items())),
        }

    def labels_outside(self, names: tuple[str, ...]) -> int:
        """How many current labels are not in this label set (skips aside)."""
        marks = ",".join("?" * len(names))
        return self._one(f"SELECT count(*) FROM annotations WHERE label NOT IN ({marks}) AND label != ?", (*names, SKIPPED))[0]

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
