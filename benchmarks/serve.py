"""`python -m benchmarks.serve`: a label key through `reader serve` in a real headless Chromium
against the same key in a real terminal (tmux), and the memory of one served session against
one terminal session.

Both sides open the first article of the same library (the parsed sample articles) and time
one label key (`1`, `2`, `3` in turn) from sending it until the status bar shows the cursor
on the next sentence, read by polling what each terminal shows: tmux's capture-pane, and
xterm.js's own buffer in the browser (tests/cdp.py). Memory is the resident size of the
session's process tree (the reader process and any job it started) after the labels.

    python -m benchmarks.serve [--reps 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Tmux, clean_env, median, say
from reader.serve.memory import children, tree_rss
from tests.cdp import Browser, chromium_path

READER = [sys.executable, "-m", "reader"]
SAMPLES = Path(__file__).resolve().parent.parent / "sample_articles"
LIBRARY = r"\d+ articles · "
GOAL = 2.0  # a key through the browser may take at most twice as long as in a terminal


def _label(rep: int) -> str:
    return str(1 + rep % 3)


def terminal(db: Path, work: Path, reps: int) -> dict:
    tmux = Tmux()
    name = "serve-bench"
    try:
        pid = tmux.start(name, [*READER, "--db", str(db), "--annotator", "terminal"], clean_env(work), work / "stamp")
        tmux.wait_screen(name, LIBRARY)
        tmux._tmux("send-keys", "-t", name, "Enter")
        total = tmux.wait_screen(name, r"sentence 1/(\d+)").group(1)
        times = []
        for rep in range(reps + 1):
            tmux.send(name, "g")
            tmux.wait_screen(name, rf"sentence 1/{total}\b")
            start = time.perf_counter()
            tmux.send(name, _label(rep))
            tmux.wait_screen(name, rf"sentence 2/{total}\b")
            if rep:  # the first is a warm-up
                times.append(1000 * (time.perf_counter() - start))
        memory = tree_rss(pid)
        return {"label_ms": median(times), "samples": times, "rss_mb": memory / 2**20 if memory else None}
    finally:
        tmux.close()


async def browser(db: Path, work: Path, reps: int) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env(work, XDG_STATE_HOME=str(work / "state"))
    add = subprocess.run([*READER, "--db", str(db), "serve", "--port", str(port), "--add-annotator", "browser"],
                         capture_output=True, text=True, env=env, check=True)
    link = add.stdout.strip()
    server = subprocess.Popen([*READER, "--db", str(db), "serve", "--port", str(port)], env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = work / "profile"
    profile.mkdir()
    b = Browser(profile)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        await b.start()
        await b.open(link)
        await b.wait_for_screen(LIBRARY)
        await b.press("enter")
        total = re.search(r"sentence 1/(\d+)", await b.wait_for_screen(r"sentence 1/\d+")).group(1)

        async def until(pattern: str) -> None:
            while not re.search(pattern, await b.screen()):
                await asyncio.sleep(0.005)

        times = []
        for rep in range(reps + 1):
            await b.press("g")
            await asyncio.wait_for(until(rf"sentence 1/{total}\b"), 60)
            start = time.perf_counter()
            await b.press(_label(rep))
            await asyncio.wait_for(until(rf"sentence 2/{total}\b"), 60)
            if rep:
                times.append(1000 * (time.perf_counter() - start))
        sessions = [pid for pid in children(server.pid) if Path(f"/proc/{pid}/cmdline").read_bytes().find(b"--annotator") >= 0]
        memory = tree_rss(sessions[0]) if sessions else None
        from reader.serve.memory import rss

        return {"label_ms": median(times), "samples": times, "rss_mb": memory / 2**20 if memory else None,
                "server_rss_mb": (rss(server.pid) or 0) / 2**20}
    finally:
        await b.close()
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    if chromium_path() is None or shutil.which("tmux") is None:
        sys.exit("benchmarks.serve needs chromium and tmux")
    with tempfile.TemporaryDirectory(prefix="reader-serve-bench-") as folder:
        work = Path(folder)
        db = work / "bench.db"
        subprocess.run([*READER, "--db", str(db), "import", str(SAMPLES)], env=clean_env(work), check=True,
                       stdout=subprocess.DEVNULL)
        term = terminal(db, work, args.reps)
        say(f"tmux: label key {term['label_ms']:.1f} ms (median of {args.reps}); session memory {term['rss_mb']:.0f} MB")
        served = asyncio.run(browser(db, work, args.reps))
        say(f"browser: label key {served['label_ms']:.1f} ms (median of {args.reps}); session memory {served['rss_mb']:.0f} MB; "
            f"server {served['server_rss_mb']:.0f} MB")
    ratio = served["label_ms"] / term["label_ms"]
    result = {"terminal": term, "browser": served, "ratio": ratio, "goal": GOAL, "ok": ratio <= GOAL}
    print(json.dumps({k: v for k, v in result.items()}, indent=1, default=str))
    say(f"label key, browser / terminal: {ratio:.2f} (goal <= {GOAL}); memory, served / terminal session: "
        f"{served['rss_mb'] / term['rss_mb']:.2f}")


if __name__ == "__main__":
    main()
