"""The hostile corpus through the real CLI: one batch, the batch again, and each bad input alone.

`generate()` (generate.py) writes every input and says what must become of it. The batch is
imported once per module with `python -m reader import FILE...`; the tests then compare the
stderr lines and the SQLite file with those expectations. As root the importer runs without
CAP_DAC_OVERRIDE (conftest.file_modes_bind), so a mode-000 file is unreadable for it too.

The end of the file covers the other entry points with hostile values: stdin, --db, export
-o, configuration and --annotator, and a web server's reply shown in the UI.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import dump_database, file_modes_bind, run_reader
from tests.hostile.generate import Case, generate

# Stored text may hold tab and newline; no other C0, no DEL or C1, no bidi control.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PREFIX = file_modes_bind()


def usable(cases: list[Case]) -> list[Case]:
    """The cases this machine can pose: a mode-000 file means nothing to a root that ignores modes."""
    return [c for c in cases if PREFIX is not None or not c.needs_file_permissions]


def reader(*args: str | os.PathLike, **kwargs) -> object:
    return run_reader(*args, prefix=PREFIX or (), **kwargs)


def _rejected_names() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        return [c.name for c in generate(Path(folder) / "corpus") if c.rejected]


REJECTED = _rejected_names()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return usable(generate(tmp_path_factory.mktemp("hostile") / "corpus"))


@pytest.fixture(scope="module")
def batch(corpus: list[Case], tmp_path_factory: pytest.TempPathFactory) -> dict:
    db = tmp_path_factory.mktemp("hostile-db") / "hostile.db"
    targets = [str(c.path) for c in corpus]
    first = reader("import", *targets, "--db", str(db))
    after_first = dump_database(db)
    second = reader("import", *targets, "--db", str(db))
    return {"db": db, "first": first, "second": second, "dump": after_first, "dump_again": dump_database(db)}


def expected_failures(cases: list[Case]) -> dict[str, str]:
    out: dict[str, str] = {}
    for case in cases:
        out.update(case.failure_lines())
    return out


def check_failure_lines(stderr: str, cases: list[Case]) -> None:
    """Exactly one stderr line per failure, with its reason, and nothing else but the summary."""
    lines = stderr.splitlines()
    failures = expected_failures(cases)
    for prefix, reason in failures.items():
        naming = [line for line in lines if line.startswith(prefix)]
        assert len(naming) == 1, f"{prefix!r}: {naming}\n{stderr}"
        assert reason in naming[0], naming[0]
    assert len(lines) == len(failures) + 1, stderr  # + the summary line
    assert re.fullmatch(r"\d+ imported, \d+ already there(, .*)?", lines[-1]), lines[-1]


# --- the whole corpus in one batch ------------------------------------------------------------


def test_batch_exits_1_without_a_traceback(batch: dict) -> None:
    for run in (batch["first"], batch["second"]):
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr + run.stdout


def test_every_failure_is_exactly_one_stderr_line_naming_it(batch: dict, corpus: list[Case]) -> None:
    check_failure_lines(batch["first"].stderr, corpus)
    failed = len(expected_failures(corpus))
    assert batch["first"].stderr.splitlines()[-1].endswith(f", {failed} failed")


def test_every_good_case_is_stored_as_expected(batch: dict, corpus: list[Case]) -> None:
    rows = {r["source"]: r for r in batch["dump"]["articles"]}
    expected = [stored for case in corpus for stored in case.stored]
    assert sorted(rows) == sorted(s.source for s in expected)  # and nothing from a rejected case
    for want in expected:
        row = rows[want.source]
        title = row["title"] or ""
        if want.text is not None:
            assert row["text"] == want.text, want.source
        if want.title is not None:
            assert row["title"] == want.title, want.source
        if want.url is not None:
            assert row["url"] == want.url
        if want.meta is not None:
            assert json.loads(row["meta"]) == want.meta
        for piece in want.contains:
            assert piece in row["text"], (want.source, piece)
        for piece in want.absent:
            assert piece not in row["text"] and piece not in title, (want.source, piece)
        labels = [a for a in batch["dump"]["annotations"] if a["article_id"] == row["id"]]
        assert len(labels) == want.labels, want.source


def test_nothing_stored_holds_a_control_escape_or_bidi_character(batch: dict) -> None:
    checked = 0
    for table in ("articles", "sentences", "entities", "annotations", "annotation_events", "positions"):
        for row in batch["dump"][table]:
            for column, value in row.items():
                if isinstance(value, str):
                    checked += 1
                    bad = FORBIDDEN.search(value)
                    assert bad is None, (table, column, hex(ord(bad.group())), value[:80])
    assert checked > 100


def test_output_holds_no_escape_either(batch: dict) -> None:
    for run in (batch["first"], batch["second"]):
        out = run.stdout + run.stderr
        assert not FORBIDDEN.search(out.replace("\n", " ")), repr(FORBIDDEN.search(out))
        assert "pwned" not in out.lower()


def test_every_parsed_article_is_covered_by_its_sentences(batch: dict) -> None:
    """Offsets inside the text, in order, no overlaps, every non-space character in a sentence."""
    sentences: dict[str, list[dict]] = {}
    for s in batch["dump"]["sentences"]:
        sentences.setdefault(s["article_id"], []).append(s)
    for article in batch["dump"]["articles"]:
        text, spans = article["text"], sorted(sentences.get(article["id"], []), key=lambda s: s["idx"])
        assert spans, article["source"]
        covered = [False] * len(text)
        end = 0
        for s in spans:
            assert end <= s["start"] < s["end"] <= len(text) and s["text"] == text[s["start"] : s["end"]]
            covered[s["start"] : s["end"]] = [True] * (s["end"] - s["start"])
            end = s["end"]
        if article["model"] != "en_core_web_sm":  # the restored export keeps its own three sentences
            assert all(covered[i] or ch.isspace() for i, ch in enumerate(text)), article["source"]


def test_long_line_is_one_article_cut_into_sentences(batch: dict, corpus: list[Case]) -> None:
    (case,) = [c for c in corpus if c.name == "long-line.txt"]
    (row,) = [r for r in batch["dump"]["articles"] if r["source"] == case.shown]
    assert len(row["text"]) == 3 * 1024 * 1024
    assert len([s for s in batch["dump"]["sentences"] if s["article_id"] == row["id"]]) > 1


def test_second_run_adds_nothing_and_says_already_imported(batch: dict, corpus: list[Case]) -> None:
    assert batch["dump_again"] == batch["dump"]
    check_failure_lines(batch["second"].stderr, corpus)
    stdout = batch["second"].stdout.splitlines()
    assert len(stdout) == len(batch["dump"]["articles"])
    assert all(line.startswith("already imported") for line in stdout), stdout
    assert batch["second"].stderr.splitlines()[-1].startswith(f"0 imported, {len(stdout) - 1} already there, 1 restored")


# --- each rejected input alone: exit 1, one line per failure, the database as it was ----------


@pytest.fixture
def copy_of_batch_db(batch: dict, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    source = sqlite3.connect(batch["db"])
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


@pytest.mark.parametrize("name", REJECTED, ids=[n.encode("unicode_escape").decode() for n in REJECTED])
def test_each_rejected_input_alone(name: str, corpus: list[Case], copy_of_batch_db: Path) -> None:
    found = [c for c in corpus if c.name == name]
    if not found:
        pytest.skip("running as root without setpriv: file modes do not bind, a mode-000 file is readable")
    (case,) = found
    before = dump_database(copy_of_batch_db)
    proc = reader("import", str(case.path), "--db", str(copy_of_batch_db))
    assert proc.returncode == case.code == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    check_failure_lines(proc.stderr, [case])
    assert dump_database(copy_of_batch_db) == before


@pytest.mark.parametrize("how", ["option", "environment"])
def test_long_line_over_max_bytes_is_rejected(how: str, corpus: list[Case], copy_of_batch_db: Path) -> None:
    (case,) = [c for c in corpus if c.name == "long-line.txt"]
    before = dump_database(copy_of_batch_db)
    if how == "option":
        proc = reader("import", str(case.path), "--max-bytes", "1000000", "--db", str(copy_of_batch_db))
    else:
        from conftest import cli_env

        proc = reader("import", str(case.path), "--db", str(copy_of_batch_db), env=cli_env(READER_MAX_BYTES="1000000"))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"reader: {case.shown}: too large: 3,145,728 bytes (limit 1,000,000; see --max-bytes)",
        "0 imported, 0 already there, 1 failed",
    ]
    assert dump_database(copy_of_batch_db) == before


# --- other entry points with hostile values -----------------------------------------------------


def one_line_exit(proc, code: int, *needles: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)), "binary"), (b"\x1b[2J\x1b]0;title\x07\r\n\xe2\x80\xae", "empty")],
    ids=["binary", "escapes-only"],
)
def test_hostile_stdin(data: bytes, reason: str, tmp_path: Path) -> None:
    proc = run_reader("import", "-", "--db", str(tmp_path / "r.db"), input=data)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0].startswith(f"reader: <stdin>: {reason}")
    assert proc.stderr.splitlines()[1:] == ["0 imported, 0 already there, 1 failed"]


def test_db_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    # Regression: reading the header of a FIFO blocked forever.
    fifo = tmp_path / "reader.db"
    os.mkfifo(fifo)
    for args in (["list"], ["export"], ["import", "-"]):
        proc = run_reader(*args, "--db", str(fifo), timeout=30)
        one_line_exit(proc, 2, "not a regular file")


def test_export_into_a_fifo_writes_into_it(batch: dict, tmp_path: Path) -> None:
    # Regression: the export was renamed over the FIFO, which became a plain file (and a
    # reader of /dev/stdout would have had /dev/stdout replaced).
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    received: list[bytes] = []
    listener = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    listener.start()
    proc = run_reader("export", "--unit", "article", "-o", str(fifo), "--db", str(batch["db"]), timeout=60)
    if listener.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # let the listener go
    listener.join(10)
    assert proc.returncode == 0, proc.stderr
    assert fifo.is_fifo()
    assert len(received[0].splitlines()) == len(batch["dump"]["articles"])
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary file left


def test_export_through_a_symlink_writes_the_file_it_names(batch: dict, tmp_path: Path) -> None:
    # Regression: the symbolic link was replaced by the exported file.
    target = tmp_path / "datasets" / "labels.jsonl"
    target.parent.mkdir()
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    proc = run_reader("export", "--unit", "article", "-o", str(link), "--db", str(batch["db"]))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and len(target.read_text(encoding="utf-8").splitlines()) == len(batch["dump"]["articles"])


def test_export_into_a_directory_is_one_line(batch: dict, tmp_path: Path) -> None:
    one_line_exit(run_reader("export", "-o", str(tmp_path), "--db", str(batch["db"])), 2, "cannot write")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"labels = [", "not valid TOML"),
        (b"\x00\x01\xff\xfe binary", "not valid TOML"),
        (b'colour = "red"', "unknown setting"),
        (b'labels = ["[bold]x", "y"]', "may only hold"),
        (b'annotator = "\\u001b]2;PWNED\\u0007asha"', "annotator"),  # regression: reached the terminal
        (b'annotator = "a\\u202eb"', "annotator"),
    ],
    ids=["unterminated", "binary", "unknown-key", "markup-label", "osc-annotator", "bidi-annotator"],
)
def test_hostile_configuration_is_one_line(content: bytes, needle: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(content)
    proc = run_reader("open", "--config", str(config), "--db", str(tmp_path / "r.db"))
    one_line_exit(proc, 2, needle, str(config))
    assert not (tmp_path / "r.db").exists()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_annotator_with_an_escape_sequence_is_refused(how: str, tmp_path: Path) -> None:
    # Regression: `--annotator $'\e]2;PWNED\a'` set the terminal's title from the status bar.
    from conftest import cli_env

    name = "asha\x1b]2;PWNED\x07"
    config = tmp_path / "empty.toml"
    config.write_text("")
    args = ["open", "--config", str(config), "--db", str(tmp_path / "r.db")]
    if how == "option":
        proc = run_reader(*args, "--annotator", name)
    else:
        proc = run_reader(*args, env=cli_env(READER_ANNOTATOR=name))
    one_line_exit(proc, 2, "annotator name holds control characters")
    assert "\x1b" not in proc.stderr


async def test_a_web_servers_reply_never_reaches_the_screen_raw(tmp_path: Path) -> None:
    """A status line or content type with an escape sequence, imported from the library's `a`."""
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from tests.uihelp import parsed_samples

    replies = [
        b"HTTP/1.1 404 \x1b]2;PWNED\x07Gone\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/\x1b]52;c;ZXZpbA==\x07\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    ]
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        for reply in replies:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    db = parsed_samples(tmp_path)
    app = ReaderApp(Store(db), annotator="tester")
    async with app.run_test(size=(110, 36), notifications=True) as pilot:
        await pilot.pause()
        app.screen.import_in_background([f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"])
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]  # noqa: SLF001 - what the toasts show
    server.close()
    shown = "\n".join(messages)
    assert "HTTP 404" in shown and "not an article" in shown, messages
    assert not FORBIDDEN.search(shown.replace("\n", " ")), repr(shown)
    assert "PWNED" not in shown and "ZXZpbA" not in shown
