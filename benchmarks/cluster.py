"""Large archives: `reader import --workers 1` against `--workers 2` on this machine's cores
(goal: 2 workers >= 1.6x the articles per second of 1), both against the floor of a plain
`reader import` (the same parse in one process, measured in the same run), and the peak
memory of the client and of each worker.

Every figure is a whole process as a user runs it, from fork to exit: the local cluster's
start-up and each worker's loading of spaCy are inside the times. The articles are generated
(benchmarks/corpus.py, our own words), so the part runs without ../shared.

Memory: every 0.1 s the benchmark reads VmHWM (the most resident memory a process has had)
of the client and of each process under it; a worker is a process the client started with
multiprocessing's spawn (Dask's nanny starts it), the resource tracker aside.

    python -m benchmarks.cluster [--reps 5] [--articles 96] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import MODEL, READER, clean_env, machine, median, say
from benchmarks.corpus import generate

SENTENCES = 30  # per article, about a news article's length


def write_corpus(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for n in range(count):
        path = folder / f"article-{n:04d}.txt"
        path.write_text(generate(SENTENCES, seed=n).text, encoding="utf-8")
        names.append(str(path))
    return names


def _hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(p) for p in text)
    except OSError:
        pass
    return found


def timed(argv: list[str], env: dict[str, str]) -> dict:
    """Run a command; its wall time, the client's peak RSS and each worker's."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    written: list[float] = []  # when each "imported ..." line arrived

    def lines() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(b"imported "):
                written.append(time.perf_counter())

    reader_thread = threading.Thread(target=lines, daemon=True)
    reader_thread.start()
    client = 0.0
    workers: dict[int, float] = {}
    usage = None
    while usage is None:
        done, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if done:
            usage = rusage
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        client = max(client, _hwm_mb(proc.pid) or 0.0)
        pending = _children(proc.pid)
        while pending:
            pid = pending.pop()
            pending.extend(_children(pid))
            line = _cmdline(pid)
            if "spawn_main" in line and "resource_tracker" not in line:
                workers[pid] = max(workers.get(pid, 0.0), _hwm_mb(pid) or 0.0)
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    reader_thread.join(timeout=10)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{err[-2000:]}")
    # CPU seconds of the client and every process it reaped (the workers): what the work cost,
    # whatever else the machine was doing
    cpu = usage.ru_utime + usage.ru_stime
    # Articles per second from the moment a quarter of them were written to the last (spaCy
    # loaded and the cluster up long before): the rate an archive of 100,000 would see.
    quarter = len(written) // 4
    steady = None
    if len(written) >= 8 and written[-1] > written[quarter]:
        steady = (len(written) - 1 - quarter) / (written[-1] - written[quarter])
    return {"seconds": seconds, "cpu_s": cpu, "steady_articles_per_s": steady, "first_written_s": (written[0] - start) if written else None, "client_mb": client, "worker_mb": sorted(workers.values())}


