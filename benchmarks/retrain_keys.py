"""retrain-keys: label keys while a retrain runs in the background cost no more than when the
machine is idle; goal <= 1.5x.

The reader runs in tmux on the 40-sentence article of a database where two articles are
labelled (fixtures.labelled: every sentence of the 40- and 1,000-sentence articles, 1,040
labels, enough to train and keep a model). Its config sets `retrain_every = 0`, so the
reader itself starts no retrain: the only background work is the one this benchmark starts.
Measured like benchmarks/keypress.py's tmux burst: `g`, then 39 label keys in one
`send-keys`, timed until the status bar reads `sentence 40/40` in the program's output;
per key. Each round has three bursts, in this order:

- idle: nothing else of reader's running;
- retrain just started: `python -m reader _work train ARTICLE --db DB ...` (the very command
  the reader runs every `retrain_every` labels, which lowers its own priority with nice 10)
  started just before the burst: it is importing and loading spaCy;
- retrain under way: the same, the burst sent once the job has used 3 s of processor time
  (spaCy is loaded; it is parsing the labelled articles or fitting).

Each job is stopped after its burst (what the reader does when a newer retrain replaces one);
a job that had already ended before the burst did is counted and reported. Every burst types
a different label key from the one before (`1`, `2`, `3` in turn), so each key is a change.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from benchmarks.common import MODEL, PYTHON, READER, Stream, Tmux, clean_env, median, say
from benchmarks.fixtures import Articles, labelled

SIZE = 40
KEYS = SIZE - 1
UNDER_WAY_CPU_S = 3.0  # processor seconds of the job before the "under way" burst
LABEL_SET = "commitment,claim,background"


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(articles: Articles, tmux: Tmux, reps: int) -> dict:
    work = articles.work / "retrain-keys"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    db = labelled(articles, work / "labelled.db")
    config = work / "no-retrain.toml"
    config.write_text("retrain_every = 0\n")
    total = articles.sentences[SIZE]
    article_id = articles.ids[SIZE]
    job_argv = [PYTHON, "-m", "reader", "_work", "train", article_id, "--db", str(db), "--model", MODEL, "--labels", LABEL_SET]
    name = "retrain-keys"
    stream = Stream(work / f"{name}.out")
    argv = [*READER, str(articles.files[SIZE]), "--db", str(db), "--config", str(config)]
    pid = tmux.start(name, argv, env, work / f"{name}.stamp", output=stream.path)
    bursts = 0
    ended_early = {"started": 0, "under_way": 0}
    try:
        tmux.wait_screen(name, rf"sentence \d+/{total}\b")  # it opens where the user left off: every sentence is labelled

        def burst(before=None) -> float:
            nonlocal bursts
            key = str(1 + bursts % 3)
            bursts += 1
            tmux.send(name, "g")
            tmux.wait_screen(name, rf"sentence 1/{total}\b")
            time.sleep(0.05)
            if before is not None:
                before()
            stream.skip()
            start = time.time()
            tmux.send(name, key * KEYS)
            end = stream.wait_for(rf"sentence {KEYS + 1}/{total}(?!\d)".encode())
            return 1000 * (end - start) / KEYS

        def with_job(phase: str) -> float:
            job: subprocess.Popen | None = None
            log = open(work / f"job-{phase}.log", "a", encoding="utf-8")  # noqa: SIM115 -- closed in the finally below, after the job ends

            def start_job() -> None:
                nonlocal job
                job = subprocess.Popen(job_argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
                if phase == "under_way":
                    deadline = time.monotonic() + 60
                    while _cpu_seconds(job.pid) < UNDER_WAY_CPU_S and job.poll() is None and time.monotonic() < deadline:
                        time.sleep(0.02)

            try:
                ms = burst(start_job)
                assert job is not None
                if job.poll() is not None:
                    ended_early[phase] += 1
                return ms
            finally:
                if job is not None and job.poll() is None:
                    job.terminate()
                if job is not None:
                    job.wait(timeout=30)
                log.close()

        idle, started, under_way = [], [], []
        for rep in range(2 * reps + 1):  # short bursts: twice the repetitions; the first round is dropped
            i = burst()
            s = with_job("started")
            u = with_job("under_way")
            if rep:
                idle.append(i)
                started.append(s)
                under_way.append(u)
            say(f"  retrain-keys {rep + 1}/{2 * reps + 1}{'' if rep else ' (warm-up)'}: idle {i:.2f} ms, "
                f"retrain just started {s:.2f} ms, retrain under way {u:.2f} ms per key")
    finally:
        tmux.kill(name, pid)
    notes = [f"the retrain had ended before {n} of the '{phase}' bursts did" for phase, n in ended_early.items() if n]
    return {
        "keys": KEYS,
        "idle_ms": median(idle),
        "started_ms": median(started),
        "under_way_ms": median(under_way),
        "started_ratio": median(started) / median(idle),
        "under_way_ratio": median(under_way) / median(idle),
        "job_ended_early": ended_early,
        "note": "; ".join(notes) or None,
        "samples": {"idle": idle, "started": started, "under_way": under_way},
    }
