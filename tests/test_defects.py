"""Regressions for what a new user hit (issue 10), each with the exact input that found it."""

from __future__ import annotations

import hashlib
import sqlite3
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


# --- 1. export must never land on a database -----------------------------------------------


@pytest.mark.parametrize("target", ["itself", "its -wal", "its -shm", "a symlink to it", "another reader database", "another SQLite file"])
def test_export_refuses_to_overwrite_a_database(target: str, samples: Path, tmp_path: Path) -> None:
    # Regression: `READER_DB=x.db reader export -o x.db` replaced the database with JSONL.
    other = tmp_path / "other.db"
    if target == "another reader database":
        other.write_bytes(samples.read_bytes())
    elif target == "another SQLite file":
        conn = sqlite3.connect(other)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    elif target == "a symlink to it":
        other.symlink_to(samples)
    path = {
        "itself": samples, "its -wal": Path(f"{samples}-wal"), "its -shm": Path(f"{samples}-shm"),
    }.get(target, other)
    before = dump_database(samples)
    other_before = digest(other) if other.exists() and not other.is_symlink() else None
    proc = run_reader("export", "-o", str(path), env=cli_env(READER_DB=str(samples)))
    one_line(proc, 2, "will not write over")
    assert dump_database(samples) == before
    if other_before is not None:
        assert digest(other) == other_before
    listed = run_reader("list", "--db", str(samples))
    assert listed.returncode == 0 and "India and Canada" in listed.stdout


def test_export_to_a_new_file_beside_the_database_still_works(samples: Path) -> None:
    out = samples.parent / "labels.jsonl"
    proc = run_reader("export", "--all", "-o", str(out), "--db", str(samples))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().count("\n") > 50


# --- 2. backup never replaces a file silently ---------------------------------------------


def test_backup_refuses_a_file_that_is_not_a_database(samples: Path, tmp_path: Path) -> None:
    # Regression: `reader backup notes.md` replaced a markdown file with SQLite.
    notes = tmp_path / "notes.md"
    notes.write_text("# my notes\n")
    for args in ([], ["--force"]):
        one_line(run_reader("backup", str(notes), "--db", str(samples), *args), 2, "not a reader database")
        assert notes.read_text() == "# my notes\n"


def test_backup_over_an_earlier_backup_needs_force(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert run_reader("backup", str(copy), "--db", str(samples)).returncode == 0
    first = digest(copy)
    conn = sqlite3.connect(samples)
    conn.execute("INSERT INTO positions VALUES ((SELECT id FROM articles LIMIT 1), 'x', 3, 'now')")
    conn.commit()
    conn.close()
    one_line(run_reader("backup", str(copy), "--db", str(samples)), 2, "--force")
    assert digest(copy) == first
    again = run_reader("backup", str(copy), "--db", str(samples), "--force")
    assert again.returncode == 0, again.stderr
    assert digest(copy) != first


def test_backup_into_a_folder_names_the_file_written(samples: Path, tmp_path: Path) -> None:
    # Regression: `reader backup dir/` said "backed up ... to dir/".
    folder = tmp_path / "backups"
    folder.mkdir()
    proc = run_reader("backup", f"{folder}/", "--db", str(samples))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == f"backed up {samples} to {folder / samples.name}"
    assert (folder / samples.name).is_file()
