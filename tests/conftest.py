"""Shared pytest fixtures."""

from __future__ import annotations

# =============================================================================================
# Core / CLI fixtures (ingest, store, export tests): run the real CLI, serve HTTP locally.
# =============================================================================================

import atexit
import functools
import hashlib
import http.server
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# OpenBLAS's own threads (one per core by default) spin while they wait for work: the L-BFGS of
# `reader train` makes thousands of small BLAS calls, and with a second thread per call a
# training took three times as long (59 s against 19 s, the same model to the last digit) on
# the two cores CI has. Set before numpy is first imported, so this process and every reader it
# starts (they inherit the environment) run BLAS on one thread; nothing else changes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# pytest imports readline (capture's readline workaround), and GNU readline puts COLUMNS=80 and
# LINES=24 into the process's environment. pytest-xdist's workers are started with them in
# os.environ, so a reader started in a 130-column tmux window laid itself out at 80 columns
# (Textual takes COLUMNS/LINES before the terminal's own size) and never followed a resize.
# The terminal's size is the terminal's to say.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

# tmux: a server of this process's own. A tmux server gives every session the environment of
# the process that started the server, so on the one default server a session of one pytest-xdist
# worker would run with the environment of another worker (or of anything else on the machine
# using tmux). Each process (each worker, or one plain pytest) gets a socket folder of its own;
# $TMUX, set when pytest runs inside tmux, would send the commands to the user's server instead.
os.environ["TMUX_TMPDIR"] = tempfile.mkdtemp(prefix="reader-tmux-")
atexit.register(shutil.rmtree, os.environ["TMUX_TMPDIR"], ignore_errors=True)
os.environ.pop("TMUX", None)
os.environ.pop("TMUX_PANE", None)

# Environment variables that would change what the CLI does (or route 127.0.0.1 via a proxy).
_CLI_ENV_DROP = ("READER_DB", "READER_MODEL", "READER_MAX_BYTES", "READER_ANNOTATOR", "READER_LABELS", "READER_CONFIG")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLI_ENV_DROP and "proxy" not in k.lower()}
    env["PYTHONIOENCODING"] = "utf-8"
    env["XDG_STATE_HOME"] = _empty_state()  # a theme saved on this machine never reaches a test
    env.update(extra)
    return env


@functools.cache
def _empty_state() -> str:
    return tempfile.mkdtemp(prefix="reader-state-")


@functools.cache
def file_modes_bind() -> list[str] | None:
    """A command prefix under which file modes bind a process, as they do any user's.

    Root ignores them (CAP_DAC_OVERRIDE), so a mode-000 file or a mode-444 database would test
    nothing; as root the command runs under setpriv without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH instead (still root, still able to read root's own files). [] when not
    root; None when that cannot be arranged here.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "mode-000"
        probe.write_text("secret")
        probe.chmod(0)
        try:
            proc = subprocess.run([*prefix, "cat", str(probe)], capture_output=True, timeout=30)
        except OSError:
            return None
    return prefix if proc.returncode != 0 and b"secret" not in proc.stdout else None


def run_reader(
    *args: str | bytes | os.PathLike,
    input: bytes | str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    prefix: list[str] | tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """Run `python -m reader ARGS` in a subprocess; stdout and stderr come back as text.

    `prefix` goes before the interpreter, e.g. file_modes_bind().
    """
    if isinstance(input, str):
        input = input.encode("utf-8")
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "reader", *args],
        input=input if input is not None else b"",
        capture_output=True,
        env=env if env is not None else cli_env(),
        cwd=cwd,
        timeout=timeout,
    )
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    return proc


def stored_articles(db: Path) -> dict[str, dict]:
    """Every stored article keyed by source, read straight from the SQLite file."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM articles").fetchall()
        out = {}
        for row in rows:
            record = dict(row)
            record["sentences"] = [
                record["text"][s:e]
                for s, e in conn.execute('SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (row["id"],))
            ]
            out[row["source"]] = record
        return out
    finally:
        conn.close()


def dump_database(db: Path) -> dict[str, list[dict]]:
    """Every row of every table (full-text index and sqlite_sequence included), sorted.

    Equal dumps mean equal content, whatever SQLite did to the file's pages (a checkpoint
    rewrites them without changing a row).
    """
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted((dict(r) for r in conn.execute(f'SELECT * FROM "{t}"')), key=repr) for t in tables}
    finally:
        conn.close()


