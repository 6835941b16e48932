"""reader's own exports coming back in: article and sentence JSONL, labels included.

An article export carries everything (text, sentences, entities, every annotator's labels),
so it is restored exactly. A sentence export carries only the exported sentences; when their
article is not in the database, it is rebuilt from them at their original offsets (gaps
hold a "…" per missing sentence), under its original id, so that exporting it again gives
the same records.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

from reader.sanitize import clean_field, clean_meta, clean_text, clean_time
from reader.limits import DEFAULT_MAX_BYTES, MAX_NAME_CHARS, MAX_VALUE_CHARS
from reader.model import (
    DEFAULT_LABELS, NOTE, SKIPPED, UNSURE, Article, Entity, ExportedLabel, ExportedSuggestion, Parsed, Sentence, Suggestion,
)

GAP = "…"
# A sentence export says where its sentences sat in their article; an article rebuilt from it
# is padded to those offsets, so they are bounded (the import size limit's default).
MAX_REBUILT_CHARS = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class ExportedArticle:
    """An article (and its labels) from one of reader's own exports."""

    source: str
    article_id: str
    article: Article
    parsed: Parsed | None
    labels: tuple[ExportedLabel, ...]  # labels, skips, notes and unsure marks
    refused: tuple[tuple[int, str], ...] = ()  # (line, reason) of each record not taken
    records: int = 1  # the records (lines) it came from
    suggestions: tuple[ExportedSuggestion, ...] = ()  # the stored suggestions it carries


def is_article_export(record: dict[str, Any]) -> bool:
    return isinstance(record.get("id"), str) and isinstance(record.get("text"), str) and isinstance(record.get("sentences"), list)


def is_sentence_export(record: dict[str, Any]) -> bool:
    """A record of a sentence export (checked record by record later): it names its article
    and its sentence's index."""
    return "article_id" in record and "sentence_index" in record


def _label(item: dict[str, Any], index: int, fallback_label: Any = None) -> ExportedLabel | None:
    label = item.get("label", fallback_label)
    annotator = item.get("annotator")
    updated = item.get("annotated_at")
    if not (isinstance(label, str) and label and isinstance(annotator, str) and isinstance(updated, str)):
        return None
    created = item.get("created")
    created = created if isinstance(created, str) else None
    times = []
    for stamp in (updated, created):
        normal = clean_time(stamp) if stamp is not None else None
        if stamp is not None and normal is None:
            raise ValueError(f"sentence {index}: {clean_field(stamp[:40]) or 'its time'!r} is not an ISO 8601 time")
        times.append(normal)
    label, annotator = clean_field(label), clean_field(annotator)
    if not (label and annotator) or len(label) > MAX_NAME_CHARS or len(annotator) > MAX_NAME_CHARS:
        return None
    provenance = clean_field(item["provenance"]) if isinstance(item.get("provenance"), str) else None
    if provenance is not None and len(provenance) > MAX_NAME_CHARS:
        provenance = None
    shown = _suggestion(item.get("suggested"))
    return ExportedLabel(index, label, annotator, times[1], times[0], provenance=provenance,
                         suggested=json.dumps(shown.record()) if shown else None)


def _suggestion(value: Any) -> Suggestion | None:
    """A suggestion as exports write it ({"label", "score", "source"}); None when it is not one."""
    if not isinstance(value, dict):
        return None
    label, source, score = value.get("label"), value.get("source"), value.get("score")
    if not (isinstance(label, str) and isinstance(source, str)) or type(score) not in (int, float) or not math.isfinite(score):
        return None
    label, source = clean_field(label), clean_field(source)
    if not (label and source) or len(label) > MAX_NAME_CHARS or len(source) > MAX_NAME_CHARS or not 0 <= score <= 1:
        return None
    return Suggestion(label, float(score), {label: float(score)}, source, "restored from a reader export")


def _stored_suggestion(value: Any, index: int, start: int, end: int, text: str) -> ExportedSuggestion | None:
    """The stored suggestion an export carries for a sentence (`--suggestions`), for the label
    set the export names (the default one when it names none)."""
    found = _suggestion(value)
    if found is None:
        return None
    named = value.get("label_set")
    label_set = clean_field(named) if isinstance(named, str) else None
    if not label_set or len(label_set) > MAX_VALUE_CHARS:
        label_set = ",".join(DEFAULT_LABELS)
    return ExportedSuggestion(index, label_set, found, start, end, text)


