"""Regressions for what a new team and hostile files found (issue 17), each built from the input
that found it."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import cli_env, dump_database, run_reader
from tests.uihelp import parsed_samples


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return parsed_samples(folder)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(proc, code: int, needle: str) -> str:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def integrity(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


# --- 1. backup --force onto a backup with a -wal ------------------------------------------------

# Another program (the sqlite3 shell, Datasette) writes to the backup in WAL mode and dies
# before a checkpoint: its pages stay in backup.db-wal.
WAL_WRITER = textwrap.dedent(
    """
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    article = conn.execute("SELECT id FROM articles LIMIT 1").fetchone()[0]
    for n in range(300):
        conn.execute(
            "INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, created, uid)"
            " VALUES (?, ?, 'shell', 'set', 'claim', '2026-01-01T00:00:00.000Z', ?)", (article, n % 5, f"shell-{n}"))
    print("written", flush=True)
    os.kill(os.getpid(), 9)
    """
)


def test_backup_force_onto_a_backup_with_a_wal_is_consistent(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    assert run_reader("backup", str(copy), "--db", str(samples)).returncode == 0
    writer = subprocess.run([sys.executable, "-c", WAL_WRITER, str(copy)], capture_output=True, text=True, timeout=60)
    assert writer.returncode == -signal.SIGKILL and "written" in writer.stdout, writer.stderr
    assert Path(f"{copy}-wal").stat().st_size > 0
    # the source moves on, so its pages differ from the old backup's
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps({"text": f"A new report number {n} came in today. It said little."}) + "\n" for n in range(12)))
    assert run_reader("--db", str(samples), "import", str(news)).returncode == 0
    proc = run_reader("backup", str(copy), "--db", str(samples), "--force")
    assert proc.returncode == 0, proc.stderr
    assert integrity(copy) == ["ok"]
    assert count(copy, "SELECT count(*) FROM annotation_events") == count(samples, "SELECT count(*) FROM annotation_events")
    assert count(copy, "SELECT count(*) FROM articles") == count(samples, "SELECT count(*) FROM articles")
    assert count(copy, "SELECT count(*) FROM annotation_events WHERE annotator = 'shell'") == 0


# --- 2. backup --force replaces only a backup -------------------------------------------------


def test_backup_force_refuses_a_working_database(samples: Path, tmp_path: Path) -> None:
    # Regression: another annotator's working database was replaced, and their labels were gone.
    theirs = tmp_path / "bo.db"
    assert run_reader("--db", str(theirs), "import", "-", input="Bo's own article has words. It has two sentences.\n").returncode == 0
    before = dump_database(theirs)
    for args in ([], ["--force"]):
        one_line(run_reader("backup", str(theirs), "--db", str(samples), *args), 2, "working reader database")
        assert dump_database(theirs) == before


def test_a_backup_worked_in_becomes_a_working_database(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    assert run_reader("backup", str(copy), "--db", str(samples)).returncode == 0
    again = run_reader("backup", str(copy), "--db", str(samples), "--force")
    assert again.returncode == 0, again.stderr
    assert run_reader("stats", "--db", str(copy)).returncode == 0  # reading it keeps it a backup
    assert run_reader("backup", str(copy), "--db", str(samples), "--force").returncode == 0
    # a restored backup that someone imports into is their working database now
    assert run_reader("--db", str(copy), "import", "-", input="Work done in the restored copy. It matters.\n").returncode == 0
    before = dump_database(copy)
    one_line(run_reader("backup", str(copy), "--db", str(samples), "--force"), 2, "working reader database")
    assert dump_database(copy) == before
