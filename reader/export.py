"""Dataset writers: JSONL (sentence or article unit), Prodigy, spaCy DocBin and CSV.

Records are produced one article at a time, so memory stays flat however large the
database; a file is written under a temporary name and renamed into place, so an interrupted
export never leaves half a file behind.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reader.model import NOTE, SKIPPED, UNSURE
from reader.prodigy import prodigy_records
from reader.records import Annotation, ArticleData
from reader.resolve import resolve, votes_of

CSV_FIELDS = (
    "article_id", "article_title", "source", "url", "sentence_index", "start", "end",
    "text", "label", "annotator", "annotated_at", "suggested_label", "suggested_score", "suggested_source", "provenance",
    "note", "unsure",
)


@dataclass(frozen=True)
class Selection:
    """Which sentences an export holds, and what each record carries."""

    labels: frozenset[str] = frozenset()  # empty: every label
    annotators: frozenset[str] = frozenset()  # empty: every annotator
    include_unlabelled: bool = False
    context: int = 0
    resolve: str | None = None  # None: one record per (sentence, annotator)
    label_names: tuple[str, ...] = field(default_factory=tuple)  # the label set, for options and cats
    suggestions: bool = False  # add each sentence's stored suggestion
    within_label_set: bool = False  # leave out labels outside label_names (Prodigy, spaCy)


def _counted(annotations: list[Annotation], selection: Selection) -> tuple[list[Annotation], bool]:
    """The annotations that count for a sentence (the annotators asked for, skips aside), and
    whether the sentence was skipped by them."""
    chosen = [a for a in annotations if not selection.annotators or a.annotator in selection.annotators]
    labels = [a for a in chosen if a.label != SKIPPED]
    if selection.within_label_set:
        labels = [a for a in labels if a.label in selection.label_names]
    return labels, bool(chosen) and not labels and any(a.label == SKIPPED for a in chosen)


def _suggested(annotation: Annotation) -> dict[str, Any]:
    """Provenance of a label: the suggestion on screen when it was given, and whether it was
    accepted as it was."""
    return {"suggested": annotation.suggested, "provenance": annotation.provenance}


def _remarks(art: ArticleData, index: int, annotator: str | None) -> dict[str, Any]:
    """The annotator's note on the sentence and whether they marked it unsure."""
    found = art.fields.get((index, annotator), {}) if annotator else {}
    return {"note": found.get(NOTE), "unsure": UNSURE in found}


def _remark_times(art: ArticleData, index: int, annotator: str | None) -> dict[str, Any]:
    """When the annotator last set their note and their unsure mark: a restore needs the times
    to let the newest value win, as it does for labels."""
    stamps = art.remarked.get((index, annotator), {}) if annotator else {}
    return {"note_at": stamps.get(NOTE), "unsure_at": stamps.get(UNSURE)}


def _suggestion(art: ArticleData, index: int, selection: Selection) -> dict[str, Any] | None:
    """The sentence's stored suggestion, with the label set it is for (so an import stores it
    under the same one)."""
    found = art.suggestions.get(index)
    if found is None:
        return None
    return {**found.record(), "label_set": ",".join(selection.label_names)} if selection.label_names else found.record()


def _unlabelled_by(art: ArticleData, index: int, selection: Selection, voted: set[str]) -> list[tuple[str, Annotation | None]]:
    """The annotators asked for who did not label the sentence but skipped it or left a note or
    an unsure mark on it, each with their skip (None: none), in name order."""
    chosen = lambda who: who not in voted and (not selection.annotators or who in selection.annotators)  # noqa: E731
    skips = {a.annotator: a for a in art.labels.get(index, []) if a.label == SKIPPED and chosen(a.annotator)}
    remarked = {who for (i, who) in art.fields if i == index and chosen(who)}
    return [(who, skips.get(who)) for who in sorted(remarked | set(skips))]


