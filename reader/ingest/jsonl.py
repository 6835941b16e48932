"""JSON Lines: one article per line, {"text", "title"?, "url"?, "meta"?}, or reader's own
article and sentence exports, which come back with their sentences and labels."""

from __future__ import annotations

import json
from collections.abc import Iterator

from reader.ingest.exports import ExportedArticle, from_article_record, from_sentence_records, is_article_export, is_sentence_export
from reader.sanitize import clean_field, clean_meta, clean_text
from reader.model import Article


def jsonl_articles(text: str, source: str) -> Iterator[tuple[int, Article | ExportedArticle | str]]:
    """Yield (line number, Article, ExportedArticle or the reason that line was rejected).

    Blank lines are skipped. Sentence-export records are gathered per article and restored
    after the last line, numbered by the first line of their article.
    """
    sentence_groups: dict[str, list[tuple[int, dict]]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            # some of json's messages end in "at" already ("Unterminated string starting at")
            yield number, f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
            continue
        except (ValueError, RecursionError) as exc:
            # a 5,000-digit number, or arrays nested thousands deep: one bad line, not a bad file
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
            yield number, f"not usable JSON ({reason})"
            continue
        if not isinstance(record, dict):
            yield number, "not a JSON object"
            continue
        if is_sentence_export(record):
            sentence_groups.setdefault(repr(record["article_id"]), []).append((number, record))
            continue
        if "_input_hash" in record and "_task_hash" in record:
            # reader's Prodigy export: each record is one sentence, not an article to add
            yield number, "a Prodigy record, not an article: to restore labels, import reader's jsonl export"
            continue
        if is_article_export(record):
            try:
                yield number, from_article_record(record, f"{source}:{number}")
            except (ValueError, RecursionError) as exc:
                yield number, f"not a usable reader export: {exc}"
            except (TypeError, KeyError, AttributeError):
                yield number, "not a usable reader export: a field is missing or of the wrong JSON type"
            continue
        try:
            yield number, _article(record, f"{source}:{number}")
        except RecursionError:
            yield number, '"meta" nested too deeply'
    for records in sentence_groups.values():
        number = records[0][0]
        try:
            restored = from_sentence_records(records, f"{source}:{number}")
        except (ValueError, RecursionError) as exc:
            # nothing of the article can be taken: every record is named
            for line, _ in records:
                yield line, f"not a usable reader export: {exc}"
            continue
        for line, reason in restored.refused:
            yield line, f"not a usable reader export record: {reason}"
        yield number, restored


def _article(record: dict, source: str) -> Article | str:
    """One {"text", "title"?, "url"?, "meta"?} record, or the reason it cannot be one."""
    body = record.get("text")
    if not isinstance(body, str):
        return 'no "text" string'
    body = clean_text(body)
    if not body:
        return 'empty "text"'
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        meta = {"meta": meta}
    meta = clean_meta(meta or {})
    json.dumps(meta)  # storable: raises RecursionError here, not inside a transaction
    title = clean_field(record.get("title")) or clean_field(body.split("\n", 1)[0][:300])
    return Article(text=body, title=title, source=source, url=clean_field(record.get("url")), meta=meta)