def _remarks(item: dict[str, Any], index: int, annotator: Any) -> list[ExportedLabel]:
    """An annotator's note and unsure mark on a sentence, each with the time it was set (the
    label's time, for an export written before the times were): fields of the sentence that a
    restore puts back as a label is put back. Values that are not usable are left out."""
    annotator = clean_field(annotator) if isinstance(annotator, str) else None
    if not annotator or len(annotator) > MAX_NAME_CHARS:
        return []
    found = []
    note = item.get("note")
    note = clean_field(note) if isinstance(note, str) else None
    for field, value in ((NOTE, note if note and len(note) <= MAX_VALUE_CHARS else None), (UNSURE, "1" if item.get("unsure") is True else None)):
        stamp = clean_time(item.get(f"{field}_at") or item.get("annotated_at"))
        if value is not None and stamp is not None:
            found.append(ExportedLabel(index, value, annotator, stamp, stamp, field=field))
    return found


def _skips(items: Any, index: int) -> list[ExportedLabel]:
    """The skips an article export lists for a sentence, as labels ("(skipped)")."""
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            skip = _label(item, index, SKIPPED)
            if skip is not None and skip.label == SKIPPED:
                found.append(skip)
    return found


def _article_id(value: Any) -> str:
    """An exported article id: one line of printable text (reader's own are 16 hex digits)."""
    article_id = clean_field(value) if isinstance(value, str) else None
    if not article_id or article_id != value or len(article_id) > 64:
        raise ValueError("its article id is not one short line of printable text")
    return article_id


def _entity_label(value: Any) -> str | None:
    return clean_field(value) if isinstance(value, str) else None


def from_article_record(record: dict[str, Any], source: str) -> ExportedArticle:
    """Rebuild an article export record; raise ValueError when its offsets do not fit its text."""
    text = record["text"]
    if clean_text(text) != text:
        raise ValueError("article text is not in reader's normal form (was it edited?)")
    article_id = _article_id(record["id"])
    sentences, labels, suggestions = [], [], []
    previous_end = 0
    for position, item in enumerate(record["sentences"]):
        index, start, end = item["index"], item["start"], item["end"]
        if not all(type(v) is int for v in (index, start, end)):
            raise ValueError(f"sentence {position}: its index and offsets are not whole numbers")
        if index != position:
            raise ValueError(f"sentence indexes are not 0, 1, 2…: {index} at position {position}")
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"sentence {index} has offsets outside the text")
        if start < previous_end:
            raise ValueError(f"sentence {index} overlaps the sentence before it")
        previous_end = end
        sentences.append(Sentence(index, start, end))
        found = [_label(annotation, index) for annotation in item.get("annotations") or []]
        found += _skips(item.get("skips"), index)
        for remark in item.get("remarks") or []:
            if isinstance(remark, dict):
                found += _remarks(remark, index, remark.get("annotator"))
        for restored in found:
            if restored:
                labels.append(replace(restored, start=start, end=end, text=text[start:end]))
        stored = _stored_suggestion(item.get("suggestion"), index, start, end, text[start:end])
        if stored is not None:
            suggestions.append(stored)
    entities = []
    for item in record.get("entities") or []:
        start, end, label = item.get("start"), item.get("end"), _entity_label(item.get("label"))
        if type(start) is int and type(end) is int and 0 <= start < end <= len(text) and label:
            entities.append(Entity(start, end, label, text[start:end]))
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        meta = {"meta": meta}
    article = Article(
        text=text,
        title=clean_field(record.get("title")),
        source=clean_field(record.get("source")) or source,
        url=clean_field(record.get("url")),
        author=clean_field(record.get("author")),
        published=clean_field(record.get("published")),
        site=clean_field(record.get("site")),
        meta=clean_meta(meta or {}),
    )
    parsed = None
    if sentences:
        model = clean_field(record.get("model")) or "restored"
        parsed = Parsed(tuple(sentences), tuple(entities), model, clean_field(record.get("model_version")) or "")
    return ExportedArticle(source, article_id, article, parsed, tuple(labels), suggestions=tuple(suggestions))


def _sentence_record(record: dict[str, Any]) -> tuple[int, int, int, str, ExportedLabel | None] | str:
    """One record of a sentence export checked on its own: (index, start, end, clean text,
    its label, its skip, or None when it has neither), or why it cannot be taken."""
    index, start, end = record.get("sentence_index"), record.get("start"), record.get("end")
    for name, value in (("sentence_index", index), ("start", start), ("end", end)):
        if type(value) is not int:
            return f'"{name}" is {_shown(value)}, not a whole number'
    if index < 0 or start < 0 or end <= start:
        return f"sentence {index} has offsets that are not a stretch of text ({start} to {end})"
    if not isinstance(record.get("text"), str):
        return f'"text" is {_shown(record.get("text"))}, not a string'
    sentence = clean_text(record["text"])
    if end - start != len(sentence) or end > MAX_REBUILT_CHARS:
        return f"sentence {index} does not fit its offsets"
    if "label" not in record:
        return 'no "label" (an export record has one, null for a sentence without a label)'
    if record["label"] is None:
        # a skip, when the record names who skipped it and when (a resolved export does not)
        named = all(isinstance(record.get(name), str) for name in ("annotator", "annotated_at"))
        if record.get("skipped") is not True or not named:
            return index, start, end, sentence, None
        record = {**record, "label": SKIPPED}
    for name in ("label", "annotator", "annotated_at"):
        if not isinstance(record.get(name), str) or not record[name].strip():
            return f'"{name}" is {_shown(record.get(name))}, not a string'
    try:
        label = _label(record, index)
    except ValueError as exc:
        return str(exc)
    if label is None:
        return f"its label or annotator is empty once control characters are removed, or longer than {MAX_NAME_CHARS} characters"
    return index, start, end, sentence, label