def sentence_records(articles: Iterable[ArticleData], selection: Selection) -> Iterator[dict[str, Any]]:
    """One record per labelled sentence and annotator (or per sentence when resolving)."""
    for art in articles:
        entities = art.entities  # sorted by start, as the sentences are
        sentences = art.sentences
        first = 0  # the first entity that may still fall in this or a later sentence
        for position, (index, start, end, text) in enumerate(sentences):
            while first < len(entities) and entities[first].start < start:
                first += 1
            annotations, skipped = _counted(art.labels.get(index, []), selection)
            resolved = None
            if selection.resolve is not None:
                resolved = resolve(annotations, selection.resolve, art.reviews.get(index))
                votes = [resolved.annotation] if resolved else []
            else:
                votes = annotations
            votes = [v for v in votes if not selection.labels or v.label in selection.labels]
            if not votes and not selection.include_unlabelled:
                continue
            if not votes and selection.labels and annotations:
                continue  # labelled, but not with a label asked for
            base: dict[str, Any] = {
                "text": text,
                "label": None,
                "article_id": art.id,
                "article_title": art.title,
                "source": art.source,
                "url": art.url,
                "sentence_index": index,
                "start": start,
                "end": end,
                "entities": [
                    {"text": e.text, "label": e.label, "start": e.start - start, "end": e.end - start}
                    for e in _entities_within(entities, first, end)
                ],
                "annotator": None,
                "annotated_at": None,
                "suggested": None,
                "provenance": None,
                "note": None,
                "unsure": False,
                "note_at": None,
                "unsure_at": None,
            }
            if selection.context:
                n = selection.context
                base["context"] = {
                    "before": [s[3] for s in sentences[max(0, position - n) : position]],
                    "after": [s[3] for s in sentences[position + 1 : position + 1 + n]],
                }
            if selection.suggestions:
                base["suggestion"] = _suggestion(art, index, selection)
            # With --all, everyone asked for who skipped the sentence or left a note or an unsure
            # mark on it without labelling it gets a record of their own, with label null.
            others: list[tuple[str, Annotation | None]] = []
            if selection.include_unlabelled and selection.resolve is None and not (selection.labels and annotations):
                others = _unlabelled_by(art, index, selection, {v.annotator for v in votes})
            if not votes and not others:
                record = dict(base)
                if skipped:
                    record["skipped"] = True
                _add_resolution(record, resolved)
                yield record
            for vote in votes:
                record = dict(base)
                record["label"] = vote.label
                record["annotator"] = vote.annotator
                record["annotated_at"] = vote.updated
                record.update(_suggested(vote))
                record.update(_remarks(art, index, vote.annotator))
                record.update(_remark_times(art, index, vote.annotator))
                _add_resolution(record, resolved)
                yield record
            for who, skip in others:
                record = dict(base)
                record["annotator"] = who
                record.update(_remarks(art, index, who))
                record.update(_remark_times(art, index, who))
                if skip is not None:
                    record["annotated_at"] = skip.updated
                    record["skipped"] = True
                yield record


def _add_resolution(record: dict[str, Any], resolved: Any) -> None:
    """With --resolve, the votes, whether they tied and the rule that decided."""
    if resolved is not None:
        record["votes"] = resolved.votes
        record["tie"] = resolved.tie
        record["resolved_by"] = resolved.rule


def _entities_within(entities: list, first: int, end: int) -> Iterator:
    """Entities from index first on that end by `end` (all of them start inside the sentence)."""
    for i in range(first, len(entities)):
        e = entities[i]
        if e.start >= end:
            return
        if e.end <= end:
            yield e


