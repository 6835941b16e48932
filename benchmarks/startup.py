"""Goal 1, start-up: process start to the first complete paint, in a real terminal (tmux).

- reader, an already-imported 40-sentence article: `reader FILE` until the terminal has been
  sent both the status bar `sentence 1/40` and the article's first body words (with the
  entity colours between them, if any): the article screen is built with its sentences,
  entities and status together, so that is the first complete paint;
- the floor: benchmarks/floor_app.py, a bare Textual app showing the same text in a Static,
  until the terminal has been sent the article's first body sentence;
- reader, an article not imported yet: until the first body sentence is sent (text at once),
  then until `sentence 1/40` (spaCy has loaded and parsed in the background);
- reader, an imported article in a library of 4,000 articles (the export benchmark's
  database), against the floor showing the same text.

"Process start" is time.time() in the pane's shell just before it execs the program; the
paint is the moment the frame's bytes are in the program's terminal output (tmux pipe-pane,
polled every 2 ms). Nothing in reader is instrumented. Floor and reader runs alternate, and
the ratio is the median of each reader run over the floor run just before it, so that load which
comes and goes on a shared 2-core machine weighs on both sides of each ratio: the floor alone
ranged 0.21-0.35 s within one quiet run, and a ratio of the two medians read 0.98x in one run and
1.61x in the next. The issue's own measure is `../shared/tools/startup_ratio.py`.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from benchmarks.common import BENCH, PYTHON, READER, Stream, Tmux, clean_env, median, read_stamp, say
from benchmarks.corpus import generate
from benchmarks.fixtures import Articles

SIZE = 40


def first_words(text: str) -> bytes:
    """The opening words of the first body paragraph: shown only where the article text is.

    Entity colours may sit between words (escape sequences), never inside one."""
    body = [line for line in text.splitlines() if line.strip()][1]
    words = [re.escape(word.encode("utf-8")) for word in body.split()[:5]]
    return rb"(?:\x1b\[[0-9;]*m| )+".join(words)


def complete(text: str, status: bytes) -> dict[str, bytes]:
    """Marks of a complete paint: the status bar and the body text (the later of the two)."""
    return {"status": status, "text": first_words(text)}


def paired(reader: list[float], floors: list[float]) -> float:
    """The median of reader[i] / floors[i]: each reader run against the floor run beside it."""
    return median([r / f for r, f in zip(reader, floors, strict=True)])


def _open(tmux: Tmux, work: Path, tag: str, argv: list[str], env: dict[str, str], marks: dict[str, bytes]) -> dict[str, float]:
    """Start a program; for each mark (in order) seconds from process start until it was painted."""
    stamp, output = work / f"{tag}.stamp", work / f"{tag}.out"
    for path in (stamp, output):
        path.unlink(missing_ok=True)
    pid = tmux.start(tag, argv, env, stamp, output=output)
    stream = Stream(output)
    try:
        times = {name: stream.wait_for(pattern) for name, pattern in marks.items()}
        start = read_stamp(stamp)
    finally:
        tmux.kill(tag, pid)
    return {name: t - start for name, t in times.items()}


def run(articles: Articles, tmux: Tmux, reps: int, library: Path | None = None) -> dict:
    work = articles.work / "startup"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    config = work / "empty.toml"
    config.write_text("")
    text_file = articles.files[SIZE]
    status = rf"sentence 1/{SIZE}(?!\d)".encode()

    def reader(db: Path, target: Path, marks: dict[str, bytes], tag: str) -> dict[str, float]:
        argv = [*READER, str(target), "--db", str(db), "--config", str(config)]
        return _open(tmux, work, tag, argv, env, marks)

    def floor(tag: str) -> float:
        argv = [PYTHON, str(BENCH / "floor_app.py"), str(text_file)]
        return _open(tmux, work, tag, argv, env, {"text": first_words(text_file.read_text())})["text"]

    fresh = work / "not-imported.txt"
    fresh.write_text(generate(SIZE, seed=1).text, encoding="utf-8")
    fresh_marks = {"text": first_words(fresh.read_text()), "entities": status}

    # One untimed round first: byte code, the page cache and tmux itself warm up.
    floor("warm-floor")
    parsed_marks = complete(text_file.read_text(), status)
    reader(articles.copy_db(work / "warm.db"), text_file, parsed_marks, "warm-reader")
    reader(articles.copy_db(work / "warm-fresh.db"), fresh, fresh_marks, "warm-fresh")

    floors, parsed, first_text, first_entities = [], [], [], []
    for i in range(2 * reps):  # cheap and noisy: twice the repetitions
        floors.append(floor(f"floor-{i}"))
        parsed.append(max(reader(articles.copy_db(work / f"parsed-{i}.db"), text_file, parsed_marks, f"parsed-{i}").values()))
        line = f"  start-up {i + 1}/{2 * reps}: floor {floors[-1]:.3f} s, reader {parsed[-1]:.3f} s"
        if i < reps:  # each of these loads spaCy: the plain repetitions are enough
            first = reader(articles.copy_db(work / f"fresh-{i}.db"), fresh, fresh_marks, f"fresh-{i}")
            first_text.append(first["text"])
            first_entities.append(first["entities"])
            line += f", not imported: text {first_text[-1]:.3f} s, entities {first_entities[-1]:.3f} s"
        say(line)
    result = {
        "floor_s": median(floors),
        "reader_s": median(parsed),
        "ratio": paired(parsed, floors),
        "first_open_text_s": median(first_text),
        "first_open_entities_s": median(first_entities),
        "first_open_text_ratio": paired(first_text, floors[: len(first_text)]),
        "samples": {"floor": floors, "reader": parsed, "first_open_text": first_text, "first_open_entities": first_entities},
    }
    if library is not None:
        result["library"] = in_library(work, tmux, reps, library, reader, _floor_of(tmux, work, env))
    return result


def _floor_of(tmux: Tmux, work: Path, env: dict[str, str]):
    def floor(text_file: Path, tag: str) -> float:
        argv = [PYTHON, str(BENCH / "floor_app.py"), str(text_file)]
        return _open(tmux, work, tag, argv, env, {"text": first_words(text_file.read_text())})["text"]

    return floor


def in_library(work: Path, tmux: Tmux, reps: int, source: Path, reader, floor) -> dict:
    """The same start-up, but the article sits in a library of thousands (the export database)."""
    db = work / "library.db"
    shutil.copy(source, db)
    conn = sqlite3.connect(db)
    try:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        article_id, text = conn.execute("SELECT id, text FROM articles ORDER BY imported_at, id LIMIT 1").fetchone()
        total = conn.execute("SELECT count(*) FROM sentences WHERE article_id = ?", (article_id,)).fetchone()[0]
    finally:
        conn.close()
    target = work / "in-library.txt"
    target.write_text(text, encoding="utf-8")
    marks = complete(text, rf"sentence 1/{total}(?!\d)".encode())
    reader(db, target, marks, "library-warm")
    floors, times = [], []
    for i in range(2 * reps):  # cheap and noisy, like the plain start-up: twice the repetitions
        floors.append(floor(target, f"library-floor-{i}"))
        times.append(max(reader(db, target, marks, f"library-{i}").values()))
        say(f"  start-up in a library of {articles:,} articles {i + 1}/{2 * reps}: floor {floors[-1]:.3f} s, reader {times[-1]:.3f} s")
    return {"articles": articles, "floor_s": median(floors), "reader_s": median(times), "ratio": paired(times, floors),
            "samples": {"floor": floors, "reader": times}}
