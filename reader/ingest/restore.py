"""reader's own exports coming back in: article and sentence JSONL, labels included.

An article export carries everything (text, sentences, entities, every annotator's labels),
so it is restored exactly. A sentence export carries only the exported sentences; when their
article is not in the database, it is rebuilt from them at their original offsets (gaps
hold a "…" per missing sentence), under its original id, so that exporting it again gives
the same records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reader.ingest.sanitize import clean_field, clean_meta, clean_text
from reader.model import Article, Entity, Parsed, Restored, Sentence

GAP = "…"


@dataclass(frozen=True)
class Restore:
    """An article (and its labels) from one of reader's own exports."""

    source: str
    article_id: str
    article: Article
    parsed: Parsed | None
    labels: tuple[Restored, ...]


def is_article_export(record: dict[str, Any]) -> bool:
    return isinstance(record.get("id"), str) and isinstance(record.get("text"), str) and isinstance(record.get("sentences"), list)


def is_sentence_export(record: dict[str, Any]) -> bool:
    return all(k in record for k in ("article_id", "sentence_index", "start", "end", "text")) and "label" in record


def _label(item: dict[str, Any], index: int, fallback_label: Any = None) -> Restored | None:
    label = item.get("label", fallback_label)
    annotator = item.get("annotator")
    updated = item.get("annotated_at")
    if not (isinstance(label, str) and label and isinstance(annotator, str) and isinstance(updated, str)):
        return None
    created = item.get("created")
    return Restored(index, clean_field(label) or label, clean_field(annotator) or annotator, created if isinstance(created, str) else None, updated)


def from_article_record(record: dict[str, Any], source: str) -> Restore:
    """Rebuild an article export record; raise ValueError when its offsets do not fit its text."""
    text = record["text"]
    if clean_text(text) != text:
        raise ValueError("article text is not in reader's normal form (was it edited?)")
    sentences, labels = [], []
    for item in record["sentences"]:
        index, start, end = int(item["index"]), int(item["start"]), int(item["end"])
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"sentence {index} has offsets outside the text")
        sentences.append(Sentence(index, start, end))
        for annotation in item.get("annotations") or []:
            restored = _label(annotation, index)
            if restored:
                labels.append(restored)
    entities = []
    for item in record.get("entities") or []:
        start, end = int(item["start"]), int(item["end"])
        if 0 <= start < end <= len(text):
            entities.append(Entity(start, end, str(item["label"]), text[start:end]))
    article = Article(
        text=text,
        title=clean_field(record.get("title")),
        source=clean_field(record.get("source")) or source,
        url=clean_field(record.get("url")),
        author=clean_field(record.get("author")),
        published=clean_field(record.get("published")),
        site=clean_field(record.get("site")),
        meta=clean_meta(record.get("meta") or {}),
    )
    parsed = None
    if sentences:
        parsed = Parsed(tuple(sentences), tuple(entities), str(record.get("model") or "restored"), str(record.get("model_version") or ""))
    return Restore(source, str(record["id"]), article, parsed, tuple(labels))


def from_sentence_records(records: list[dict[str, Any]], source: str) -> Restore:
    """Rebuild one article from the sentence records that share its article_id."""
    first = records[0]
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
        if start < position or end - start != len(sentence):
            raise ValueError(f"sentence {index} of article {first['article_id']} does not fit its offsets")
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
            if 0 <= a < b <= len(sentence):
                entities.append(Entity(start + a, start + b, str(e["label"]), sentence[a:b]))
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
    return Restore(source, str(first["article_id"]), article, parsed, tuple(labels))
