"""Issue 17, item 24 ("Looks"): what each screen keeps at 80×24, the register's columns, dialogs,
entity colours, the status bar's note, toasts, and the command line's output.

The pictures at 80×24 are pinned by the snapshot tests at the end (update them with
`pytest tests/test_looks_24.py --snapshot-update` after an intended change, and look at them).
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env, run_reader

ROOT = Path(__file__).resolve().parents[1]
SMALL = (80, 24)


# --- the command line ---------------------------------------------------------------------------


def test_train_help_shows_a_percent_sign_not_two() -> None:
    proc = run_reader("train", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "%%" not in proc.stdout and "100 % of the labels" in " ".join(proc.stdout.split())


def piped_env() -> dict[str, str]:
    env = cli_env()
    env.pop("COLUMNS", None)  # rich takes its width from COLUMNS; piped, there is no terminal to ask
    env.pop("LINES", None)
    return env


def test_piped_tables_keep_each_row_on_one_line(db: Path) -> None:
    """`reader stats | less` wrapped the per-article table at 80 columns: a title ran over two
    lines and a script reading the rows saw half-rows."""
    title = "Brennmoor health board pledges measles catch-up drive after outbreak"
    proc = run_reader("stats", "--db", db, "--annotator", "tester", env=piped_env())
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if title in line]
    assert len(rows) == 1, proc.stdout
    assert any(len(line) > 80 for line in proc.stdout.splitlines())
    assert "22" in rows[0]  # its sentences, on the same line as its title


def test_piped_agreement_keeps_each_row_on_one_line(db: Path) -> None:
    """`reader agreement` printed through a pipe: one line per annotator pair, however wide."""
    from reader.model import LabelSet
    from reader.session import Session
    from reader.store import Store
    from tests.uihelp import INDIA, article_id_of

    article = article_id_of(db, INDIA)
    long_a, long_b = "annotator-with-a-rather-long-name-from-the-night-desk", "annotator-with-an-even-longer-name-from-the-sports-desk"
    with Store(db) as store:
        for who, labels in ((long_a, ["commitment", "claim", "background"]), (long_b, ["commitment", "background", "background"])):
            session = Session(store, article, who, LabelSet())
            session.load()
            for index, label in enumerate(labels):
                session.label(index, label)
    proc = run_reader("agreement", "--db", db, env=piped_env())
    assert proc.returncode == 0, proc.stderr
    pair = [line for line in proc.stdout.splitlines() if long_a in line and long_b in line]
    assert pair, proc.stdout


def test_folder_import_progress_counts_the_files_first(tmp_path: Path) -> None:
    """In a terminal, importing a folder showed `0/?` until the end: the total is the number of
    articles the folder holds, counted before the first is read."""
    folder = tmp_path / "desk"
    folder.mkdir()
    for n in range(6):
        (folder / f"story-{n}.txt").write_text(f"Story {n}\n\nThe council agreed on {n} new benches for the park.\n")
    (folder / "notes.bin").write_bytes(b"\x00\x01")  # not an article: not counted
    leader, follower = pty.openpty()
    env = {**cli_env(), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    proc = subprocess.Popen([sys.executable, "-m", "reader", "import", str(folder), "--db", str(tmp_path / "r.db")],
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, seen.decode(errors="replace")
    text = seen.decode("utf-8", "replace")
    assert "importing" in text and "0/6" in text, text
    assert "/?" not in text