# --- a local HTTP server on 127.0.0.1 -------------------------------------------------------

ARTICLE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Council approves new budget</title>
<meta name="author" content="Jane Smith">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-03-05">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World desk</a></nav>
<article><h1>Council approves new budget</h1>
<p>The city council approved a new budget on Tuesday after a long debate about school funding and road repairs.</p>
<p>The mayor said the plan would hire forty teachers and repair twelve bridges before the end of next year.</p>
</article>
<footer>Copyright Example News. All rights reserved.</footer>
</body></html>
"""
PLAIN_TEXT = "Plain words served over HTTP. The second sentence follows.\n"
CHAIN_END_TEXT = "The end of the redirect chain was reached. It holds text.\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, ctype: str, body: bytes, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _raw(self, data: bytes) -> None:
        self.close_connection = True
        self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        path = self.path
        if path == "/article.html":
            self._send(200, "text/html; charset=utf-8", ARTICLE_HTML.encode())
        elif path == "/plain.txt":
            self._send(200, "text/plain; charset=utf-8", PLAIN_TEXT.encode())
        elif path.startswith("/text/"):
            # /text/<anything>: serve the text stored under that key by the test
            body = self.server.texts.get(path[len("/text/"):])  # type: ignore[attr-defined]
            if body is None:
                self._send(404, "text/plain", b"not found")
            else:
                ctype, data = body
                self._send(200, ctype, data)
        elif path == "/loop":
            self._send(302, "text/plain", b"", (("Location", "/loop"),))
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            if left > 0:
                self._send(302, "text/plain", b"", (("Location", f"/chain/{left - 1}"),))
            else:
                self._send(200, "text/plain; charset=utf-8", CHAIN_END_TEXT.encode())
        elif path == "/slow":
            time.sleep(2.5)
            self._send(200, "text/plain", b"Too late to matter. Really.\n")
        elif path == "/trickle":
            # headers at once, then a word every 0.2 s for 6 s: each wait is short, the total is not
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for _ in range(30):
                    self.wfile.write(b"word ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif path == "/big":
            self._send(200, "text/plain", b"Big text. " * 500)
        elif path == "/big-no-length":
            self._raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + b"Big text. " * 500)
        elif path == "/short":
            self._raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2000\r\n\r\nOnly the start of it. The rest never came.")
        elif path == "/garbage":
            self._raw(b"this is not an HTTP response at all\r\n\r\n")
        elif path == "/pdf":
            self._send(200, "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
        elif path == "/to-file":
            self._send(302, "text/plain", b"", (("Location", "file:///etc/passwd"),))
        elif path == "/to-ftp":
            self._send(302, "text/plain", b"", (("Location", "ftp://127.0.0.1/article.txt"),))
        else:
            self._send(404, "text/plain", b"no such page")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up on /trickle or /slow is expected


class LocalServer:
    def __init__(self, server: _Server) -> None:
        self.server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve_text(self, key: str, data: bytes, ctype: str = "text/plain; charset=utf-8") -> str:
        self.server.texts[key] = (ctype, data)  # type: ignore[attr-defined]
        return self.url(f"/text/{key}")


@pytest.fixture(scope="session")
def http_server() -> Iterator[LocalServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.texts = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalServer(server)
    finally:
        server.shutdown()
        server.server_close()


# --- the parsed sample articles (UI, suggestions, tracker tests) ------------------------------


@pytest.fixture(autouse=True)
def _refine_only_when_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The UI's background refinement (the sentence encoder, reader.refine) changes the
    suggestions a few seconds into a session and costs a process per app: UI tests in this
    process that are not about it keep the suggestions the import stored. Tests marked `refine`
    run it, as does every reader started as a process of its own (tmux, serve)."""
    if request.node.get_closest_marker("refine") is None:
        from reader.tui.app import ReaderApp

        monkeypatch.setattr(ReaderApp, "refining", False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database of the parsed sample articles, a fresh copy for each test."""
    from tests.uihelp import parsed_samples

    return parsed_samples(tmp_path)


@pytest.fixture
def india(db: Path) -> str:
    """The id of the India-Canada sample article in `db`."""
    from tests.uihelp import INDIA, article_id_of

    return article_id_of(db, INDIA)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The parsed samples labelled with one annotator's consistent habit (claims called
    background and background claims), then `reader train --json -o pipeline` run on them once
    for the whole session: a training takes seconds that several tests need only the result of.
    {"proc": the finished train, "db": its database (the kept model in the folder beside it),
    "pipeline": the folder -o wrote}. Read it only; `trained_copy` gives a copy to change."""
    from tests.test_suggestions_app import label_like_the_cold_start
    from tests.uihelp import parsed_samples

    folder = tmp_path_factory.mktemp("trained")
    db = parsed_samples(folder)
    label_like_the_cold_start(db, swap=True)
    proc = run_reader("train", "--db", str(db), "--json", "-o", str(folder / "pipeline"), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {"proc": proc, "db": db, "pipeline": folder / "pipeline"}


def trained_copy(trained: dict, folder: Path) -> Path:
    """A copy of the `trained` database (closed: its train has ended) with its models folder."""
    db = folder / trained["db"].name
    shutil.copy(trained["db"], db)
    models = trained["db"].with_name(trained["db"].name + ".models")
    shutil.copytree(models, db.with_name(db.name + ".models"))
    return db


# =============================================================================================
# End of core / CLI fixtures.
# =============================================================================================


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """The sample articles imported and parsed into a fresh library database."""
    from tests.uihelp import parsed_samples

    folder = tmp_path / "library"
    folder.mkdir()
    return parsed_samples(folder)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(proc, code: int, needle: str) -> str:
    """Assert a command failed with `code` and exactly one `reader: ...` line holding `needle`."""
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def nlp():
    """reader's spaCy pipeline, loaded once per test module (skips where the model is missing);
    a module may define its own."""
    from reader import nlp as reader_nlp

    try:
        return reader_nlp.load()
    except reader_nlp.ModelUnavailable as exc:
        pytest.skip(str(exc))


# =============================================================================================
# Running in parallel (`make test`: pytest -n auto --dist loadgroup).
# =============================================================================================


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: one worker more than the cores this process may use. Most tests spend much of
    their time waiting (on a subprocess starting, a terminal, a browser, a background job), and
    a third worker on CI's two cores fills those waits: the suite took 478 s with three workers
    against 627 s with two. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own hook reads it
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores + 1


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the tests that share a costly fixture on one pytest-xdist worker.

    Every worker builds its own session- and module-scoped fixtures, so tests spread over two
    workers would build them twice: `trained` (a whole `reader train`) and the module-scoped
    fixtures a test module defines for itself (a corpus imported, a batch run through the
    CLI, Dask's plain import). With `--dist loadgroup` each such set is one unit of work, handed
    out first; every other test goes to whichever worker is free. Without xdist the marks do
    nothing.
    """
    for item in items:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        if "trained" in defs:
            item.add_marker(pytest.mark.xdist_group("trained"))
            continue
        module = item.nodeid.split("::", 1)[0]
        if any(d.scope == "module" and d.baseid == module for chain in defs.values() for d in chain):
            item.add_marker(pytest.mark.xdist_group(module))
