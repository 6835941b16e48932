"""The web server of `reader serve`: textual-serve's, with a token in front of every session.

textual-serve starts one app process per browser websocket and has no notion of who is
asking. Here every page and every websocket must carry a token held in the database; the
token names the annotator, and the session's `reader` process gets `--annotator` from it.
At most `max_sessions` processes run; a session with no input for `idle_minutes` is ended
(its labels are committed as they are given, so ending it loses nothing), and so is one whose
token is revoked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server

from reader.serve import hash_token, state
from reader.serve.memory import mb, rss, tree_rss
from reader.store import Store, StoreError, now
import contextlib

log = logging.getLogger("reader.serve")

HERE = Path(__file__).parent
STATIC = Path(textual_serve.__file__).parent / "static"  # textual.js, xterm.css and the fonts
STOP_SECONDS = 10  # how long a session's app may take to quit before it is killed
MEMORY_LOG_SECONDS = 300  # while sessions run, the log reports memory this often
# Only what the page needs, from this server only: a page that asked anywhere else would fail.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": CSP}


@dataclass(eq=False)
class Session:
    """One browser tab and the `reader` process behind it."""

    annotator: str
    reviewer: bool
    token_hash: str
    since: str = field(default_factory=now)
    last_input: float = field(default_factory=time.monotonic)
    started: float = field(default_factory=time.monotonic)
    websocket: web.WebSocketResponse | None = None
    service: ReaderAppService | None = None
    ended: str = "closed in the browser"
    memory: int | None = None  # resident bytes of its process tree, as last measured

    @property
    def pid(self) -> int | None:
        return self.service.pid if self.service is not None else None


class ReaderAppService(AppService):
    """textual-serve's app process, started from an argument list (no shell) so nothing a
    name holds is ever parsed by one, with the annotator's name given by us alone."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.stderr: _Tail | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def process(self) -> asyncio.subprocess.Process | None:
        return self._process

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        environment.pop("READER_ANNOTATOR", None)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=environment, start_new_session=True,
            preexec_fn=_end_with_server if sys.platform == "linux" else None)
        assert process.stdin is not None and process.stderr is not None
        self._stdin = process.stdin
        self.stderr = _Tail(process.stderr)
        process.stderr = self.stderr  # type: ignore[assignment]  # textual-serve reads it; we keep its end
        return process


