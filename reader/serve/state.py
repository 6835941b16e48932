"""The status file of a running `reader serve` (one per port, in the user's state folder),
so `reader serve --status` can say who is connected and how much memory each session holds."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from reader.serve.memory import alive, mb, rss, tree_rss
import contextlib


def folder() -> Path:
    from platformdirs import user_state_path

    return user_state_path("reader")


def path_for(port: int) -> Path:
    return folder() / f"serve-{port}.json"


def write(port: int, state: dict[str, Any]) -> None:
    target = path_for(port)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, target)


def remove(port: int) -> None:
    with contextlib.suppress(OSError):
        path_for(port).unlink()


def running(port: int | None = None) -> list[dict[str, Any]]:
    """The states of servers still running (of one port, or all), stale files left aside."""
    paths = [path_for(port)] if port is not None else sorted(folder().glob("serve-*.json"))
    found = []
    for path in paths:
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(state, dict) and isinstance(state.get("pid"), int) and alive(state["pid"]):
            found.append(state)
    return found


def report(state: dict[str, Any]) -> list[str]:
    """Lines for one server, with memory measured now."""
    sessions = state.get("sessions", [])
    head = (f"reader serve on {state.get('url')} (pid {state['pid']}, database {state.get('db')}): "
            f"{len(sessions)} of {state.get('max_sessions')} sessions, server memory {mb(rss(state['pid']))}")
    lines = [head]
    total = 0
    for s in sessions:
        size = tree_rss(s["pid"]) if isinstance(s.get("pid"), int) else None
        total += size or 0
        role = " (reviewer)" if s.get("reviewer") else ""
        lines.append(f"  {s.get('annotator')}{role}: pid {s.get('pid')}, since {s.get('since')}, memory {mb(size)}")
    if sessions:
        lines.append(f"  sessions together: {mb(total)}")
    return lines