def _shown(value: Any) -> str:
    """A JSON value named in a message: its type, and the value when it is short."""
    kind = {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), "a value")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and len(repr(value)) <= 20:
        return repr(value)
    if isinstance(value, str):
        return f"the string {clean_field(value[:20]) or ''!r}"
    return kind


def from_sentence_records(records: list[tuple[int, dict[str, Any]]], source: str) -> ExportedArticle:
    """Rebuild one article from the sentence records (with their line numbers) that share its
    article_id. A record that cannot be taken is refused on its own, with its line; the
    others are taken. ValueError when none can be."""
    first = records[0][1]
    article_id = _article_id(first["article_id"])
    refused: list[tuple[int, str]] = []
    by_index: dict[int, tuple[int, int, str]] = {}
    labels = []
    suggestions: dict[tuple[int, int, int, str], ExportedSuggestion] = {}
    for line, record in records:
        checked = _sentence_record(record)
        if isinstance(checked, str):
            refused.append((line, checked))
            continue
        index, start, end, sentence, label = checked
        # the first record of a sentence places it in a rebuilt article; a label of a record
        # that says otherwise goes only where its own offsets and text are (restore_export)
        by_index.setdefault(index, (start, end, sentence))
        found = [label] if label is not None else []
        found += _remarks(record, index, record.get("annotator"))
        labels += [replace(item, start=start, end=end, text=sentence, line=line) for item in found]
        stored = _stored_suggestion(record.get("suggestion"), index, start, end, sentence)
        if stored is not None:  # every record of a sentence carries the same one
            suggestions.setdefault((index, start, end, stored.label_set), stored)
    text_parts: list[str] = []
    sentences: list[Sentence] = []
    position = 0
    expected = 0
    placed: set[int] = set()
    for index in sorted(by_index):
        start, end, sentence = by_index[index]
        missing = index - expected
        gap = start - position
        if start < position or (missing and gap < missing):
            continue  # it cannot be placed: its labels match no sentence when restored, and are refused then
        filler = [" "] * gap
        spaced = gap >= 2 * missing + 1
        # One placeholder per missing sentence, so sentence indexes stay what they were.
        for k in range(missing):
            at = (2 * k + (1 if position else 0)) if spaced else k
            filler[at] = GAP
            sentences.append(Sentence(expected + k, position + at, position + at + 1))
        if position and gap and filler[0] == " ":
            filler[0] = "\n"
        text_parts.append("".join(filler))
        text_parts.append(sentence)
        sentences.append(Sentence(index, start, end))
        placed.add(index)
        position, expected = end, index + 1
    entities: list[Entity] = []
    for _line, record in records:
        index = record.get("sentence_index")
        if type(index) is not int or index not in placed or not isinstance(record.get("entities"), list):
            continue
        start, end, sentence = by_index[index]
        for e in record["entities"]:
            a, b = (e.get("start"), e.get("end")) if isinstance(e, dict) else (None, None)
            label = _entity_label(e.get("label")) if isinstance(e, dict) else None
            if type(a) is int and type(b) is int and 0 <= a < b <= len(sentence) and label:
                entities.append(Entity(start + a, start + b, label, sentence[a:b]))
    if not sentences:
        raise ValueError(refused[0][1] if refused else "no usable sentence")
    text = "".join(text_parts)
    article = Article(
        text=text,
        title=clean_field(first.get("article_title")) if isinstance(first.get("article_title"), str) else None,
        source=(clean_field(first.get("source")) if isinstance(first.get("source"), str) else None) or source,
        url=clean_field(first.get("url")) if isinstance(first.get("url"), str) else None,
        meta={"rebuilt_from": "sentence export"},
    )
    sentences.sort(key=lambda s: s.index)
    parsed = Parsed(tuple(sentences), tuple(dict.fromkeys(entities)), "restored", "")
    return ExportedArticle(source, article_id, article, parsed, tuple(labels), tuple(refused), len(records), tuple(suggestions.values()))
