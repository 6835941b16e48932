"""Durability: the event log only grows, kill -9 loses no label the screen showed, a killed
import leaves no half article, and two readers in two terminals label one database at once.

The terminal tests run `reader` under tmux (tests/test_terminal.py's Terminal) with `exec`, so
the pane's process is reader itself and `kill -9` hits it, not a shell.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import dump_database, run_reader
from reader.store import Store
from tests.test_faults import WRITER
from tests.test_terminal import INDIA, Terminal
from tests.uihelp import article_id_of, parsed_samples

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
LABELS = {"1": "commitment", "2": "claim", "3": "background"}


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(db, timeout=30)


def labels_of(db: Path, annotator: str) -> dict[int, str]:
    conn = connect(db)
    try:
        return dict(conn.execute("SELECT sentence_index, label FROM annotations WHERE annotator = ?", (annotator,)))
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --- (a) the event log is append-only ----------------------------------------------------------


def test_event_log_refuses_updates_and_deletes_from_any_client(tmp_path: Path) -> None:
    db = parsed_samples(tmp_path)
    india = article_id_of(db, INDIA.name)
    with Store(db) as store:
        store.set_label(india, 0, "claim", "asha")
        store.set_label(india, 1, "commitment", "asha")
        store.undo(india, "asha")
        first = dump_database(db)["annotation_events"]
        store.redo(india, "asha")
        store.set_label(india, 0, None, "asha")
        store.delete_article(india, "asha")
    events = dump_database(db)["annotation_events"]
    assert [e["action"] for e in sorted(events, key=lambda e: e["id"])] == ["set", "set", "undo", "redo", "clear", "delete"]
    assert all(e in events for e in first)  # every later change only appended
    conn = sqlite3.connect(db)  # not through reader: the triggers are in the file
    for statement in ("UPDATE annotation_events SET label = 'claim'", "DELETE FROM annotation_events", "DELETE FROM annotation_events WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()
    assert dump_database(db)["annotation_events"] == events


# --- (b) kill -9 while labelling -------------------------------------------------------------


def status_pattern(position: int, total: int, counts: dict[str, int]) -> str:
    labelled = sum(counts.values())
    return (
        rf"sentence {position}/{total} · {labelled}/{total} labelled · C commitment {counts['commitment']} "
        rf"L claim {counts['claim']} B background {counts['background']} ·"
    )


def launch(name: str, db: Path, annotator: str, tmp_path: Path) -> Terminal:
    config = tmp_path / "empty.toml"
    config.write_text("")
    argv = [sys.executable, "-m", "reader", str(INDIA), "--db", str(db), "--annotator", annotator, "--config", str(config)]
    return Terminal(f"{name}-{os.getpid()}", "exec " + " ".join(shlex.quote(a) for a in argv))


def wait_until(term: Terminal, pattern: str, accept, timeout: float = 30.0) -> re.Match:
    """Poll the screen until pattern matches and accept(match) holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, term.screen())
        if match and accept(match):
            return match
        time.sleep(0.01)
    raise AssertionError(f"{pattern!r} never matched as wanted; the screen shows:\n{term.screen()}")


def kill_reader(term: Terminal) -> None:
    pid = int(subprocess.run(["tmux", "list-panes", "-t", term.name, "-F", "#{pane_pid}"], capture_output=True, text=True, check=True).stdout.split()[0])
    assert b"reader" in Path(f"/proc/{pid}/cmdline").read_bytes()  # exec: the pane's process is reader itself
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