class _Tail:
    """The app's stderr as textual-serve reads it, keeping its last line for the log."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream
        self.end = b""

    async def read(self, n: int = -1) -> bytes:
        data = await self.stream.read(n)
        self.end = (self.end + data)[-2000:]
        return data

    def last_line(self) -> str:
        from reader.sanitize import clean_field

        lines = [line for line in self.end.decode("utf-8", "replace").splitlines() if line.strip()]
        return (clean_field(lines[-1]) or "")[:300] if lines else ""


class ReaderServer(Server):
    """Serve `reader` to browsers, one token-checked process per session."""

    def __init__(self, *, db_path: Path, host: str, port: int, max_sessions: int, idle_minutes: float,
                 app_args: list[str], public_url: str | None = None) -> None:
        super().__init__("reader", host=host, port=port, title="reader", public_url=public_url,
                         statics_path=STATIC, templates_path=HERE / "templates")
        self.db_path = db_path
        self.max_sessions = max_sessions
        self.idle_seconds = idle_minutes * 60
        self.app_args = app_args
        self.given_public_url = public_url
        self.sessions: set[Session] = set()
        self._watcher: asyncio.Task[None] | None = None
        self.stopped_by: str | None = None  # "ctrl+c" or "SIGTERM" once a signal asked the server to stop

    # --- who is asking --------------------------------------------------------------------

    def holder(self, token: str | None) -> tuple[str, bool, str] | None:
        """(annotator, reviewer, hash) of a valid token, else None (read afresh each time, so a
        revoked token stops working at once)."""
        if not token or len(token) > 256:
            return None
        token_hash = hash_token(token)
        try:
            with Store(self.db_path, readonly=True) as store:
                found = store.token_owner(token_hash)
        except StoreError as exc:
            log.error("cannot read the tokens: %s", exc)
            return None
        return None if found is None else (found[0], found[1], token_hash)

    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def argv(self, session: Session) -> list[str]:
        command = "review" if session.reviewer else "open"
        # -P: the server's folder is not first on the session's sys.path (a random.py there
        # would stand in for the standard library's in the session and its background jobs)
        return [sys.executable, "-P", "-m", "reader", "--db", str(self.db_path), "--annotator", session.annotator,
                *self.app_args, command]

    # --- pages ------------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s reader serve: %(message)s",
                            datefmt="%Y-%m-%dT%H:%M:%S", stream=sys.stderr)

    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{token}", self.handle_websocket, name="websocket"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_response_prepare.append(self._headers)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def _headers(self, request: web.Request, response: web.StreamResponse) -> None:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)

    def page(self, request: web.Request, status: int, title: str, detail: str) -> web.Response:
        response = aiohttp_jinja2.render_template("message.html", request, {"title": title, "detail": detail})
        response.set_status(status)
        return response

    async def handle_index(self, request: web.Request) -> web.Response:
        token = request.query.get("token")
        holder = self.holder(token)
        if holder is None:
            log.info("refused a page without a valid token from %s", request.remote)
            return self.page(request, 401, "A valid token is needed",
                             "This reader is served to named annotators only: ask whoever runs it for your link.")
        if self.full():
            log.info("server full: refused a page for %s (%d of %d sessions in use)", holder[0], len(self.sessions), self.max_sessions)
            return self.page(request, 503, "The server is full",
                             f"All {self.max_sessions} sessions are in use. Try again when someone has finished "
                             "(closing a tab ends its session).")
        font_size = request.query.get("fontsize", "16")
        context = {
            "font_size": int(font_size) if font_size.isdigit() and 6 <= int(font_size) <= 64 else 16,
            "app_websocket_url": self.websocket_url(request, token or ""),
            "config": {"static": {"url": "/static/"}},
            "application": {"name": "reader"},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    def websocket_url(self, request: web.Request, token: str) -> str:
        """Where the page connects: the address the browser used (so a name, an IP or a
        reverse proxy all work), wss when the page came over https."""
        path = f"/ws/{token}"
        if self.given_public_url:
            base = self.given_public_url.rstrip("/")
            return ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1] + path
        secure = request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        return f"{'wss' if secure else 'ws'}://{request.host}{path}"

    # --- sessions ---------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        holder = self.holder(request.match_info["token"])
        if holder is None:
            log.info("refused a session without a valid token from %s", request.remote)
            raise web.HTTPUnauthorized(text="a valid token is needed")
        if self.full():
            log.info("server full: refused a session for %s", holder[0])
            raise web.HTTPServiceUnavailable(text="the server is full")
        session = Session(*holder)
        self.sessions.add(session)  # before any await, so two requests cannot both take the last place
        websocket = web.WebSocketResponse(heartbeat=15)
        session.websocket = websocket
        try:
            await websocket.prepare(request)
            width = _size(request.query.get("width"), 80)
            height = _size(request.query.get("height"), 24)
            service = ReaderAppService(self.argv(session), write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                       close=websocket.close, download_manager=self.download_manager)
            session.service = service
            await service.start(width, height)
            self.log_start(session)
            ender = asyncio.create_task(self._close_when_app_ends(session))
            try:
                await self._process_messages(websocket, service, session)
            finally:
                ender.cancel()
                await self._stop(service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one session's failure must not stop the server
            session.ended = f"failed: {error}"
            log.exception("session of %s failed", session.annotator)
        finally:
            self.sessions.discard(session)
            if session.service is not None:
                self.log_end(session)
            self.write_state()
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService, session: Session | None = None) -> None:  # type: ignore[override]
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                if session is not None:
                    session.last_input = time.monotonic()
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(_size(data.get("width"), 80), _size(data.get("height"), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def _close_when_app_ends(self, session: Session) -> None:
        """The app quit by itself (q, or a crash): end the browser's side too."""
        assert session.service is not None and session.service._task is not None
        await asyncio.wait({session.service._task})
        if session.websocket is not None and not session.websocket.closed:
            session.ended = "the app quit"
            await session.websocket.close()

    async def _stop(self, service: ReaderAppService) -> None:
        """Ask the app to quit; kill it if it has not within STOP_SECONDS."""
        with contextlib.suppress(Exception):  # a stuck or broken app is killed below either way
            await asyncio.wait_for(service.stop(), STOP_SECONDS)
        process = service.process
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            log.warning("session process %d did not quit; killing it", process.pid)
            process.kill()
            await process.wait()

    def log_start(self, session: Session) -> None:
        self.write_state()
        role = " (reviewer)" if session.reviewer else ""
        log.info("session start: annotator %s%s, pid %s; %d of %d sessions; server memory %s",
                 session.annotator, role, session.pid, len(self.sessions), self.max_sessions, mb(rss(os.getpid())))

    def log_end(self, session: Session) -> None:
        minutes = (time.monotonic() - session.started) / 60
        process = session.service.process if session.service else None
        code = process.returncode if process is not None else None
        said = session.service.stderr.last_line() if code and session.service and session.service.stderr else ""
        if said:
            session.ended += f"; the app said: {said}"
        log.info("session end: annotator %s, pid %s, after %.1f minutes (%s; exit code %s; memory last measured %s); "
                 "%d of %d sessions; server memory %s", session.annotator, session.pid, minutes, session.ended, code,
                 mb(session.memory), len(self.sessions), self.max_sessions, mb(rss(os.getpid())))

    def log_memory(self) -> None:
        each = ", ".join(f"{s.annotator} {mb(s.memory)}" for s in self.sessions if s.pid is not None)
        log.info("memory: server %s; sessions: %s", mb(rss(os.getpid())), each or "none")

    # --- the watch: idle and revoked sessions, the status file ---------------------------------

    async def watch(self) -> None:
        tick = max(0.5, min(30.0, self.idle_seconds / 4))
        logged = time.monotonic()
        while True:
            await asyncio.sleep(tick)
            for session in list(self.sessions):
                if session.websocket is None or session.websocket.closed or session.service is None:
                    continue
                session.memory = tree_rss(session.pid) if session.pid else None
                if time.monotonic() - session.last_input > self.idle_seconds:
                    session.ended = f"idle for {self.idle_seconds / 60:g} minutes"
                elif self.holder_of_hash(session.token_hash) is None:
                    session.ended = "token revoked"
                else:
                    continue
                await session.websocket.close()
            if self.sessions and time.monotonic() - logged >= MEMORY_LOG_SECONDS:
                self.log_memory()
                logged = time.monotonic()
            self.write_state()

    def holder_of_hash(self, token_hash: str) -> tuple[str, bool] | None:
        try:
            with Store(self.db_path, readonly=True) as store:
                return store.token_owner(token_hash)
        except StoreError:
            return ("", False)  # an unreadable database revokes nobody

    def write_state(self) -> None:
        try:
            state.write(self.port, {
                "pid": os.getpid(), "url": self.public_url, "db": str(self.db_path), "max_sessions": self.max_sessions,
                "idle_minutes": self.idle_seconds / 60,
                "sessions": [{"annotator": s.annotator, "reviewer": s.reviewer, "pid": s.pid, "since": s.since}
                             for s in self.sessions if s.pid is not None],
            })
        except OSError as exc:
            log.warning("cannot write the status file: %s", exc)

    async def on_startup(self, app: web.Application) -> None:
        self._watcher = asyncio.create_task(self.watch())

    def listening(self, *_: object) -> None:
        """Called by aiohttp once the port is bound (in place of its banner)."""
        self.write_state()
        log.info("serving %s on %s: at most %d sessions, idle sessions end after %g minutes (pid %d, memory %s)",
                 self.db_path, self.public_url, self.max_sessions, self.idle_seconds / 60, os.getpid(), mb(rss(os.getpid())))

    async def on_shutdown(self, app: web.Application) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        running = [s for s in self.sessions if s.websocket is not None and not s.websocket.closed]
        log.info("stopping on %s: ending %d session%s", self.stopped_by or "request", len(running), "" if len(running) == 1 else "s")
        for session in running:
            session.ended = "server stopped"
            await session.websocket.close()  # type: ignore[union-attr]
        state.remove(self.port)

    def serve(self, debug: bool = False) -> None:
        """Run until ctrl+c or SIGTERM. No access log: the page's address holds the token."""
        import signal

        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum, name in ((signal.SIGINT, "ctrl+c"), (signal.SIGTERM, "SIGTERM")):
            loop.add_signal_handler(signum, self.request_exit, name)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        access_log=None, print=self.listening)
        finally:
            state.remove(self.port)

    def request_exit(self, name: str = "request") -> None:
        """Stop serving: aiohttp's shutdown closes every session (on_shutdown). A second
        signal while it does is ignored: raised then, it would cut the shutdown short and leave
        sessions' processes behind (each has STOP_SECONDS to quit)."""
        if self.stopped_by is not None:
            return
        self.stopped_by = name
        raise GracefulExit()


def _end_with_server() -> None:
    """In the session's process before exec: SIGTERM it when the server dies, even by SIGKILL
    (Textual's web driver carries on when its input closes, which would leave an orphan)."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def _size(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 1 <= number <= 1000 else default
