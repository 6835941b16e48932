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


def reader_command(db: Path, tmp_path: Path, annotator: str, *extra: str) -> str:
    (tmp_path / "none.toml").write_text("")
    parts = [sys.executable, "-m", "reader", *extra, "--db", str(db), "--annotator", annotator, "--config", str(tmp_path / "none.toml")]
    return " ".join(shlex.quote(p) for p in parts)


def test_enter_accepts_a_suggestion_in_a_real_terminal(tmp_path: Path) -> None:
    db = tmp_path / "e2e.db"
    assert reader("import", str(INDIA), db=db).returncode == 0
    term = Terminal(f"reader-accept-{os.getpid()}", reader_command(db, tmp_path, "e2e", str(INDIA)) + "; sleep 60")
    try:
        total = term.wait_for(r"sentence 1/(\d+)").group(1)
        suggested = term.wait_for(r"suggested: (\w+) 0\.\d\d").group(1)
        term.send("Enter")
        term.wait_for(rf"sentence 2/{total}\b")
        term.wait_for(r"1/\d+ labelled")
        term.send("q")
        term.wait_for(r"\d+ articles? ·")
        term.send("q")
    finally:
        term.close()
    (record,) = [json.loads(line) for line in reader("export", db=db).stdout.splitlines()]
    assert record["label"] == suggested and record["provenance"] == "suggestion"
    assert record["suggested"]["label"] == suggested


def test_two_windows_of_one_annotator_stay_true_to_the_database(tmp_path: Path) -> None:
    # Regression: `1` in one window and `2` in the other showed "C commitment -1 L claim 1", and
    # undo in the first undid the second's change without a word.
    db = tmp_path / "two.db"
    assert reader("import", str(INDIA), db=db).returncode == 0
    one = Terminal(f"reader-one-{os.getpid()}", reader_command(db, tmp_path, "asha", str(INDIA)) + "; sleep 60")
    two = Terminal(f"reader-two-{os.getpid()}", reader_command(db, tmp_path, "asha", str(INDIA)) + "; sleep 60")
    try:
        for term in (one, two):
            term.wait_for(r"sentence 1/\d+")
        one.send("1")
        two.wait_for(r"C commitment 1 L claim 0")  # the other window noticed the change
        two.send("2")  # same sentence, other label
        one.wait_for(r"C commitment 0 L claim 1")
        assert "-1" not in one.screen() and "-1" not in two.screen()
        one.send("u")  # the latest change in the database's history is the other window's
        one.wait_for(r"undid sentence 1: claim")
        two.wait_for(r"C commitment 1 L claim 0")
        one.wait_for(r"C commitment 1 L claim 0")
    finally:
        one.close()
        two.close()
    (record,) = [json.loads(line) for line in reader("export", db=db).stdout.splitlines()]
    assert record["label"] == "commitment" and record["sentence_index"] == 0


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_reader_leaves_when_its_terminal_hangs_up_under_make(tmp_path: Path) -> None:
    """`make run` makes make the terminal's session leader: when the terminal goes (an SSH
    connection dropped, a tmux session killed), make gets the hangup and the reader did not; it
    ran on, reading the dead terminal's end of file 40-75 % of a core. It now leaves, with the
    exit code of a hangup, its labels saved."""
    db = tmp_path / "e2e.db"
    assert reader("import", str(INDIA), db=db).returncode == 0
    (tmp_path / "Makefile").write_text(f"run:\n\t{reader_command(db, tmp_path, 'e2e', str(INDIA))}; echo $$? > {tmp_path / 'code'}\n")
    term = Terminal(f"reader-hangup-{os.getpid()}", f"make -s -C {shlex.quote(str(tmp_path))} run")
    try:
        term.wait_for(r"sentence 1/\d+")
        term.send("1")
        term.wait_for(r"sentence 2/\d+")
    finally:
        term.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (tmp_path / "code").exists():
        time.sleep(0.1)
    assert (tmp_path / "code").read_text().strip() == "129"
    (record,) = [json.loads(line) for line in reader("export", db=db).stdout.splitlines()]
    assert record["label"] == "commitment"
