"""Parsing on a Dask cluster (`reader import --workers N / --scheduler ADDRESS`, `reader suggest`)
against a plain import, with a real LocalCluster of worker processes and the real spaCy model:
the same rows, whatever is killed on the way; and one line for a cluster that does not answer.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import cli_env, dump_database, run_reader

SAMPLES = Path(__file__).resolve().parents[1] / "sample_articles"

# Short articles in our own words: a pledge, a claim, background, a date to resolve.
SHORT = {
    "harbour.txt": (
        "Harbour board promises new ferry pier\n\n"
        "LINDAU, 3 March 2025 - The harbour board will build a second ferry pier by next summer, its chair said on Monday.\n\n"
        "The board agreed to spend four million euros on the work. Fishermen warned that the dredging could harm the spawning grounds."
    ),
    "library.txt": (
        "Town library to stay open on Sundays\n\n"
        "The town council voted on Tuesday to keep the central library open on Sundays until the end of the year.\n\n"
        "The library was built in 1962 and lends about forty thousand books a year. Its director said the change would bring in students."
    ),
    "rail.txt": (
        "Rail operator denies timetable cuts\n\n"
        "Northline Rail denied on Friday that it plans to cut evening trains to the coast.\n\n"
        "A union spokesman claimed the operator had already told drivers about the cuts. The company pledged to publish the new timetable in April."
    ),
    "clinic.txt": (
        "Clinic opens walk-in hours\n\n"
        "The Riverside Clinic opened walk-in hours for children last week.\n\n"
        "Parents had asked for them since the winter. The health minister said the government would fund two more clinics in the region."
    ),
}
EXPORTS = (
    ("--unit", "article"),
    ("--all", "--suggestions"),
    ("--format", "commitments"),
)
CLUSTER_ENV = {"DASK_LOGGING__DISTRIBUTED": "error"}


def corpus(folder: Path) -> list[str]:
    """Two of the sample articles and the short ones, as paths in a fixed order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SHORT.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return [str(SAMPLES / "calvera-port-lng-dispute.txt"), *(str(folder / n) for n in SHORT), str(SAMPLES / "brennmoor-measles-campaign.txt")]


def exports(db: Path, out: Path) -> list[bytes]:
    """The bytes of every export that holds what an import wrote."""
    found = []
    for n, options in enumerate(EXPORTS):
        path = out / f"{db.stem}-{n}.jsonl"
        proc = run_reader("export", "--db", str(db), *options, "-o", str(path))
        assert proc.returncode == 0, proc.stderr
        found.append(path.read_bytes())
    return found


def rows(db: Path) -> tuple[list[str], dict]:
    """The articles in the order they were written, and every row of every table except the
    times they were written at."""
    conn = sqlite3.connect(db)
    try:
        order = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY imported_at, rowid")]
    finally:
        conn.close()
    dump = dump_database(db)
    for table in dump.values():
        for row in table:
            row.pop("imported_at", None)
            row.pop("updated", None)
    return order, dump


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The corpus imported the plain way, once for every test here."""
    work = tmp_path_factory.mktemp("plain")
    targets = corpus(work / "corpus")
    db = work / "plain.db"
    proc = run_reader("import", "--db", str(db), *targets)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1] == f"{len(targets)} imported, 0 already there"
    # what a plain import says besides (a suggestion model that cannot be read): a cluster says it once too
    notes = proc.stderr.splitlines()[:-1]
    stored = rows(db)  # as import left it: an export with --suggestions refines them first
    return {"targets": targets, "db": db, "exports": exports(db, work), "rows": stored, "refined": rows(db), "notes": notes}


def said(stderr: str, plain: dict) -> list[str]:
    """stderr's lines without the notes a plain import gives too, each of them said once."""
    lines = stderr.splitlines()
    for note in plain["notes"]:
        assert lines.count(note) == 1, stderr
        lines.remove(note)
    return lines