def article_records(articles: Iterable[ArticleData], selection: Selection) -> Iterator[dict[str, Any]]:
    """One record per article: text, metadata, sentences with every annotator's label, entities.

    A sentence's "label" is the label its annotators agree on; where they disagree it is null
    (or, with --resolve, the resolved label) and "votes" says who said what."""
    for art in articles:
        sentences = []
        for index, start, end, text in art.sentences:
            votes, skipped = _counted(art.labels.get(index, []), selection)
            if selection.labels:
                votes = [v for v in votes if v.label in selection.labels]
            tally = votes_of(votes)
            label = next(iter(tally)) if len(tally) == 1 else None
            review = art.reviews.get(index) if selection.resolve == "reviewed" else None
            if (len(tally) > 1 or review is not None) and selection.resolve is not None:
                # a reviewer's decision stands even where the annotators agreed
                resolved = resolve(votes, selection.resolve, review)
                label = resolved.label if resolved else None
            sentence = {
                "index": index,
                "start": start,
                "end": end,
                "text": text,
                "label": label,
                "annotations": [
                    {"label": v.label, "annotator": v.annotator, "annotated_at": v.updated, "created": v.created,
                     **_suggested(v), **_remarks(art, index, v.annotator)}
                    for v in votes
                ],
            }
            if tally:
                sentence["votes"] = tally
                sentence["agreed"] = len(tally) == 1
            notes = {who: f[NOTE] for (i, who), f in art.fields.items() if i == index and NOTE in f}
            unsure = sorted(who for (i, who), f in art.fields.items() if i == index and UNSURE in f)
            if notes or unsure:
                sentence["notes"] = notes
                sentence["unsure"] = unsure
                # each annotator's note and mark with the time it was set, for a restore
                sentence["remarks"] = [
                    {"annotator": who, **_remarks(art, index, who), **_remark_times(art, index, who)}
                    for who in sorted({who for (i, who) in art.fields if i == index})
                ]
            if skipped:
                sentence["skipped"] = True
            skips = [a for a in art.labels.get(index, []) if a.label == SKIPPED
                     and (not selection.annotators or a.annotator in selection.annotators)]
            if skips:
                sentence["skips"] = [{"annotator": a.annotator, "annotated_at": a.updated, "created": a.created} for a in skips]
            if selection.suggestions:
                sentence["suggestion"] = _suggestion(art, index, selection)
            sentences.append(sentence)
        yield {
            "id": art.id,
            "title": art.title,
            "source": art.source,
            "url": art.url,
            "author": art.author,
            "published": art.published,
            "site": art.site,
            "text": art.text,
            "meta": art.meta,
            "model": art.model,
            "model_version": art.model_version,
            "sentences": sentences,
            "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text} for e in art.entities],
            "assigned": list(art.assigned),
        }


