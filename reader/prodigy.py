"""Sentence records as Prodigy's textcat choice interface saves them (`reader export --format prodigy`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any


def _hash(*parts: str) -> int:
    """A stable signed 32-bit hash, the shape Prodigy uses for _input_hash and _task_hash."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little", signed=True)


def _timestamp(iso: str | None) -> int | None:
    if not iso:
        return None
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def prodigy_records(records: Iterable[dict[str, Any]], label_names: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Records as Prodigy's textcat choice interface saves them."""
    for r in records:
        options = [{"id": name, "text": name} for name in label_names]
        input_hash = _hash(r["text"])
        yield {
            "text": r["text"],
            "options": options,
            "accept": [r["label"]] if r["label"] else [],
            "answer": "accept" if r["label"] else "ignore",
            "_input_hash": input_hash,
            "_task_hash": _hash(str(input_hash), json.dumps(options, sort_keys=True)),
            "_view_id": "choice",
            "config": {"choice_style": "single"},
            "_annotator_id": r["annotator"],
            "_session_id": r["annotator"],
            "_timestamp": _timestamp(r["annotated_at"]),
            "spans": [{"start": e["start"], "end": e["end"], "label": e["label"]} for e in r["entities"]],
            "meta": {
                "article_id": r["article_id"],
                "article_title": r["article_title"],
                "source": r["source"],
                "sentence_index": r["sentence_index"],
            },
        }
