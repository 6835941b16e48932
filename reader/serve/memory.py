"""Resident memory of processes, read from /proc (Linux); None where that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path


def rss(pid: int) -> int | None:
    """Resident set size of one process, in bytes."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid: int) -> list[int]:
    """Every descendant of a process (a session's background `reader _work` jobs, say)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
        except (OSError, ValueError):
            kids = []
        found.extend(kids)
        todo.extend(kids)
    return found


def tree_rss(pid: int) -> int | None:
    """Resident memory of a process and its descendants, in bytes."""
    own = rss(pid)
    if own is None:
        return None
    return own + sum(rss(k) or 0 for k in children(pid))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mb(size: int | None) -> str:
    return "?" if size is None else f"{size / 2**20:.0f} MB"