def write_jsonl(records: Iterable[dict[str, Any]], handle: IO[str]) -> int:
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for record in records:
        handle.write(dumps(record))
        handle.write("\n")
        count += 1
    return count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every text that a spreadsheet program would run as a formula (one starting
    with = + - @, a tab or a carriage return: an article's text is data, never code) behind a
    leading apostrophe, as OWASP advises for CSV; JSONL keeps every text exactly."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for k, v in row.items()}


def votes_cell(votes: dict[str, list[str]]) -> str:
    """{label: [annotators]} as one JSON object {annotator: label}, sorted by name:
    `json.loads` reads it back whatever an annotator's name holds (a name may contain any
    separator a flat "asha:claim;bo:commitment" would use, and then that cell was ambiguous)."""
    by_name = {name: label for label, names in votes.items() for name in names}
    return json.dumps(dict(sorted(by_name.items())), ensure_ascii=False)


def write_csv(records: Iterable[dict[str, Any]], handle: IO[str], selection: Selection) -> int:
    """One row per record; the suggestion on screen flattened into columns, the context
    sentences (with --context) joined into two columns, and with --resolve the rule that
    decided and the votes in one cell each."""
    fields = list(CSV_FIELDS)
    if selection.context:
        fields += ["context_before", "context_after"]
    if selection.suggestions:
        fields += ["suggestion_label", "suggestion_score", "suggestion_source"]
    if selection.include_unlabelled:
        fields.append("skipped")
    if selection.resolve:  # after every column an earlier CSV had, so that readers of it still work
        fields += ["resolved_by", "votes"]
    writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for record in records:
        row = dict(record)
        for prefix, value in (("suggested", record.get("suggested")), ("suggestion", record.get("suggestion"))):
            for key in ("label", "score", "source"):
                row[f"{prefix}_{key}"] = (value or {}).get(key)
        if "context" in record:
            row["context_before"] = " ".join(record["context"]["before"])
            row["context_after"] = " ".join(record["context"]["after"])
        row["skipped"] = bool(record.get("skipped"))
        if "votes" in record:
            row["votes"] = votes_cell(record["votes"])
        writer.writerow(spreadsheet_safe(row))
        count += 1
    return count


def write_docbin(records: Iterable[dict[str, Any]], path: Path, label_names: tuple[str, ...]) -> int:
    """A spaCy DocBin: one Doc per sentence, cats for every label, ents from the stored entities."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    names = list(label_names)  # records outside the label set were left out (Selection.within_label_set)
    count = 0
    for r in records:
        doc = nlp.make_doc(r["text"])
        spans = [doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="contract") for e in r["entities"]]
        doc.ents = filter_spans([s for s in spans if s is not None])
        doc.cats = {name: 1.0 if name == r["label"] else 0.0 for name in names}
        doc.user_data["meta"] = {k: r[k] for k in ("article_id", "sentence_index", "annotator", "annotated_at")}
        docbin.add(doc)
        count += 1
    with open(path, "wb") as handle:
        handle.write(docbin.to_bytes())
    return count


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def open_output(target: str | None, *, binary: bool = False, encoding: str = "utf-8") -> Iterator[Any]:
    """stdout for None or "-"; otherwise a temporary file renamed over the target on success.

    With binary=True the context yields the temporary path to write to instead of a handle.
    """
    if target is None or target == "-":
        if binary:
            raise ValueError("this format is binary: give a file with -o")
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    if path.exists() and not path.is_file() and not path.is_dir():
        # A pipe, a terminal or /dev/stdout: write straight into it. Renaming a temporary file
        # over it would replace the device node itself.
        if binary:
            yield path
            return
        with open(path, "w", encoding=encoding, newline="") as handle:
            yield handle
        return
    path = Path(os.path.realpath(path))  # through a symbolic link to the file it names
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file owner-only; a dataset gets the mode any new file would get.
        os.chmod(temp, 0o666 & ~_umask())
        if binary:
            os.close(fd)
            yield Path(temp)
        else:
            with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def export(articles: Iterable[ArticleData], *, fmt: str, unit: str, selection: Selection, output: str | None) -> int:
    """Write a dataset; return the number of records written."""
    if fmt in ("prodigy", "spacy", "csv") and unit != "sentence":
        raise ValueError(f"--format {fmt} writes sentences: use --unit sentence")
    if unit == "article":
        with open_output(output) as handle:
            return write_jsonl(article_records(articles, selection), handle)
    records = sentence_records(articles, selection)
    if fmt == "spacy":
        with open_output(output, binary=True) as temp:
            return write_docbin(records, temp, selection.label_names)
    if fmt == "csv":
        with open_output(output, encoding="utf-8-sig") as handle:
            return write_csv(records, handle, selection)
    if fmt == "prodigy":
        records = prodigy_records(records, selection.label_names)
    with open_output(output) as handle:
        return write_jsonl(records, handle)


# The fields of the JSONL register (tracker.records), `corrected` flattened into three columns.
COMMITMENT_CSV = (
    "actor", "actor_resolved", "action", "when", "when_iso", "status", "note", "origin", "actor_corrected", "action_corrected",
    "when_corrected", "extracted", "actor_entities", "text", "start", "end", "sentence_index", "article_id", "article_title",
    "url", "article_date",
)


def write_commitments(records: Iterable[dict[str, Any]], output: str | None, *, as_csv: bool) -> int:
    """The commitment register: JSONL, or CSV (corrections and entities flattened)."""
    if not as_csv:
        with open_output(output) as handle:
            return write_jsonl(records, handle)
    with open_output(output, encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=COMMITMENT_CSV, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        count = 0
        for r in records:
            row = dict(r)
            for part, corrected in r["corrected"].items():
                row[f"{part}_corrected"] = corrected
            row["actor_entities"] = "; ".join(f"{e['text']} ({e['label']})" for e in r["actor_entities"])
            writer.writerow(spreadsheet_safe(row))
            count += 1
        return count
