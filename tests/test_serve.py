"""`reader serve`: the app in a real headless Chromium, behind per-annotator tokens.

The server is the real CLI in a subprocess on a real database; the browser is Debian's
Chromium driven over the DevTools protocol (tests/cdp.py), pointed only at 127.0.0.1. Run
these alone with `pytest -m browser`.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from reader.serve.memory import children
from tests.cdp import Browser, chromium_path
from tests.conftest import cli_env, run_reader

needs_chromium = pytest.mark.skipif(
    chromium_path() is None,
    reason="chromium is not installed and could not be (apt-get install chromium; .ci/run and make test install it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`reader serve` running in a subprocess, with its log collected line by line."""

    def __init__(self, db: Path, home: Path, *args: str) -> None:
        self.db = db
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.env = cli_env(XDG_STATE_HOME=str(home / "state"))
        self.log: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reader", "--db", str(db), "serve", "--port", str(self.port), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env, text=True,
            start_new_session=True)  # a process group of its own, as a terminal gives: ctrl+c reaches all of it
        threading.Thread(target=self._collect, daemon=True).start()
        self.wait_log(r"reader serve: serving ")

    def _collect(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))

    def wait_log(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.log):
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None and not any(re.search(pattern, line) for line in self.log):
                raise AssertionError(f"reader serve exited with {self.proc.returncode}: {self.log}")
            time.sleep(0.1)
        raise AssertionError(f"the log never showed {pattern!r}: {self.log}")

    def reader(self, *args: str) -> subprocess.CompletedProcess:
        return run_reader("--db", str(self.db), "serve", "--port", str(self.port), *args, env=self.env)

    def link(self, name: str, *extra: str) -> str:
        made = self.reader("--add-annotator", name, *extra)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    def sessions(self) -> list[int]:
        """The app processes running under the server (and anything they started)."""
        return children(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def serve(db: Path, tmp_path: Path) -> Iterator:
    started: list[Served] = []

    def start(*args: str) -> Served:
        server = Served(db, tmp_path, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
async def browsers(tmp_path: Path):
    opened: list[Browser] = []

    async def open_one() -> Browser:
        profile = tmp_path / f"profile-{len(opened)}"
        profile.mkdir()
        b = Browser(profile)
        opened.append(b)
        return await b.start()

    yield open_one
    for b in opened:
        await b.close()


def labels(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT annotator, label FROM annotations ORDER BY annotator, article_id, sentence_index").fetchall()
    finally:
        conn.close()


def wait_until(check, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


LIBRARY = r"\d+ articles · .* labelled by "
ARTICLE = r"next unlabelled"


async def open_first_article(b: Browser, link: str) -> None:
    await b.open(link)
    await b.wait_for_screen(LIBRARY)
    await b.press("enter")
    await b.wait_for_screen(ARTICLE)


# --- tokens, without a browser ----------------------------------------------------------------


def test_add_annotator_prints_a_link_and_keeps_only_a_hash(db: Path) -> None:
    made = run_reader("--db", str(db), "serve", "--port", "8123", "--add-annotator", "asha")
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8123/\?token=[A-Za-z0-9_-]{40,}", link)
    token = link.split("token=", 1)[1]
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT annotator, token_hash, reviewer FROM serve_tokens").fetchall()
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert rows == [("asha", hashlib.sha256(token.encode()).hexdigest(), 0)]
    assert token not in dump
    again = run_reader("--db", str(db), "serve", "--add-annotator", "asha", "--reviewer").stdout.strip()
    assert again.split("token=", 1)[1] != token


def test_revoking_a_name_without_a_token_is_one_line_and_exit_2(db: Path) -> None:
    done = run_reader("--db", str(db), "serve", "--revoke", "nobody")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "holds no token" in done.stderr


def test_a_public_address_with_no_tokens_is_refused(db: Path) -> None:
    port = free_port()
    done = run_reader("--db", str(db), "serve", "--host", "0.0.0.0", "--port", str(port), timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "no annotator has a token" in done.stderr
    with socket.socket() as s:
        s.bind(("0.0.0.0", port))  # nothing was left listening


def test_a_version_2_database_gains_the_token_table_and_keeps_its_labels(tmp_path: Path) -> None:
    import shutil

    from reader.store import SCHEMA_VERSION, Store
    from reader.store.schema import MIGRATIONS

    db = tmp_path / "v2.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "v1.db", db)
    conn = sqlite3.connect(db)
    for statement in MIGRATIONS[1]:  # what the reader of schema 2 did to it
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    before = conn.execute("SELECT * FROM annotations ORDER BY 1, 2, 3").fetchall()
    events = conn.execute("SELECT * FROM annotation_events ORDER BY id").fetchall()
    conn.close()
    with Store(db) as store:
        assert store.token_holders() == []
        store.set_token("asha", "0" * 64)
        assert store.token_owner("0" * 64) == ("asha", False)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
    assert conn.execute("SELECT * FROM annotations ORDER BY 1, 2, 3").fetchall() == before
    assert conn.execute("SELECT * FROM annotation_events ORDER BY id").fetchall() == events
    conn.close()


def test_reviewer_without_add_annotator_is_a_usage_error(db: Path) -> None:
    done = run_reader("--db", str(db), "serve", "--reviewer")
    assert done.returncode == 2 and "--add-annotator" in done.stderr


# --- in a real browser --------------------------------------------------------------------------


async def test_ctrl_c_stops_the_server_cleanly_with_exit_130_and_its_sessions_with_it(serve) -> None:
    """ctrl+c on `reader serve` exited 0 with nothing in the log, unlike every other command,
    which exits 130 when interrupted (the README's exit codes). ctrl+c in its terminal
    (SIGINT to the whole process group, the session's app included) now ends every session,
    logs the stop in one line, leaves no traceback and no session process, and exits 130."""
    server = serve()
    token = server.link("asha").split("token=", 1)[1]
    async with aiohttp.ClientSession() as http:
        socket_ = await http.ws_connect(f"{server.origin}/ws/{token}?width=80&height=24")
        server.wait_log(r"session start: annotator asha")
        sessions = server.sessions()
        assert sessions
        os.killpg(server.proc.pid, signal.SIGINT)
        assert server.proc.wait(30) == 130, server.log
        await socket_.close()
    time.sleep(0.5)  # the log's last lines, read by a thread
    assert any(re.search(r"reader serve: stopping on ctrl\+c: ending 1 session$", line) for line in server.log), server.log
    assert any("session end: annotator asha" in line and "server stopped" in line for line in server.log), server.log
    assert not any("Traceback" in line or "Error" in line for line in server.log), server.log
    assert [pid for pid in sessions if os.path.exists(f"/proc/{pid}")] == []
    assert "no reader serve is running" in server.reader("--status").stdout


def test_sigterm_stops_the_server_with_exit_0(serve) -> None:
    """SIGTERM is how a service manager stops a server: a clean stop, exit 0, logged."""
    server = serve()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0, server.log
    time.sleep(0.5)
    assert any(line.endswith("reader serve: stopping on SIGTERM: ending 0 sessions") for line in server.log), server.log


@pytest.mark.browser
@needs_chromium
async def test_a_link_opens_the_library_and_key_1_labels_as_the_tokens_annotator(serve, browsers, db: Path) -> None:
    server = serve()
    link = server.link("asha")
    b = await browsers()
    await open_first_article(b, link)
    await b.press("1")
    found = wait_until(lambda: labels(db), "the label in the database")
    assert found == [("asha", "commitment")]
    server.wait_log(r"session start: annotator asha, pid \d+")
    status = server.reader("--status")
    assert status.returncode == 0, status.stderr
    assert re.search(r"1 of 8 sessions, server memory \d+ MB", status.stdout), status.stdout
    assert re.search(r"^  asha: pid \d+, since .*, memory \d+ MB$", status.stdout, re.MULTILINE), status.stdout
    await b.press("escape")  # back to the library, then its register of commitments
    await b.wait_for_screen(LIBRARY)
    await b.press("c")
    await b.wait_for_screen(r"\d+ commitments \(1 labelled")


@pytest.mark.browser
@needs_chromium
async def test_two_browsers_label_one_article_at_once_and_agreement_sees_both(serve, browsers, db: Path) -> None:
    server = serve()
    first, second = await browsers(), await browsers()
    await open_first_article(first, server.link("asha"))
    await open_first_article(second, server.link("bo"))
    await first.press("1")
    await second.press("2")
    wait_until(lambda: len(labels(db)) == 2, "both labels")
    assert labels(db) == [("asha", "commitment"), ("bo", "claim")]
    agreement = run_reader("--db", str(db), "agreement", "--json")
    assert agreement.returncode == 0, agreement.stderr
    assert '"asha"' in agreement.stdout and '"bo"' in agreement.stdout


@pytest.mark.browser
@needs_chromium
async def test_a_reviewer_link_opens_review_and_decides_as_the_reviewer(serve, browsers, db: Path, india: str) -> None:
    from reader.store import Store

    with Store(db) as store:
        store.set_label(india, 2, "commitment", "asha")
        store.set_label(india, 2, "claim", "bo")
    server = serve()
    b = await browsers()
    await b.open(server.link("lee", "--reviewer"))
    await b.wait_for_screen(r"disagreement 1/1")
    await b.press("2")
    conn = sqlite3.connect(db)
    decided = wait_until(lambda: conn.execute(
        "SELECT annotator, article_id, sentence_index, value FROM sentence_fields WHERE field = 'review'").fetchall(), "the decision")
    conn.close()
    assert decided == [("lee", india, 2, "claim")]
    assert ("lee", "claim") not in labels(db)  # a decision, not a label of lee's
    server.wait_log(r"session start: annotator lee \(reviewer\)")


@pytest.mark.browser
@needs_chromium
async def test_a_reviewer_with_nothing_to_review_sees_the_session_end_and_the_log_says_why(serve, browsers) -> None:
    server = serve()
    b = await browsers()
    await b.open(server.link("lee", "--reviewer"))
    line = server.wait_log(r"session end: annotator lee")
    assert "exit code 2" in line and "the app said: reader: nothing to review" in line
    await b.wait_for(lambda: b.evaluate("document.body.classList.contains('-closed')"), "the page to say the session ended")
    assert server.sessions() == []


@pytest.mark.browser
@needs_chromium
async def test_a_browser_cannot_make_the_server_read_a_path_or_url(serve, browsers) -> None:
    server = serve()
    b = await browsers()
    await b.open(server.link("asha"))
    await b.wait_for_screen(LIBRARY)
    await b.press("a")
    await b.wait_for_screen(r"articles are added on the server")


@pytest.mark.browser
@needs_chromium
async def test_no_token_or_a_revoked_token_gets_401_and_starts_no_process(serve, browsers) -> None:
    server = serve()
    link = server.link("asha")
    assert server.reader("--revoke", "asha").returncode == 0
    token = link.split("token=", 1)[1]
    b = await browsers()
    for url in (server.origin + "/", server.origin + "/?token=not-a-token", link):
        await b.open(url)
        assert "A valid token is needed" in await b.page_text()
        statuses = [e["params"]["response"]["status"] for e in b.events
                    if e.get("method") == "Network.responseReceived" and e["params"]["response"]["url"] == url]
        assert statuses and statuses[-1] == 401
    async with aiohttp.ClientSession() as http:
        for path in (f"/ws/{token}", "/ws/not-a-token"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(server.origin + path)
            assert refused.value.status == 401
    assert server.sessions() == []
    assert not any("session start" in line for line in server.log)


@pytest.mark.browser
@needs_chromium
async def test_the_page_asks_nothing_of_any_other_server(serve, browsers) -> None:
    server = serve()
    link = server.link("asha")
    b = await browsers()
    await open_first_article(b, link)
    await b.press("1")
    await b.wait_for_screen(r"commitment 1")
    outside = [url for url in b.requests
               if not url.startswith((server.origin + "/", f"ws://127.0.0.1:{server.port}/"))]
    assert outside == []
    assert f"{server.origin}/static/fonts/RobotoMono-VariableFont_wght.ttf" in b.requests  # the font came from us
    assert any(url.startswith(f"ws://127.0.0.1:{server.port}/ws/") for url in b.requests)
    html = await b.evaluate("document.documentElement.outerHTML")
    assert "googleapis" not in html and "https://" not in html


@pytest.mark.browser
@needs_chromium
async def test_max_sessions_2_refuses_the_third_with_a_server_full_page(serve, browsers) -> None:
    server = serve("--max-sessions", "2")
    links = [server.link(name) for name in ("asha", "bo", "chen")]
    first, second, third = await browsers(), await browsers(), await browsers()
    for b, link in ((first, links[0]), (second, links[1])):
        await b.open(link)
        await b.wait_for_screen(LIBRARY)
    await third.open(links[2])
    assert "The server is full" in await third.page_text()
    assert len([line for line in server.log if "session start" in line]) == 2
    assert len(server.sessions()) >= 2 and not any("chen" in line and "session start" in line for line in server.log)
    await first.close()
    server.wait_log(r"session end: annotator asha")
    await third.open(links[2])
    await third.wait_for_screen(LIBRARY)  # a place came free


@pytest.mark.browser
@needs_chromium
async def test_an_idle_session_ends_with_its_labels_kept(serve, browsers, db: Path) -> None:
    # 6 s without a key ends it: the app is up and the article open (two keys) well within that
    # on CI, and the session then ends 6 to 7.5 s after the label (the watch ticks every 1.5 s)
    server = serve("--idle-minutes", "0.1")
    b = await browsers()
    await open_first_article(b, server.link("asha"))
    await b.press("1")
    line = server.wait_log(r"session end: annotator asha.*idle for 0\.1 minutes")
    assert "exit code 0" in line
    wait_until(lambda: server.sessions() == [], "the app process to end")
    assert labels(db) == [("asha", "commitment")]
    await b.wait_for(lambda: b.evaluate("document.body.classList.contains('-closed')"), "the page to say the session ended")


@pytest.mark.browser
@needs_chromium
async def test_revoking_a_token_ends_its_open_session(serve, browsers) -> None:
    server = serve("--idle-minutes", "0.3")  # the watch ticks every 4.5 s: the revocation is seen within it, long before 18 s of idleness
    b = await browsers()
    await b.open(server.link("asha"))
    await b.wait_for_screen(LIBRARY)
    assert server.reader("--revoke", "asha").returncode == 0
    server.wait_log(r"session end: annotator asha.*token revoked")
    wait_until(lambda: server.sessions() == [], "the app process to end")


def gone(pid: int) -> bool:
    """The process has ended (a zombie nobody reaped has ended too)."""
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


@pytest.mark.browser
@needs_chromium
@pytest.mark.skipif(sys.platform != "linux", reason="the session's end with its server uses Linux's parent-death signal")
async def test_a_killed_server_leaves_no_session_behind(serve, browsers) -> None:
    server = serve()
    b = await browsers()
    await b.open(server.link("asha"))
    await b.wait_for_screen(LIBRARY)
    apps = server.sessions()
    assert apps
    server.proc.kill()
    server.proc.wait()
    wait_until(lambda: all(gone(pid) for pid in apps), "the session's processes to end with the server")


@pytest.mark.browser
@needs_chromium
async def test_a_session_killed_mid_label_loses_no_committed_label(serve, browsers, db: Path) -> None:
    server = serve()
    b = await browsers()
    await open_first_article(b, server.link("asha"))
    await b.press("1")
    wait_until(lambda: labels(db) == [("asha", "commitment")], "the first label")
    await b.press("2")
    app = server.sessions()[0]
    os.kill(app, signal.SIGKILL)
    server.wait_log(r"session end: annotator asha")
    stored = labels(db)
    assert stored[0] == ("asha", "commitment") and stored[1:] in ([], [("asha", "claim")])
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    await b.open(server.link("asha"))  # the server carries on
    await b.wait_for_screen(LIBRARY)
