"""`reader` in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INDIA = ROOT / "sample_articles" / "india-canada-security-talks.txt"

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"),
]


class Terminal:
    """One tmux session running one command."""

    def __init__(self, name: str, command: str, width: int = 120, height: int = 40) -> None:
        self.name = name
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def screen(self) -> str:
        result = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return result.stdout

    def send(self, key: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.screen())
            if match:
                return match
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never appeared; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def reader(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reader", *args, "--db", str(db)], capture_output=True, text=True)


def test_label_undo_and_export_in_a_real_terminal(tmp_path: Path) -> None:
    db = tmp_path / "e2e.db"
    assert reader("import", str(INDIA), db=db).returncode == 0
    command = " ".join(
        shlex.quote(part)
        for part in [sys.executable, "-m", "reader", str(INDIA), "--db", str(db), "--annotator", "e2e", "--config", str(tmp_path / "none.toml")]
    )
    (tmp_path / "none.toml").write_text("")
    term = Terminal(f"reader-e2e-{os.getpid()}", f"{command}; echo READER-EXITED-$?; sleep 60")
    try:
        total = term.wait_for(r"sentence 1/(\d+)").group(1)
        # each key, then the status the user sees after it (undo moves the cursor back)
        for key, expected in [("1", 2), ("2", 3), ("3", 4), ("u", 3), ("j", 4), ("j", 5)]:
            term.send(key)
            term.wait_for(rf"sentence {expected}/{total}\b")
        assert f"sentence 5/{total}" in term.screen()
        term.send("1")
        term.wait_for(rf"sentence 6/{total}\b")
        term.send("q")
        term.wait_for(r"\d+ articles? ·")  # "1 article" since issue 10
        term.send("q")
        term.wait_for(r"READER-EXITED-0")
    finally:
        term.close()

    exported = reader("export", "--unit", "article", "--format", "jsonl", db=db)
    assert exported.returncode == 0, exported.stderr
    (article,) = [json.loads(line) for line in exported.stdout.splitlines()]
    labels = {s["index"]: s["label"] for s in article["sentences"] if s["label"]}
    assert labels == {0: "commitment", 1: "claim", 4: "commitment"}
