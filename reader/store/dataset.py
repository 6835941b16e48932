"""Datasets out and back in: every article with all its labels, counts, and restoring one of
reader's own exports."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from reader.model import SKIPPED, Article, Entity, ExportedLabel, ExportedSuggestion, Parsed
from reader.store.articles import Articles, insert_article, insert_parse
from reader.store.labels import REVIEW, Entry, Labels, current, write
from reader.store.db import now
from reader.store.suggestions import Suggestions

if TYPE_CHECKING:  # an export's classes load when one is made, not when the store opens
    from reader.records import Annotation, ArticleData


class Dataset(Articles, Labels, Suggestions):
    """What exports, stats and restores read and write."""

    def dataset(self, article_ids: list[str] | None = None, *, suggestions: str | None = None) -> Iterator[ArticleData]:
        """Each article with its sentences, entities, every annotator's labels and the reviewers'
        decisions, one at a time; with `suggestions` (a label set's key), its suggestions too."""
        from reader.records import Annotation, ArticleData

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
            remarked: dict[tuple[int, str], dict[str, str]] = {}
            for index, field, value, annotator, updated in self._all(
                """SELECT sentence_index, field, value, annotator, updated FROM sentence_fields
                   WHERE article_id = ? AND field IN ('review', 'note', 'unsure') ORDER BY updated, annotator""",
                (article_id,),
            ):
                if field == "review":
                    reviews[index] = Annotation(value, annotator, updated, updated, "review")
                else:
                    fields.setdefault((index, annotator), {})[field] = value
                    remarked.setdefault((index, annotator), {})[field] = updated
            yield ArticleData(
                id=row[0], title=row[1], source=row[2], url=row[3], author=row[4], published=row[5], site=row[6],
                text=row[7], meta=json.loads(row[8] or "{}"), model=row[9], model_version=row[10],
                sentences=sentences, entities=entities, labels=labels, reviews=reviews, fields=fields, remarked=remarked,
                suggestions=self.suggestions(article_id, suggestions) if suggestions else {},
                assigned=tuple(r[0] for r in self._all(
                    "SELECT annotator FROM assignments WHERE article_id = ? ORDER BY annotator", (article_id,))),
            )

    def stats(self, annotator: str, articles: int | None = None) -> dict[str, Any]:
        """One annotator's progress and label counts; every annotator's counts, said to be so;
        per-article progress (of the first `articles` articles in import order, None: of all);
        and how the suggestions on screen fared. The counts come from the summary tables the
        schema's triggers keep, so only the per-article rows asked for cost their own reads."""
        count, total = self.library_totals()
        mine = self.label_counts(annotator)
        skipped = mine.pop(SKIPPED, 0)
        per_article = [
            {"id": article_id, "title": title or None, "sentences": sentences, "labelled": done - skips, "skipped": skips}
            for article_id, title, sentences, done, skips in self._all(
                """SELECT a.id, a.title, coalesce(c.sentences, 0), coalesce(p.labelled, 0),
                          (SELECT count(*) FROM annotations n WHERE n.article_id = a.id AND n.annotator = ?1 AND n.label = ?2)
                   FROM articles a
                   LEFT JOIN article_counts c ON c.article_id = a.id
                   LEFT JOIN label_progress p ON p.article_id = a.id AND p.annotator = ?1
                   ORDER BY a.imported_at, a.id LIMIT ?3""", (annotator, SKIPPED, -1 if articles is None else articles))
        ]
        per_annotator: dict[str, dict[str, int]] = {}
        for name, label, n in self._all("SELECT annotator, label, n FROM label_totals WHERE n > 0 ORDER BY annotator, label"):
            per_annotator[name] = {**per_annotator.get(name, {}), label: n}
        if len(per_annotator) > 1:
            team_labelled = self._one(
                "SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index FROM annotations WHERE label != ?)", (SKIPPED,)
            )[0]
        else:  # one annotator: their own labels
            team_labelled = sum(n for counts in per_annotator.values() for label, n in counts.items() if label != SKIPPED)
        progress = self.team_progress(None if articles is None else [row["id"] for row in per_article])
        for row in per_article:
            row["team_labelled"] = progress["per_article"].get(row["id"], {}).get("labelled", 0)
        return {
            "annotator": annotator,
            "articles": count,
            "sentences": total,
            "labelled": sum(mine.values()),
            "skipped": skipped,
            "labels": mine,
            "team": {
                "annotators": len(per_annotator),
                "labelled": team_labelled,
                "labels": sum(n for counts in per_annotator.values() for label, n in counts.items() if label != SKIPPED),
                "progress": progress["annotators"],  # each annotator's labelled and skipped sentences
                "disagreements": progress["disagreements"],  # sentences the annotators labelled differently
                "decided": progress["decided"],  # of those, decided by a reviewer
                "reviewed": progress["reviewed"],  # sentences with a reviewer's decision
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

    def several_annotators(self) -> bool:
        """Whether labels of two or more annotators are stored (a team database)."""
        return self._one("SELECT count(*) FROM (SELECT DISTINCT annotator FROM label_totals WHERE n > 0 LIMIT 2)")[0] > 1

    def team_progress(self, article_ids: list[str] | None = None) -> dict[str, Any]:
        """The team's work, for a lead after `reader merge`: each annotator's labelled and
        skipped sentences; per article (of these articles, None: of all), the sentences
        labelled by anyone, those the annotators disagree on and those a reviewer decided; and
        those totals over the database."""
        people: dict[str, dict[str, int]] = {}
        for name, labelled, skipped in self._all(
            """SELECT annotator, sum(CASE WHEN label != ?1 THEN n ELSE 0 END), sum(CASE WHEN label = ?1 THEN n ELSE 0 END)
               FROM label_totals GROUP BY annotator HAVING sum(n) > 0 ORDER BY annotator""", (SKIPPED,)
        ):
            people[name] = {"labelled": labelled, "skipped": skipped}
        per_article: dict[str, dict[str, int]] = {}
        chosen = "" if article_ids is None else f"AND article_id IN ({','.join('?' * len(article_ids))})"
        for article_id, labelled, disagreements in self._all(  # one pass over the labels, in key order
            f"""SELECT article_id, count(*), sum(n > 1) FROM (
                   SELECT article_id, sentence_index, count(DISTINCT label) AS n FROM annotations WHERE label != ? {chosen}
                   GROUP BY article_id, sentence_index)
               GROUP BY article_id""", (SKIPPED, *(article_ids or ()))
        ):
            per_article[article_id] = {"labelled": labelled, "disagreements": disagreements, "reviewed": 0}
        if article_ids is None or len(people) < 2:  # one annotator never disagrees with themself
            disagreements = sum(row["disagreements"] for row in per_article.values())
        else:
            disagreements = self.conflicts()[0]
        decided = 0
        for article_id, index in self._all(  # reviews are few: each looked up by its key
            "SELECT DISTINCT article_id, sentence_index FROM sentence_fields WHERE field = ?", (REVIEW,)
        ):
            row = per_article.setdefault(article_id, {"labelled": 0, "disagreements": 0, "reviewed": 0})
            row["reviewed"] += 1
            decided += self._one(
                """SELECT count(DISTINCT label) > 1 FROM annotations WHERE article_id = ? AND sentence_index = ? AND label != ?""",
                (article_id, index, SKIPPED),
            )[0]
        return {
            "annotators": people,
            "per_article": per_article,
            "disagreements": disagreements,
            "decided": decided,
            "reviewed": sum(row["reviewed"] for row in per_article.values()),
        }

    def conflicts(self, names: tuple[str, ...] | None = None, annotators: frozenset[str] = frozenset(),
                  article_ids: list[str] | None = None) -> tuple[int, int]:
        """Sentences whose annotators gave different labels (skips aside; only labels in `names`
        and of `annotators` when given), and how many of those a reviewer has decided."""
        sql = "SELECT article_id, sentence_index FROM annotations WHERE label != ?"
        params: list[Any] = [SKIPPED]
        if names is not None:
            sql += f" AND label IN ({','.join('?' * len(names))})"
            params += names
        if annotators:
            sql += f" AND annotator IN ({','.join('?' * len(annotators))})"
            params += sorted(annotators)
        sql += " GROUP BY article_id, sentence_index HAVING count(DISTINCT label) > 1"
        wanted = set(article_ids) if article_ids is not None else None
        found = {(a, i) for a, i in self._all(sql, tuple(params)) if wanted is None or a in wanted}
        reviewed = {tuple(r) for r in self._all("SELECT DISTINCT article_id, sentence_index FROM sentence_fields WHERE field = ?", (REVIEW,))}
        return len(found), len(found & reviewed)

    # --- restoring our own exports ----------------------------------------------------------

    def restore_export(self, article_id: str, article: Article, parsed: Parsed | None, labels: list[ExportedLabel],
                       suggestions: Sequence[ExportedSuggestion] = ()) -> Restored:
        """Store an article under its exported id (if new), its labels (skips included), notes
        and unsure marks with annotator and time, and the stored suggestions it carries.

        A label (or note, or mark) that carries its sentence's offsets and text goes only on the
        sentence here with the same offsets and text; one that matches none is refused. Each is
        an event at the time it was given (`annotated_at`; `note_at`, `unsure_at`), written
        through the one write path with its provenance and the suggestion on screen then, and
        the one given last counts: by that time, then by the event's uid (a hash of what it
        says), so the result is the same whichever order files are imported or merged in. An
        older one than the value here is kept in the log without replacing it. Values already
        present are left alone, so restoring twice adds nothing.

        A suggestion is stored for its sentence and label set only where none is stored yet (a
        suggester that ran here is newer than a copy), with the source the export names and
        the reason "restored from a reader export"; its probabilities are its one score.
        """
        with self._write() as conn:
            added = conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None
            if added:
                insert_article(conn, article_id, article)
                if parsed is not None:
                    insert_parse(conn, article_id, parsed)
            text = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
            spans = {r[0]: (r[1], r[2]) for r in conn.execute('SELECT idx, start, "end" FROM sentences WHERE article_id = ?', (article_id,))}
            by_offsets = {span: index for index, span in spans.items()}
            placed, refused = [], []
            for item in labels:
                index: int | None = item.sentence_index
                if item.start is not None:
                    index = by_offsets.get((item.start, item.end))
                    if index is None or text[item.start:item.end] != item.text:
                        refused.append((item.line, f"its offsets ({item.start} to {item.end}) and text match no sentence of "
                                                   f"article {article_id} here; nothing was put on sentence {item.sentence_index}"))
                        continue
                elif index not in spans:
                    continue
                assert index is not None  # found by its offsets, or an index the article has
                placed.append((item.updated, _uid(article_id, index, item), index, item))
            taken = skipped = remarks = 0
            for updated, uid, index, item in sorted(placed, key=lambda p: p[:2]):
                previous = current(conn, article_id, index, item.annotator, item.field)
                if previous == item.label or conn.execute("SELECT 1 FROM annotation_events WHERE uid = ?", (uid,)).fetchone():
                    skipped += item.field is None
                    continue
                stamp = _in_force(conn, article_id, index, item.annotator, item.field)
                apply = stamp is None or (updated, uid) > stamp
                write(conn, Entry(article_id, index, item.annotator, "import", item.label, previous, field=item.field,
                                  provenance=item.provenance, suggested=item.suggested, created=updated, uid=uid,
                                  since=item.created or updated, updated=updated, apply=apply))
                if item.field is None:
                    taken += 1
                else:
                    remarks += 1
            stored = 0
            for offered in suggestions:
                index = by_offsets.get((offered.start, offered.end))
                if index is None or text[offered.start:offered.end] != offered.text:
                    continue  # its sentence is not here: the records' labels say so, if they carry any
                s = offered.suggestion
                stored += conn.execute(
                    # unrefined '{}': final as the export gave it (refined there, perhaps), never mixed again
                    """INSERT INTO suggestions (article_id, sentence_index, label_set, label, score, scores, source, reason, updated, unrefined)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}') ON CONFLICT DO NOTHING""",
                    (article_id, index, offered.label_set, s.label, s.score, json.dumps(s.scores), s.source, s.reason, now()),
                ).rowcount
            # a record's label and its note are refused for the same reason: said once
            return Restored(added, taken, skipped, tuple(dict.fromkeys(refused)), remarks, stored)


def _uid(article_id: str, index: int, item: ExportedLabel) -> str:
    """The uid of a restored value's event: a hash of what it says, so restoring the same
    export twice, or into two databases that are merged later, writes it once."""
    parts = [article_id, str(index), item.annotator, item.label, item.updated]
    if item.field is not None:
        parts.insert(3, f"field:{item.field}")
    if item.provenance is not None or item.suggested is not None:
        parts += [item.provenance or "", item.suggested or ""]
    return "import-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:26]


def _in_force(conn: Any, article_id: str, index: int, annotator: str, field: str | None = None) -> tuple[str, str] | None:
    """(time, uid) of the value in force for one field (None: the label) of a sentence and
    annotator, to compare a restored value with: the current value's time (with its event's
    uid when that event is the latest), or the time of a later clear; None when nothing is in
    force."""
    if field is None:
        row = conn.execute("SELECT label, updated FROM annotations WHERE article_id = ? AND sentence_index = ? AND annotator = ?",
                           (article_id, index, annotator)).fetchone()
    else:
        row = conn.execute(
            "SELECT value, updated FROM sentence_fields WHERE article_id = ? AND sentence_index = ? AND annotator = ? AND field = ?",
            (article_id, index, annotator, field)).fetchone()
    latest = conn.execute(
        """SELECT created, uid, label FROM annotation_events WHERE article_id = ? AND sentence_index = ? AND annotator = ?
           AND field IS ? ORDER BY created DESC, uid DESC LIMIT 1""", (article_id, index, annotator, field)).fetchone()
    if row is not None:
        if latest is not None and (latest[2], latest[0]) == (row[0], row[1]):
            return latest[0], latest[1] or ""
        return row[1], ""
    if latest is not None and latest[2] is None:
        return latest[0], latest[1] or ""
    return None


class Restored(NamedTuple):
    """What restoring an export's article did: whether the article was added, how many labels
    (skips included) were taken, how many were here already, (line, reason) for each label,
    note or mark refused, and how many notes and unsure marks and suggestions were taken."""

    added: bool
    taken: int
    skipped: int = 0
    refused: tuple[tuple[int | None, str], ...] = ()
    remarks: int = 0  # notes and unsure marks taken
    suggestions: int = 0  # stored suggestions taken