def run(reps: int, count: int, work: Path | None) -> dict:
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="reader-bench-cluster-")) if work is None else work
    try:
        names = write_corpus(work / "corpus", count)
        env = clean_env(work, PYTHONUNBUFFERED="1")  # each "imported" line as it is written

        def reader(tag: str, *extra: str) -> dict:
            db = work / f"{tag}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            return timed([*READER, "import", "--db", str(db), "--model", MODEL, *extra, *names], env)

        reader("warm")  # untimed: byte code and the page cache warm up
        plain, one, two = [], [], []
        for i in range(reps):
            plain.append(reader(f"plain-{i}"))
            one.append(reader(f"workers1-{i}", "--workers", "1"))
            two.append(reader(f"workers2-{i}", "--workers", "2"))
            say(f"  cluster {i + 1}/{reps}: plain {plain[-1]['seconds']:.2f} s ({plain[-1]['cpu_s']:.1f} s CPU), "
                f"--workers 1 {one[-1]['seconds']:.2f} s ({one[-1]['cpu_s']:.1f}), --workers 2 {two[-1]['seconds']:.2f} s ({two[-1]['cpu_s']:.1f}); "
                f"load average {os.getloadavg()[0]:.1f}")

        def seconds(runs: list[dict]) -> float:
            return median([r["seconds"] for r in runs])

        def fastest(runs: list[dict]) -> float:
            return min(r["seconds"] for r in runs)

        def cpu(runs: list[dict]) -> float:
            return median([r["cpu_s"] for r in runs])

        return {
            "articles": count,
            "sentences_per_article": SENTENCES,
            "plain_s": seconds(plain),
            "workers1_s": seconds(one),
            "workers2_s": seconds(two),
            "plain_articles_per_s": count / seconds(plain),  # whole runs, start-up included
            "workers1_articles_per_s": count / seconds(one),
            "workers2_articles_per_s": count / seconds(two),
            "speedup_2_over_1": seconds(one) / seconds(two),
            "speedup_2_over_plain": seconds(plain) / seconds(two),
            "speedup_1_over_plain": seconds(plain) / seconds(one),
            "steady_plain_articles_per_s": median([r["steady_articles_per_s"] for r in plain]),
            "steady_workers1_articles_per_s": median([r["steady_articles_per_s"] for r in one]),
            "steady_workers2_articles_per_s": median([r["steady_articles_per_s"] for r in two]),
            "first_written_plain_s": median([r["first_written_s"] for r in plain]),
            "first_written_workers1_s": median([r["first_written_s"] for r in one]),
            "first_written_workers2_s": median([r["first_written_s"] for r in two]),
            "fastest_plain_s": fastest(plain),
            "fastest_workers1_s": fastest(one),
            "fastest_workers2_s": fastest(two),
            "fastest_speedup_2_over_1": fastest(one) / fastest(two),
            "plain_cpu_s": cpu(plain),
            "workers1_cpu_s": cpu(one),
            "workers2_cpu_s": cpu(two),
            "plain_client_mb": median([r["client_mb"] for r in plain]),
            "workers1_client_mb": median([r["client_mb"] for r in one]),
            "workers2_client_mb": median([r["client_mb"] for r in two]),
            "workers1_worker_mb": median([max(r["worker_mb"] or [0.0]) for r in one]),
            "workers2_worker_mb": median([max(r["worker_mb"] or [0.0]) for r in two]),
            "samples": {"plain": plain, "workers1": one, "workers2": two},
        }
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def table(r: dict) -> str:
    def line(name: str, key: str, worker: str) -> str:
        return (f"| {name} | {r[key + '_s']:.2f} s (fastest {r['fastest_' + key + '_s']:.2f} s) | {r[key + '_cpu_s']:.1f} s "
                f"| {r[key + '_articles_per_s']:.2f} | {r['steady_' + key + '_articles_per_s']:.2f} "
                f"| {r['first_written_' + key + '_s']:.1f} s | {r[key + '_client_mb']:.0f} MB | {worker} |")

    out = [
        (f"| import of {r['articles']} articles | time, median (fastest) | CPU, all processes | articles/s, whole run "
         "| articles/s, last three quarters | first article written after | client peak RSS | worker peak RSS |"),
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        line("plain `reader import` (the floor)", "plain", "–"),
        line("`--workers 1`", "workers1", f"{r['workers1_worker_mb']:.0f} MB"),
        line("`--workers 2`", "workers2", f"{r['workers2_worker_mb']:.0f} MB each"),
    ]
    steady = r["steady_workers2_articles_per_s"] / r["steady_workers1_articles_per_s"]
    ok = "✅" if r["speedup_2_over_1"] >= 1.6 else "❌"
    out.append(f"\n`--workers 2` over `--workers 1`: {r['speedup_2_over_1']:.2f}× by the median times, "
               f"{r['fastest_speedup_2_over_1']:.2f}× by the fastest runs, {steady:.2f}× in articles/s once running "
               f"(goal ≥ 1.6× {ok}); against plain import: {r['speedup_2_over_plain']:.2f}× / {r['speedup_1_over_plain']:.2f}× (2 / 1 workers)")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--articles", type=int, default=96)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    result = run(args.reps, args.articles, args.work)
    result["machine"] = machine()
    json.dump(result, sys.stdout, indent=2)
    print()
    say(table(result))


if __name__ == "__main__":
    main()
