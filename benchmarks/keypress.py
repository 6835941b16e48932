"""Goal 2, keypresses: a cursor move (`j`) and a label (`1`), handled and repainted, on the
40-, 1,000- and 5,000-sentence articles; goal: 5,000 sentences within 1.5x of 40.

- headless, Pilot: each key timed on its own, key event to repaint (benchmarks/pilot_keys.py);
- real terminal, tmux: the keys typed in one burst (`send-keys`), timed until the status bar
  reads `sentence K+1/N` in the program's output (pipe-pane). K is 39 for the like-for-like
  ratio (the 40-sentence article has only 39 moves to make) and 100 as well on the longer
  articles. Labels use `1`, `2`, `3` in turn, so every press is a change.
- peak RSS (VmHWM) of the reader with the 5,000-sentence article open, after the keys.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from benchmarks.common import PYTHON, READER, Stream, Tmux, clean_env, median, peak_rss_mb, say
from benchmarks.fixtures import SIZES, Articles

LIKE_FOR_LIKE = 39  # moves available in the 40-sentence article
BURST = 100


def pilot(articles: Articles, reps: int) -> dict:
    work = articles.work / "pilot"
    work.mkdir(exist_ok=True)
    out = {}
    for n in SIZES:
        db = articles.copy_db(work / f"pilot-{n}.db")
        result = subprocess.run(
            [PYTHON, "-m", "benchmarks.pilot_keys", str(db), articles.ids[n], str(LIKE_FOR_LIKE), str(reps)],
            capture_output=True, text=True, env=clean_env(work), cwd=str(Path(__file__).resolve().parents[1]),
        )
        if result.returncode != 0:
            raise RuntimeError(f"pilot_keys failed for {n} sentences:\n{result.stderr[-3000:]}")
        data = json.loads(result.stdout)
        out[n] = {"move_ms": median(data["move_ms"]), "label_ms": median(data["label_ms"]), "samples": data}
        say(f"  pilot {n} sentences: move {out[n]['move_ms']:.2f} ms, label {out[n]['label_ms']:.2f} ms per key")
    return out


def terminal(articles: Articles, tmux: Tmux, reps: int) -> dict:
    work = articles.work / "tmux-keys"
    work.mkdir(exist_ok=True)
    config = work / "empty.toml"
    config.write_text("")
    out: dict = {}
    for n in SIZES:
        total = articles.sentences[n]
        db = articles.copy_db(work / f"keys-{n}.db")
        name = f"keys-{n}"
        stream = Stream(work / f"{name}.out")
        argv = [*READER, str(articles.files[n]), "--db", str(db), "--config", str(config)]
        pid = tmux.start(name, argv, clean_env(work), work / f"{name}.stamp", output=stream.path)
        try:
            tmux.wait_screen(name, rf"sentence 1/{total}\b")

            def burst(keys: str, count: int, name: str = name, total: int = total, stream: Stream = stream) -> float:
                tmux.send(name, "g")
                tmux.wait_screen(name, rf"sentence 1/{total}\b")
                time.sleep(0.05)
                stream.skip()
                start = time.time()
                tmux.send(name, keys)
                end = stream.wait_for(rf"sentence {count + 1}/{total}(?!\d)".encode())
                return 1000 * (end - start) / count

            result: dict = {}
            counts = [LIKE_FOR_LIKE] + ([BURST] if total > BURST else [])
            for count in counts:
                moves, labels = [], []
                for rep in range(2 * reps + 1):  # short and cheap: twice the repetitions; the first is dropped
                    move = burst("j" * count, count)
                    label = burst(str(1 + rep % 3) * count, count)
                    if rep:
                        moves.append(move)
                        labels.append(label)
                result[count] = {"move_ms": median(moves), "label_ms": median(labels), "samples": {"move": moves, "label": labels}}
                say(f"  tmux {n} sentences, {count} keys: move {result[count]['move_ms']:.2f} ms, label {result[count]['label_ms']:.2f} ms per key")
            assert re.search(rf"sentence {counts[-1] + 1}/{total}\b", tmux.screen(name)), tmux.screen(name)
            result["peak_rss_mb"] = peak_rss_mb(pid)
            out[n] = result
        finally:
            tmux.kill(name, pid)
    return out
