"""How many articles the targets name, roughly and cheaply: for a progress bar's total, before
anything is decoded or cleaned. A file is one article, a JSON Lines file one per non-blank
line, a folder what it holds (as `collect` walks it), a URL or stdin one."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from reader.ingest import JSONL_SUFFIXES, SUPPORTED, is_url


def count_articles(targets: Iterable[str]) -> int:
    total = 0
    for target in targets:
        if target == "-" or is_url(target) or "://" in target:
            total += 1
            continue
        path = Path(target)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED:
                        total += _in_file(Path(dirpath) / name)
        else:
            total += _in_file(path)
    return total


# A line of one of reader's own exports names its article: its lines are one article each.
ARTICLE_ID = re.compile(rb'"article_id":\s*"([^"]+)"')


def _in_file(path: Path) -> int:
    if path.suffix.lower() not in JSONL_SUFFIXES:
        return 1
    plain, named = 0, set()
    try:
        with path.open("rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                found = ARTICLE_ID.search(line)
                if found:
                    named.add(found.group(1))
                else:
                    plain += 1
    except OSError:
        return 1
    return max(1, plain + len(named))
