"""JSON Lines: one article per line, {"text", "title"?, "url"?, "meta"?}."""

from __future__ import annotations

import json
from collections.abc import Iterator

from reader.ingest.sanitize import clean_field, clean_meta, clean_text
from reader.model import Article


def jsonl_articles(text: str, source: str) -> Iterator[tuple[int, Article | str]]:
    """Yield (line number, Article or the reason that line was rejected); blank lines are skipped."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(record, dict):
            yield number, "not a JSON object"
            continue
        body = record.get("text")
        if not isinstance(body, str):
            yield number, 'no "text" string'
            continue
        body = clean_text(body)
        if not body:
            yield number, 'empty "text"'
            continue
        meta = record.get("meta")
        if meta is not None and not isinstance(meta, dict):
            meta = {"meta": meta}
        title = clean_field(record.get("title")) or clean_field(body.split("\n", 1)[0][:300])
        yield number, Article(
            text=body,
            title=title,
            source=f"{source}:{number}",
            url=clean_field(record.get("url")),
            meta=clean_meta(meta or {}),
        )
