"""Dataset writers. Records are produced one at a time, so memory stays flat, and a file is
written to a temporary name and renamed into place, so an interrupted export leaves nothing.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from reader.store import Store


def article_records(store: Store, ids: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """One record per article: text, metadata, sentences with their label, entities."""
    for article_id in ids if ids is not None else store.article_ids():
        article = store.article(article_id)
        if article is None:
            continue
        labels = store.sentence_labels(article_id)
        text = article.text
        yield {
            "id": article_id,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "author": article.author,
            "published": article.published,
            "site": article.site,
            "text": text,
            "meta": article.meta,
            "sentences": [
                {
                    "index": s.index,
                    "start": s.start,
                    "end": s.end,
                    "text": text[s.start : s.end],
                    # With several annotators the latest label stands for the sentence here.
                    "label": labels[s.index][-1][0] if s.index in labels else None,
                }
                for s in store.sentences(article_id)
            ],
            "entities": [
                {"start": e.start, "end": e.end, "label": e.label, "text": e.text} for e in store.entities(article_id)
            ],
        }


def write_jsonl(records: Iterable[dict[str, Any]], handle: IO[str]) -> int:
    count = 0
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False))
        handle.write("\n")
        count += 1
    return count


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def open_output(target: str | None) -> Iterator[IO[str]]:
    """stdout for None or "-"; otherwise a temporary file renamed over the target on success."""
    if target in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file owner-only; a dataset gets the mode any new file would get.
        os.chmod(temp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
