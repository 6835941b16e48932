"""The model applied to a corpus the database does not hold (`reader suggest`): every sentence
of every article with its suggestion and, where the suggestion is commitment, the commitment's
slots, written as JSON Lines or Parquet. Nothing is stored; the parse is the import's own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.ingest import ExportedArticle, Failed, Limits, Skipped, collect
from reader.model import Article, Parsed

FORMATS = {".jsonl": "jsonl", ".parquet": "parquet"}
PARQUET_HINT = "writing .parquet needs pyarrow: pip install 'close-reader[parquet]' (or write .jsonl)"
ROW_GROUP = 20_000  # Parquet rows buffered before they are written


@dataclass
class SuggestReport:
    """What `reader suggest` did: articles written, repeated, inputs that failed or were skipped."""

    articles: int = 0
    sentences: int = 0
    already: int = 0
    failed: list[Failed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def output_format(path: Path) -> str:
    """The format an output path asks for; ValueError with the choices otherwise."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"cannot tell the format of {path.name!r}: name it .jsonl or .parquet")
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ValueError(PARQUET_HINT) from None
    return kind


def articles_of(targets: Iterable[str], limits: Limits, report: SuggestReport, notify: Callable[[str, Any], None]) -> Iterator[Article]:
    """Each article the targets name once (a text seen before is counted, not repeated)."""
    seen: set[str] = set()
    for outcome in collect(targets, limits):
        if isinstance(outcome, Failed):
            report.failed.append(outcome)
            notify("failed", outcome)
            continue
        if isinstance(outcome, Skipped):
            report.skipped.append(outcome)
            notify("skipped", outcome)
            continue
        article = outcome.article if isinstance(outcome, ExportedArticle) else outcome
        if article.id in seen:
            report.already += 1
            notify("already", article)
            continue
        seen.add(article.id)
        yield article


def records(article: Article, parsed: Parsed) -> Iterator[dict[str, Any]]:
    """One record per sentence: where it is, its suggestion, and its commitment's slots."""
    for sentence in parsed.sentences:
        suggestion = parsed.suggestions.get(sentence.index)
        found = parsed.commitments.get(sentence.index)
        yield {
            "article_id": article.id,
            "article_title": article.title,
            "source": article.source,
            "url": article.url,
            "sentence_index": sentence.index,
            "start": sentence.start,
            "end": sentence.end,
            "text": article.text[sentence.start : sentence.end],
            "suggestion": suggestion.label if suggestion else None,
            "score": round(suggestion.score, 4) if suggestion else None,
            "scores": {k: round(v, 4) for k, v in suggestion.scores.items()} if suggestion else None,
            "suggestion_source": suggestion.source if suggestion else None,
            "reason": suggestion.reason if suggestion else None,
            "commitment": _commitment(*found) if found else None,
        }


def _commitment(item: Any, article_date: Any) -> dict[str, Any]:
    return {
        "actor": item.actor,
        "actor_entities": [{"text": t, "label": lab, "start": a, "end": b} for t, lab, a, b in item.actor_entities],
        "actor_resolved": item.actor_resolved,
        "actor_note": item.actor_note,
        "action": item.action,
        "when": item.when,
        "when_iso": item.when_iso,
        "trigger": item.trigger,
        "confidence": round(float(item.confidence), 4),
        "article_date": article_date.isoformat() if article_date else None,
    }


def _parquet_schema() -> Any:
    import pyarrow as pa

    entity = pa.struct([("text", pa.string()), ("label", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
    commitment = pa.struct([
        ("actor", pa.string()), ("actor_entities", pa.list_(entity)), ("actor_resolved", pa.string()),
        ("actor_note", pa.string()), ("action", pa.string()), ("when", pa.string()), ("when_iso", pa.string()),
        ("trigger", pa.string()), ("confidence", pa.float64()), ("article_date", pa.string()),
    ])
    return pa.schema([
        ("article_id", pa.string()), ("article_title", pa.string()), ("source", pa.string()), ("url", pa.string()),
        ("sentence_index", pa.int64()), ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
        ("suggestion", pa.string()), ("score", pa.float64()), ("scores", pa.map_(pa.string(), pa.float64())),
        ("suggestion_source", pa.string()), ("reason", pa.string()), ("commitment", commitment),
    ])


def write(path: Path, kind: str, parsed: Iterable[tuple[Article, Parsed]], report: SuggestReport,
          notify: Callable[[str, Any], None]) -> None:
    """Write every sentence of every parsed article to `path`, whole or not at all: the records
    go to a hidden file beside it that replaces it only once everything is written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        if kind == "parquet":
            _write_parquet(partial, parsed, report, notify)
        else:
            with partial.open("w", encoding="utf-8") as out:
                for article, parse in parsed:
                    for record in records(article, parse):
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                        report.sentences += 1
                    report.articles += 1
                    notify("done", article)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_parquet(partial: Path, parsed: Iterable[tuple[Article, Parsed]], report: SuggestReport,
                   notify: Callable[[str, Any], None]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    rows: list[dict[str, Any]] = []
    with pq.ParquetWriter(partial, schema) as out:
        for article, parse in parsed:
            for record in records(article, parse):
                record["scores"] = list(record["scores"].items()) if record["scores"] else None
                rows.append(record)
                report.sentences += 1
            report.articles += 1
            notify("done", article)
            if len(rows) >= ROW_GROUP:
                out.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows or report.sentences == 0:
            out.write_table(pa.Table.from_pylist(rows, schema=schema))