@needs_tmux
@pytest.mark.tmux
def test_kill_9_loses_no_label_the_screen_showed(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    assert run_reader("import", str(INDIA), "--db", str(db)).returncode == 0
    rng = random.Random(9)

    # Round 1: a key, then wait until the status bar shows it; kill -9 right after the last.
    term = launch("reader-kill-1", db, "killer", tmp_path)
    try:
        total = int(term.wait_for(r"sentence 1/(\d+)").group(1))
        counts = dict.fromkeys(LABELS.values(), 0)
        expected: dict[int, str] = {}
        for index in range(8):
            key = rng.choice("123")
            term.send(key)
            counts[LABELS[key]] += 1
            expected[index] = LABELS[key]
            term.wait_for(status_pattern(index + 2, total, counts))
        kill_reader(term)
    finally:
        term.close()
    assert labels_of(db, "killer") == expected
    assert integrity(db) == "ok"

    # Round 2, same database: go to the next unlabelled sentence, send a burst of keys and
    # kill as soon as the screen shows any of them. Everything shown must be stored, in order.
    term = launch("reader-kill-2", db, "killer", tmp_path)
    try:
        term.wait_for(r"sentence \d+/")
        term.send("n")
        term.wait_for(status_pattern(9, total, counts))
        burst = [rng.choice("123") for _ in range(10)]
        subprocess.run(["tmux", "send-keys", "-t", term.name, *burst], check=True)
        shown = int(wait_until(term, rf"· (\d+)/{total} labelled", lambda m: int(m.group(1)) > 8).group(1)) - 8
        kill_reader(term)
    finally:
        term.close()
    stored = labels_of(db, "killer")
    after = [stored.get(8 + i) for i in range(len(burst))]
    landed = len([label for label in after if label])
    assert landed >= shown >= 1
    assert after[:landed] == [LABELS[k] for k in burst[:landed]] and not any(after[landed:])
    assert {i: stored[i] for i in range(8)} == expected
    assert integrity(db) == "ok"
    export = run_reader("export", "--db", str(db))
    assert export.returncode == 0 and len(export.stdout.splitlines()) == 8 + landed


# --- (c) kill -9 during an import --------------------------------------------------------------


def write_articles(folder: Path, count: int) -> None:
    rng = random.Random(11)
    places = ["Calvera", "Tessaly", "Brennmoor", "Marisca", "Ostrava", "Lindau"]
    people = ["Ana Ferro", "John Okafor", "Mei Lin", "Rahul Desai", "Sara Holm"]
    folder.mkdir()
    for n in range(count):
        paragraphs = [f"Council note {n} from {rng.choice(places)}"]
        for _ in range(4):
            paragraphs.append(" ".join(
                f"{rng.choice(people)} said on {rng.choice(['Monday', 'Friday'])} that {rng.choice(places)} would "
                f"publish report {rng.randint(1, 999)} by March. Officials agreed to review it."
                for _ in range(3)
            ))
        (folder / f"note-{n:03d}.txt").write_text("\n\n".join(paragraphs) + "\n")


def article_count(db: Path) -> int:
    if not db.exists():
        return 0
    conn = connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet
    finally:
        conn.close()


def import_and_kill(folder: Path, db: Path, at_least: int) -> int:
    """Start `reader import`, kill -9 it once at least this many articles are in; return how many were."""
    proc = subprocess.Popen([sys.executable, "-m", "reader", "import", str(folder), "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while article_count(db) < at_least:
        assert proc.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return article_count(db)


def assert_every_article_whole(db: Path) -> int:
    """No article without all its sentences (they cover every non-space character of its
    text), no sentence or entity without its article, no article left unparsed."""
    assert integrity(db) == "ok"
    conn = connect(db)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT count(*) FROM articles WHERE model IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM entities e WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = e.article_id)").fetchone()[0] == 0
        articles = conn.execute("SELECT id, text FROM articles").fetchall()
        for article_id, text in articles:
            covered = [ch.isspace() for ch in text]
            for start, end in conn.execute('SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)):
                covered[start:end] = [True] * (end - start)
            assert all(covered), f"article {article_id} is missing sentences"
            assert conn.execute("SELECT count(*) FROM entities WHERE article_id = ?", (article_id,)).fetchone()[0] > 0
        return len(articles)
    finally:
        conn.close()


def test_kill_9_during_import_leaves_no_half_article(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    total = 60
    write_articles(folder, total)
    db = tmp_path / "killed.db"
    killed_at = import_and_kill(folder, db, at_least=3)
    assert 3 <= killed_at < total
    assert assert_every_article_whole(db) == killed_at
    done = run_reader("import", str(folder), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"{total - killed_at} imported, {killed_at} already there"
    assert assert_every_article_whole(db) == total


# --- (d) two terminals, two annotators, one database ------------------------------------------


@needs_tmux
@pytest.mark.tmux
def test_two_readers_label_one_database_at_once(tmp_path: Path) -> None:
    db = parsed_samples(tmp_path)
    stop = tmp_path / "stop"
    # a third process writing all the while, so the two readers really do meet a held lock
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(stop)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rng = random.Random(4)
    terms = {name: launch(f"reader-{name}", db, name, tmp_path) for name in ("asha", "ben")}
    expected: dict[str, dict[int, str]] = {name: {} for name in terms}
    counts = {name: dict.fromkeys(LABELS.values(), 0) for name in terms}
    try:
        total = {name: int(t.wait_for(r"sentence 1/(\d+)").group(1)) for name, t in terms.items()}
        for index in range(10):
            for name, term in terms.items():  # both keys go out before either screen is checked
                key = rng.choice("123")
                term.send(key)
                expected[name][index] = LABELS[key]
                counts[name][LABELS[key]] += 1
            for name, term in terms.items():
                term.wait_for(status_pattern(index + 2, total[name], counts[name]))
                screen = term.screen().lower()
                assert "locked" not in screen and "not saved" not in screen, screen
        for term in terms.values():
            term.send("q")
            term.wait_for(r"\d+ articles ·")
    finally:
        stop.touch()
        writer.communicate(timeout=60)
        for term in terms.values():
            term.close()
    assert writer.returncode == 0
    for name in terms:
        assert labels_of(db, name) == expected[name]
    assert integrity(db) == "ok"
