"""reader's own exports coming back in: article and sentence JSONL, labels included.

An article export carries everything (text, sentences, entities, every annotator's labels),
so it is restored exactly. A sentence export carries only the exported sentences; when their
article is not in the database, it is rebuilt from them at their original offsets (gaps
hold a "…" per missing sentence), under its original id, so that exporting it again gives
the same records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reader.sanitize import clean_field, clean_meta, clean_text
from reader.limits import DEFAULT_MAX_BYTES
from reader.model import Article, Entity, Parsed, ExportedLabel, Sentence

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
    labels: tuple[ExportedLabel, ...]


def is_article_export(record: dict[str, Any]) -> bool:
    return isinstance(record.get("id"), str) and isinstance(record.get("text"), str) and isinstance(record.get("sentences"), list)


def is_sentence_export(record: dict[str, Any]) -> bool:
    return all(k in record for k in ("article_id", "sentence_index", "start", "end", "text")) and "label" in record


def _label(item: dict[str, Any], index: int, fallback_label: Any = None) -> ExportedLabel | None:
    label = item.get("label", fallback_label)
    annotator = item.get("annotator")
    updated = item.get("annotated_at")
    if not (isinstance(label, str) and label and isinstance(annotator, str) and isinstance(updated, str)):
        return None
    created = item.get("created")
    created = created if isinstance(created, str) else None
    for stamp in (updated, created):
        if stamp is not None and not _is_time(stamp):
            raise ValueError(f"sentence {index}: {stamp[:40]!r} is not an ISO 8601 time")
    label, annotator = clean_field(label), clean_field(annotator)
    if not (label and annotator):
        return None
    return ExportedLabel(index, label, annotator, created, updated)


def _is_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


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
    sentences, labels = [], []
    previous_end = 0
    for position, item in enumerate(record["sentences"]):
        index, start, end = int(item["index"]), int(item["start"]), int(item["end"])
        if index != position:
            raise ValueError(f"sentence indexes are not 0, 1, 2…: {index} at position {position}")
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"sentence {index} has offsets outside the text")
        if start < previous_end:
            raise ValueError(f"sentence {index} overlaps the sentence before it")
        previous_end = end
        sentences.append(Sentence(index, start, end))
        for annotation in item.get("annotations") or []:
            restored = _label(annotation, index)
            if restored:
                labels.append(restored)
    entities = []
    for item in record.get("entities") or []:
        start, end, label = int(item["start"]), int(item["end"]), _entity_label(item["label"])
        if 0 <= start < end <= len(text) and label:
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
    return ExportedArticle(source, article_id, article, parsed, tuple(labels))


def from_sentence_records(records: list[dict[str, Any]], source: str) -> ExportedArticle:
    """Rebuild one article from the sentence records that share its article_id."""
    first = records[0]
    article_id = _article_id(first["article_id"])
    by_index: dict[int, dict[str, Any]] = {}
    labels = []
    for record in records:
        index = int(record["sentence_index"])
        by_index.setdefault(index, record)
        restored = _label(record, index)
        if restored:
            labels.append(restored)
    text_parts: list[str] = []
    sentences: list[Sentence] = []
    entities: list[Entity] = []
    position = 0
    expected = 0
    for index in sorted(by_index):
        record = by_index[index]
        start, end, sentence = int(record["start"]), int(record["end"]), clean_text(str(record["text"]))
        if index < 0 or start < position or end - start != len(sentence) or end > MAX_REBUILT_CHARS:
            raise ValueError(f"sentence {index} of article {article_id} does not fit its offsets")
        missing = index - expected
        gap = start - position
        if missing and gap < missing:
            raise ValueError(f"article {first['article_id']}: no room for {missing} missing sentences before sentence {index}")
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
        for e in record.get("entities") or []:
            a, b = int(e["start"]), int(e["end"])
            label = _entity_label(e["label"])
            if 0 <= a < b <= len(sentence) and label:
                entities.append(Entity(start + a, start + b, label, sentence[a:b]))
        position, expected = end, index + 1
    text = "".join(text_parts)
    article = Article(
        text=text,
        title=clean_field(first.get("article_title")),
        source=clean_field(first.get("source")) or source,
        url=clean_field(first.get("url")),
        meta={"rebuilt_from": "sentence export"},
    )
    sentences.sort(key=lambda s: s.index)
    parsed = Parsed(tuple(sentences), tuple(entities), "restored", "")
    return ExportedArticle(source, article_id, article, parsed, tuple(labels))
