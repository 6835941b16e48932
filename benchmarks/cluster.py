"""Large archives: `reader import --workers 1` against `--workers 2` on this machine's cores
(goal: 2 workers >= 1.6x the articles per second of 1), both against the floor of a plain
`reader import` (the same parse in one process, measured in the same run), and the peak
memory of the client and of each worker.

Every figure is a whole process as a user runs it, from fork to exit: the local cluster's
start-up and each worker's loading of spaCy are inside the times. The articles are generated
(benchmarks/corpus.py, our own words), so the part runs without ../shared.

Memory: every 0.1 s the benchmark reads VmHWM (the most resident memory a process has had)
of the client and of each process under it; a worker is a process the client started with
multiprocessing's spawn (Dask's nanny starts it), the resource tracker aside. CPU: at the
same moments it reads each process's CPU seconds (/proc/PID/stat), so the cost of the client
and of the workers is known apart, per article once the first was written.

The share of the machine a run gets is not the machine's: Linux's autogroup scheduler
(/proc/sys/kernel/sched_autogroup_enabled) shares the cores fairly between sessions, not
processes, so while other sessions keep the cores busy every process of this benchmark's
session shares one session's share, and a second worker adds no CPU at all. Each repetition
therefore waits (up to --wait seconds) for the load average to fall below --quiet, records it
before and after every run, and measures first what two CPU-bound processes of this session
get against one (`capacity`: 2.0 on two free cores, about 1.0 when the session is capped);
the speed-up is reported over all repetitions and over the quiet ones (capacity >= 1.8).

    python -m benchmarks.cluster [--reps 5] [--articles 96] [--work DIR] [--quiet 1.0] [--wait 300]
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
TICK = os.sysconf("SC_CLK_TCK")
QUIET_CAPACITY = 1.8  # two CPU-bound processes of this session ran at least this many times one
BURN = [sys.executable, "-c", "n = 0\nfor i in range(12_000_000): n += i"]  # about 0.7 s of one core


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


def _cpu_s(pid: int) -> float | None:
    """User and system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


