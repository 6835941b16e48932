"""Background work in a process of its own: whatever loads spaCy or trains a model never runs
in the process that draws the screen, so a keypress never waits for it.

A job is `python -m reader _work TASK ...`: it reports progress as one JSON object per line on
stdout, and fails with reader's usual one line on stderr and a non-zero exit code. Killing it
at any moment is safe: each article's result is committed in one transaction.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path


class JobFailed(RuntimeError):
    """A background job ended with an error; the message is its one-line reason."""


class Job:
    """One background process; iterate `events()` for what it reports."""

    def __init__(self, db: Path, task: str, *args: str, model: str | None = None, labels: str | None = None) -> None:
        command = [sys.executable, "-m", "reader", "_work", task, *args, "--db", str(db)]
        if model:
            command += ["--model", model]
        if labels:
            command += ["--labels", labels]
        self.command = command
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._cancelled = False

    def events(self) -> Iterator[dict]:
        with self._lock:
            if self._cancelled:
                return
            self._proc = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                encoding="utf-8", errors="replace",
            )
        proc = self._proc
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict):
                yield event
        err = proc.stderr.read()
        if proc.wait() != 0 and not self._cancelled:
            lines = [line for line in err.splitlines() if line.strip()]
            reason = lines[-1] if lines else f"background {self.command[4]} stopped (exit {proc.returncode})"
            raise JobFailed(reason.removeprefix("reader: "))

    @property
    def running(self) -> bool:
        """Started and not finished (or not started yet: it is about to run)."""
        return not self._cancelled and (self._proc is None or self._proc.poll() is None)

    def cancel(self) -> None:
        """Stop the process (what it committed stays committed)."""
        with self._lock:
            self._cancelled = True
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()
