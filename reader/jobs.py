"""Background work in a process of its own: whatever loads spaCy or trains a model never runs
in the process that draws the screen, so a keypress never waits for it.

A job is `python -m reader _work TASK ...`: it reports progress as typed events (below), one
JSON object per line on stdout (`encode` writes them, `decode` reads them back), and fails with
reader's usual one line on stderr and a non-zero exit code. Killing it at any moment is safe:
each article's result is committed in one transaction.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Parsed:
    """An article was parsed (its sentences and entities stored)."""

    parsed: str  # the article id


@dataclass(frozen=True)
class Suggested:
    """An article's suggestions were stored."""

    suggested: str  # the article id


@dataclass(frozen=True)
class Extracted:
    """The commitment extractor read this many sentences."""

    extracted: int


@dataclass(frozen=True)
class Trained:
    """A training finished: its held-out macro-F1 against the baseline's, and whether it was kept."""

    trained: str  # the model id
    kept: bool
    macro_f1: float
    baseline: str
    baseline_macro_f1: float


@dataclass(frozen=True)
class NotTrained:
    """A training could not run (too few labels, one class); the reason, in a line."""

    not_trained: str


@dataclass(frozen=True)
class Warned:
    """Something the user should know that is not a failure."""

    warning: str


Event = Parsed | Suggested | Extracted | Trained | NotTrained | Warned
# Each event is told apart by its first field's name, the key it has on the wire.
KINDS: dict[str, type[Event]] = {fields(kind)[0].name: kind for kind in (Parsed, Suggested, Extracted, Trained, NotTrained, Warned)}


def encode(event: Event) -> str:
    """One line of a job's output."""
    return json.dumps(asdict(event))


def decode(line: str) -> Event | None:
    """The event a line of a job's output reports; None for anything else (a stray print)."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    kind = next((KINDS[key] for key in data if key in KINDS), None)
    if kind is None:
        return None
    try:
        return kind(**{f.name: data[f.name] for f in fields(kind)})
    except KeyError:
        return None


class JobFailed(RuntimeError):
    """A background job ended with an error; the message is its one-line reason."""


class Job:
    """One background process; iterate `events()` for what it reports."""

    def __init__(self, db: Path, task: str, *args: str, model: str | None = None, labels: str | None = None) -> None:
        # -P: the folder reader was started in is not put first on the worker's sys.path, so a
        # user's random.py or bisect.py there never stands in for the standard library's.
        command = [sys.executable, "-P", "-m", "reader", "_work", task, *args, "--db", str(db)]
        if model:
            command += ["--model", model]
        if labels:
            command += ["--labels", labels]
        self.command = command
        self.task = task
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._cancelled = False

    def events(self) -> Iterator[Event]:
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
            event = decode(line)
            if event is not None:
                yield event
        err = proc.stderr.read()
        if proc.wait() != 0 and not self._cancelled:
            lines = [line for line in err.splitlines() if line.strip()]
            if lines:
                reason = lines[-1].removeprefix("reader: ")
            elif proc.returncode < 0:
                reason = f"killed by signal {-proc.returncode}"
            else:
                reason = f"exit {proc.returncode}"
            raise JobFailed(f"background {self.task} failed: {reason}")

    @property
    def cancelled(self) -> bool:
        return self._cancelled

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