def capacity() -> float:
    """How many times the CPU of one process two CPU-bound processes of this session get now:
    2.0 on two free cores, about 1.0 when other sessions hold the cores (autogroup)."""
    def burn(count: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen(BURN) for _ in range(count)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    return 2 * burn(1) / burn(2)


def wait_for_quiet(quiet: float, wait: float) -> float:
    """Wait until the 1-minute load average is below `quiet` (or `wait` seconds have passed);
    the load average then."""
    deadline = time.monotonic() + wait
    while os.getloadavg()[0] >= quiet and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def timed(argv: list[str], env: dict[str, str]) -> dict:
    """Run a command; its wall time, the client's peak RSS and each worker's, the CPU seconds
    of the client and of the workers, and the load average before and after."""
    load_before = os.getloadavg()[0]
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
    cpu_now: dict[int, float] = {}  # CPU seconds of the client and each worker, last read
    cpu_at_first: dict[int, float] | None = None  # ... when the first article was written
    usage = None
    while usage is None:
        done, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if done:
            usage = rusage
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        client = max(client, _hwm_mb(proc.pid) or 0.0)
        cpu_now[proc.pid] = _cpu_s(proc.pid) or cpu_now.get(proc.pid, 0.0)
        pending = _children(proc.pid)
        while pending:
            pid = pending.pop()
            pending.extend(_children(pid))
            line = _cmdline(pid)
            if "spawn_main" in line and "resource_tracker" not in line:
                workers[pid] = max(workers.get(pid, 0.0), _hwm_mb(pid) or 0.0)
                cpu_now[pid] = _cpu_s(pid) or cpu_now.get(pid, 0.0)
        if written and cpu_at_first is None:
            cpu_at_first = dict(cpu_now)
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
    # CPU per article once the first was written (start-up and spaCy's loading behind), the
    # client apart from the workers: what bounds the rate when the cores are free
    after = max(len(written) - 1, 1)
    first = cpu_at_first or {}
    client_after = cpu_now.get(proc.pid, 0.0) - first.get(proc.pid, 0.0)
    workers_after = sum(c - first.get(pid, 0.0) for pid, c in cpu_now.items() if pid != proc.pid)
    return {"seconds": seconds, "cpu_s": cpu, "cores_used": cpu / seconds, "load_before": load_before, "load_after": os.getloadavg()[0],
            "steady_articles_per_s": steady, "first_written_s": (written[0] - start) if written else None,
            "client_cpu_s": cpu_now.get(proc.pid, 0.0), "client_cpu_s_per_article": client_after / after,
            "workers_cpu_s": sum(c for pid, c in cpu_now.items() if pid != proc.pid),
            "workers_cpu_s_per_article": workers_after / after if workers else None,
            "client_mb": client, "worker_mb": sorted(workers.values())}


def run(reps: int, count: int, work: Path | None, *, quiet: float = 1.0, wait: float = 300.0) -> dict:
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
        plain, one, two, probes = [], [], [], []
        for i in range(reps):
            load = wait_for_quiet(quiet, wait)
            probes.append({"load": load, "capacity": capacity()})
            plain.append(reader(f"plain-{i}"))
            one.append(reader(f"workers1-{i}", "--workers", "1"))
            two.append(reader(f"workers2-{i}", "--workers", "2"))
            say(f"  cluster {i + 1}/{reps} (load average {load:.2f}, capacity {probes[-1]['capacity']:.2f}): "
                f"plain {plain[-1]['seconds']:.2f} s ({plain[-1]['cpu_s']:.1f} s CPU), "
                f"--workers 1 {one[-1]['seconds']:.2f} s ({one[-1]['cpu_s']:.1f}), --workers 2 {two[-1]['seconds']:.2f} s ({two[-1]['cpu_s']:.1f}); "
                f"2 over 1 {one[-1]['seconds'] / two[-1]['seconds']:.2f}x; load average after {os.getloadavg()[0]:.2f}")
        return summarise(count, plain, one, two, probes)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def summarise(count: int, plain: list[dict], one: list[dict], two: list[dict], probes: list[dict]) -> dict:
    """Medians over all repetitions, and the speed-ups of the quiet ones apart."""
    def seconds(runs: list[dict]) -> float:
        return median([r["seconds"] for r in runs])

    def fastest(runs: list[dict]) -> float:
        return min(r["seconds"] for r in runs)

    def of(runs: list[dict], key: str) -> float:
        return median([r[key] for r in runs if r[key] is not None])

    quiet = [i for i, probe in enumerate(probes) if probe["capacity"] >= QUIET_CAPACITY]
    result = {
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
        "fastest_plain_s": fastest(plain),
        "fastest_workers1_s": fastest(one),
        "fastest_workers2_s": fastest(two),
        "fastest_speedup_2_over_1": fastest(one) / fastest(two),
        "quiet_reps": len(quiet),
        # the same repetition's two runs against each other: they saw about the same machine
        "quiet_speedup_2_over_1": median([one[i]["seconds"] / two[i]["seconds"] for i in quiet]) if quiet else None,
        "quiet_steady_speedup_2_over_1": median([two[i]["steady_articles_per_s"] / one[i]["steady_articles_per_s"] for i in quiet]) if quiet else None,
        "capacity": median([p["capacity"] for p in probes]),
        "load_before_reps": [round(p["load"], 2) for p in probes],
    }
    for name, runs in (("plain", plain), ("workers1", one), ("workers2", two)):
        result.update({
            f"steady_{name}_articles_per_s": of(runs, "steady_articles_per_s"),
            f"first_written_{name}_s": of(runs, "first_written_s"),
            f"{name}_cpu_s": of(runs, "cpu_s"),
            f"{name}_cores_used": of(runs, "cores_used"),
            f"{name}_client_cpu_s_per_article": of(runs, "client_cpu_s_per_article"),
            f"{name}_client_mb": of(runs, "client_mb"),
        })
        if name != "plain":
            result[f"{name}_workers_cpu_s_per_article"] = of(runs, "workers_cpu_s_per_article")
            result[f"{name}_worker_mb"] = median([max(r["worker_mb"] or [0.0]) for r in runs])
    result["samples"] = {"probes": probes, "plain": plain, "workers1": one, "workers2": two}
    return result


def table(r: dict) -> str:
    def line(name: str, key: str, worker: str) -> str:
        cpu = f"client {r[key + '_client_cpu_s_per_article']:.3f}"
        if key != "plain":
            cpu += f", workers {r[key + '_workers_cpu_s_per_article']:.3f}"
        return (f"| {name} | {r[key + '_s']:.2f} s (fastest {r['fastest_' + key + '_s']:.2f} s) | {r[key + '_cpu_s']:.1f} s ({r[key + '_cores_used']:.2f} cores) "
                f"| {cpu} | {r[key + '_articles_per_s']:.2f} | {r['steady_' + key + '_articles_per_s']:.2f} "
                f"| {r['first_written_' + key + '_s']:.1f} s | {r[key + '_client_mb']:.0f} MB | {worker} |")

    out = [
        (f"| import of {r['articles']} articles | time, median (fastest) | CPU, all processes | CPU s per article once running "
         "| articles/s, whole run | articles/s, last three quarters | first article written after | client peak RSS | worker peak RSS |"),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        line("plain `reader import` (the floor)", "plain", "–"),
        line("`--workers 1`", "workers1", f"{r['workers1_worker_mb']:.0f} MB"),
        line("`--workers 2`", "workers2", f"{r['workers2_worker_mb']:.0f} MB each"),
    ]
    steady = r["steady_workers2_articles_per_s"] / r["steady_workers1_articles_per_s"]
    quiet = (f"{r['quiet_speedup_2_over_1']:.2f}× whole runs, {r['quiet_steady_speedup_2_over_1']:.2f}× once running, "
             f"in the {r['quiet_reps']} quiet repetitions" if r["quiet_reps"] else "no quiet repetition")
    out.append(f"\nLoad average before each repetition {r['load_before_reps']}; this session's capacity (two CPU-bound processes "
               f"against one), median {r['capacity']:.2f}×.\n"
               f"`--workers 2` over `--workers 1`: {r['speedup_2_over_1']:.2f}× by the median times, "
               f"{r['fastest_speedup_2_over_1']:.2f}× by the fastest runs, {steady:.2f}× in articles/s once running; {quiet} "
               f"(goal ≥ 1.6×); against plain import: {r['speedup_2_over_plain']:.2f}× / {r['speedup_1_over_plain']:.2f}× (2 / 1 workers)")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--articles", type=int, default=96)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--quiet", type=float, default=1.0, help="load average to wait for before each repetition")
    parser.add_argument("--wait", type=float, default=300.0, help="longest wait for it, in seconds")
    args = parser.parse_args()
    result = run(args.reps, args.articles, args.work, quiet=args.quiet, wait=args.wait)
    result["machine"] = machine()
    json.dump(result, sys.stdout, indent=2)
    print()
    say(table(result))


if __name__ == "__main__":
    main()