def article_count(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM articles WHERE model IS NOT NULL").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_workers_import_exports_byte_identical_to_a_plain_import(plain: dict, tmp_path: Path) -> None:
    db = tmp_path / "workers.db"
    proc = run_reader("import", "--db", str(db), "--workers", "2", "--batch", "1", *plain["targets"], env=cli_env(**CLUSTER_ENV))
    assert proc.returncode == 0, proc.stderr
    lines = said(proc.stderr, plain)
    assert lines[-1] == f"{len(plain['targets'])} imported, 0 already there"
    assert lines[-2].startswith(f"parsed {len(plain['targets'])} articles on 2 workers, ")
    assert len(lines) == 2, proc.stderr
    assert rows(db) == plain["rows"]
    assert exports(db, tmp_path) == plain["exports"]
    assert rows(db) == plain["refined"]

    again = run_reader("import", "--db", str(db), "--workers", "2", *plain["targets"], env=cli_env(**CLUSTER_ENV))
    assert again.returncode == 0, again.stderr
    # nothing new: no cluster is started, nothing is written twice
    assert again.stderr.splitlines() == [f"0 imported, {len(plain['targets'])} already there"]
    assert rows(db) == plain["refined"]


def test_a_worker_killed_mid_import_loses_nothing(plain: dict, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    db = tmp_path / "killed-worker.db"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reader", "import", "--db", str(db), "--scheduler", cluster.scheduler_address, "--batch", "1",
             *plain["targets"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(**CLUSTER_ENV),
        )
        try:
            killed = None
            deadline = time.monotonic() + 120
            while killed is None:
                assert proc.poll() is None, "the import ended before a worker could be killed"
                assert time.monotonic() < deadline
                busy = [w for w, keys in client.processing().items() if any("reader-parse" in str(k) for k in keys)]
                if busy and article_count(db) >= 1:
                    pids = client.run(os.getpid, workers=[busy[0]])
                    killed = pids[busy[0]]
                    os.kill(killed, signal.SIGKILL)
                time.sleep(0.02)
            _, err = proc.communicate(timeout=180)
        finally:
            if proc.poll() is None:
                proc.kill()
        # the nanny restarted it under a new process id; the import went on
        client.wait_for_workers(2, timeout=120)
        assert killed not in client.run(os.getpid).values()
        # every worker, the restarted one too, holds the one pipeline it loaded itself
        loaded = client.run(lambda: [type(v).__name__ for v in __import__("reader.cluster_work").cluster_work._pipelines.values()])
        assert list(loaded.values()) == [["English"], ["English"]]
    err = err.decode()
    assert proc.returncode == 0, err
    # Dask's own notes on the lost worker stay out of the user's way
    lines = said(err, plain)
    assert lines[-2].startswith(f"parsed {len(plain['targets'])} articles on 2 workers, ")
    assert lines[-1] == f"{len(plain['targets'])} imported, 0 already there"
    assert len(lines) == 2, err
    assert rows(db) == plain["rows"]
    assert exports(db, tmp_path) == plain["exports"]


def test_a_client_killed_mid_import_and_run_again_gives_the_clean_database(plain: dict, tmp_path: Path) -> None:
    db = tmp_path / "killed-client.db"
    command = [sys.executable, "-m", "reader", "import", "--db", str(db), "--workers", "2", "--batch", "1", *plain["targets"]]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(**CLUSTER_ENV),
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while article_count(db) < 1:
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the client and the cluster it started, at once
        proc.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    written = article_count(db)
    assert 1 <= written < len(plain["targets"])

    again = run_reader("import", "--db", str(db), "--workers", "2", "--batch", "1", *plain["targets"], env=cli_env(**CLUSTER_ENV))
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[-1] == f"{len(plain['targets']) - written} imported, {written} already there"
    assert rows(db) == plain["rows"]
    assert exports(db, tmp_path) == plain["exports"]


def test_ctrl_c_mid_import_is_one_line_and_the_rerun_completes_it(plain: dict, tmp_path: Path) -> None:
    db = tmp_path / "interrupted.db"
    command = [sys.executable, "-m", "reader", "import", "--db", str(db), "--workers", "2", "--batch", "1", *plain["targets"]]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cli_env(**CLUSTER_ENV),
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while article_count(db) < 1:
            assert proc.poll() is None, "the import ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends ctrl+c: to every process of the group
        _, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    # no worker's traceback (click adds a blank line first)
    assert [line for line in said(err.decode(), plain) if line] == ["reader: interrupted"]
    written = article_count(db)
    again = run_reader("import", "--db", str(db), "--workers", "2", *plain["targets"], env=cli_env(**CLUSTER_ENV))
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[-1] == f"{len(plain['targets']) - written} imported, {written} already there"
    assert rows(db) == plain["rows"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_2(plain: dict, tmp_path: Path, kind: str) -> None:
    listener = None
    if kind == "silent":  # accepts the connection and never says a word
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
    else:
        port = _closed_port()
    db = tmp_path / "nowhere.db"
    try:
        proc = run_reader("import", "--db", str(db), "--scheduler", f"tcp://127.0.0.1:{port}", *plain["targets"][:2],
                          env=cli_env(DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s", **CLUSTER_ENV))
    finally:
        if listener is not None:
            listener.close()
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith(f"reader: no Dask scheduler answers at tcp://127.0.0.1:{port} (")
    assert article_count(db) == 0


def test_a_malformed_scheduler_address_is_one_line_and_exit_2(plain: dict, tmp_path: Path) -> None:
    proc = run_reader("suggest", "--scheduler", "nowhere:::", "-o", str(tmp_path / "out.jsonl"), plain["targets"][0],
                      env=cli_env(**CLUSTER_ENV), timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["reader: not a Dask scheduler address: nowhere::: (invalid address 'nowhere:::'; maybe: ipv6 needs brackets like [::1])"]
    assert not (tmp_path / "out.jsonl").exists()


def test_suggest_on_workers_writes_what_the_import_stored(plain: dict, tmp_path: Path) -> None:
    here, there, table = tmp_path / "here.jsonl", tmp_path / "there.jsonl", tmp_path / "there.parquet"
    proc = run_reader("suggest", *plain["targets"], "-o", str(here))
    assert proc.returncode == 0, proc.stderr
    proc = run_reader("suggest", *plain["targets"], "--workers", "2", "-o", str(there), env=cli_env(**CLUSTER_ENV))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(f"{here.read_text().count(chr(10))} sentences of {len(plain['targets'])} articles written to ")
    assert here.read_bytes() == there.read_bytes()

    # every sentence the import stored, with the suggestion it stored, in the same order
    records = [json.loads(line) for line in here.read_text().splitlines()]
    stored = [json.loads(line) for line in plain["exports"][1].decode().splitlines()]
    assert [(r["article_id"], r["sentence_index"], r["text"], r["suggestion"], r["score"]) for r in records] == [
        (s["article_id"], s["sentence_index"], s["text"], s["suggestion"]["label"], s["suggestion"]["score"]) for s in stored
    ]
    # the commitment slots are the register's
    register = [json.loads(line) for line in plain["exports"][2].decode().splitlines()]
    slots = {(r["article_id"], r["sentence_index"]): r["commitment"] for r in records if r["commitment"]}
    assert slots and {(c["article_id"], c["sentence_index"]) for c in register} == set(slots)
    for c in register:
        found = slots[(c["article_id"], c["sentence_index"])]
        assert (found["actor"], found["action"], found["when"], found["when_iso"]) == (c["actor"], c["action"], c["when"], c["when_iso"])

    # Parquet holds the same records
    import pandas as pd

    proc = run_reader("suggest", *plain["targets"], "-o", str(table))
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_parquet(table)
    assert list(frame.columns) == list(records[0])
    assert frame["text"].tolist() == [r["text"] for r in records]
    assert frame["suggestion"].tolist() == [r["suggestion"] for r in records]
    assert [dict(s) for s in frame["scores"]] == [r["scores"] for r in records]


def test_the_progress_total_counts_articles_not_files(tmp_path: Path) -> None:
    from reader.ingest.count import count_articles

    folder = tmp_path / "archive"
    (folder / "deeper").mkdir(parents=True)
    (folder / "one.txt").write_text("A short article.\n")
    (folder / "deeper" / "two.md").write_text("# Two\n\nAnother one.\n")
    (folder / "picture.png").write_bytes(b"\x89PNG")  # skipped: no article
    (folder / ".hidden.txt").write_text("Not read.\n")
    (folder / "lines.jsonl").write_text('{"text": "First."}\n\n{"text": "Second."}\n{"text": "Third."}\n')
    # one of reader's own exports: one line per sentence, two articles
    (folder / "export.jsonl").write_text("".join(
        json.dumps({"text": f"Sentence {n}.", "article_id": article, "sentence_index": n}) + "\n"
        for article in ("aaaa", "bbbb") for n in range(3)
    ))
    assert count_articles([str(folder)]) == 1 + 1 + 3 + 2
    assert count_articles([str(folder / "one.txt"), "-", "https://example.org/story"]) == 3


def test_workers_without_the_pipeline_are_one_line_and_exit_2(plain: dict, tmp_path: Path) -> None:
    db = tmp_path / "no-model.db"
    proc = run_reader("import", "--db", str(db), "--workers", "1", "--model", "no_such_pipeline", plain["targets"][0],
                      env=cli_env(**CLUSTER_ENV))
    assert proc.returncode == 2
    assert re.fullmatch(r"reader: the Dask worker at tcp://127\.0\.0\.1:\d+ has no spaCy pipeline: spaCy model 'no_such_pipeline' is not installed: .*\n",
                        proc.stderr), proc.stderr
    assert article_count(db) == 0


@pytest.mark.parametrize(("options", "message"), [
    (("--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"), "--workers starts a local cluster and --scheduler uses another: give one of them"),
    (("--batch", "4"), "--batch goes with --workers or --scheduler"),
    (("--workers", "2", "--jobs", "2"), "--jobs parses in processes of this machine; with a cluster use --workers"),
])
def test_cluster_options_that_do_not_go_together_are_one_line_and_exit_2(tmp_path: Path, options: tuple[str, ...], message: str) -> None:
    db = tmp_path / "usage.db"
    for command in (("import", "--db", str(db)), ("suggest", "-o", str(tmp_path / "out.jsonl"))):
        proc = run_reader(*command, *options, str(SAMPLES / "calvera-port-lng-dispute.txt"))
        assert proc.returncode == 2
        assert proc.stderr == f"reader: {message}\n"
    assert not db.exists() and not (tmp_path / "out.jsonl").exists()


class Terminal:
    """A real terminal: one tmux server of the test's own (a private socket), one command."""

    def __init__(self, command: str, width: int = 150, height: int = 20) -> None:
        self.socket = f"reader-cluster-{os.getpid()}"
        self._tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height), command)

    def _tmux(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False,
                              env={**os.environ, "TERM": "xterm-256color"})

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "main").stdout

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.screen())
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never appeared; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        self._tmux("kill-server")


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_a_terminal_shows_articles_per_second_and_time_left(plain: dict, tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in CLUSTER_ENV.items())
    command = shlex.join([sys.executable, "-m", "reader", "import", "--db", str(db), "--workers", "1", "--batch", "1", *plain["targets"]])
    term = Terminal(f"env {env} {command} > /dev/null; echo exit-$?; sleep 60")
    try:
        total = len(plain["targets"])
        bar = term.wait_for(rf"importing .* (\d)/{total} (\d+\.\d|…) articles/s (-:--:--|\d+:\d\d:\d\d) \d+:\d\d:\d\d", timeout=120)
        assert int(bar.group(1)) < total
        term.wait_for(r"exit-0", timeout=180)
        screen = term.screen()
        assert f"{total} imported, 0 already there" in screen
        assert "articles/s" not in screen.split("parsed ")[0]  # the bar is gone once the import ends
    finally:
        term.close()


def test_suggest_says_it_applies_the_shipped_models_labels_not_a_label_set_of_ones_own(tmp_path: Path) -> None:
    """With labels of one's own in force (config.toml, READER_LABELS, `reader --labels`), `reader
    suggest` wrote commitment, claim and background without a word: it now says so, once."""
    out, article = tmp_path / "out.jsonl", str(SAMPLES / "calvera-port-lng-dispute.txt")
    proc = run_reader("suggest", article, "-o", str(out), env=cli_env(READER_LABELS="promise,threat,other"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == (
        "reader: note: reader suggest applies the shipped model, whose labels are commitment,claim,background, "
        "not your label set (promise,threat,other): the suggestions of a model `reader train` kept for yours are "
        "in the reader, and `reader export --suggestions` writes them")
    assert {json.loads(line)["suggestion"] for line in out.read_text().splitlines()} <= {"commitment", "claim", "background"}
    again = run_reader("suggest", article, "-o", str(tmp_path / "plain.jsonl"))
    assert again.returncode == 0 and "note" not in again.stderr, again.stderr


def test_a_lost_wait_in_distributed_is_waited_again_not_a_failed_batch() -> None:
    """A CI run met dask/distributed#8514 once: `future.result(timeout=...)` raised
    UnboundLocalError in the client when a short wait was cancelled in a race, and the import
    said "a worker failed on the batch" of a batch still being parsed. The race cannot be
    brought about on purpose, so a stand-in for the future plays it: the first wait loses its
    outcome, the next one has the parses. A task that really failed still fails the import."""
    from reader.cluster import ClusterError, _Interrupts, _result
    from reader.model import Article

    class Raced:
        def __init__(self, status: str) -> None:
            self.status, self.calls = status, 0

        def result(self, timeout: float) -> list:
            self.calls += 1
            if self.calls == 1 or self.status == "error":
                raise UnboundLocalError("cannot access local variable 'result' where it is not associated with a value")
            return ["parsed"]

        def exception(self) -> BaseException:
            return ValueError("the parse broke")

    chunk = [Article(text="x", title="t", source="a.txt")]
    assert _result(Raced("pending"), chunk, _Interrupts()) == ["parsed"]
    with pytest.raises(ClusterError, match="a worker failed on the batch that starts with a.txt: ValueError: the parse broke"):
        _result(Raced("error"), chunk, _Interrupts())
