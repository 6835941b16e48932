"""Goal 3, ingest: `reader import` of the 24 GUM Wikinews articles against bare spaCy
(`nlp.pipe` over the same texts with the same model, every component), both whole processes;
goal <= 1.3x. Also `--jobs 2` against `--jobs 1`.

reader runs every component of the model too (it needs the lemmas for its suggestions) and,
at import, also computes the cold start's suggestion for every sentence and extracts the
commitments of those suggested to be commitments: the floor does none of that.

The texts are third-party and live outside the repository (../shared/corpus/gum-news);
without them this part is skipped with a note.
"""

from __future__ import annotations

from benchmarks.common import BENCH, GUM_NEWS, MODEL, PYTHON, READER, clean_env, median, run_process, say
from benchmarks.fixtures import Articles


def run(articles: Articles, reps: int) -> dict:
    files = sorted(GUM_NEWS.glob("*.txt")) if GUM_NEWS.is_dir() else []
    if not files:
        return {"skipped": f"{GUM_NEWS} is absent: the ingest benchmark needs the 24 GUM news texts"}
    work = articles.work / "ingest"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    names = [str(f) for f in files]

    def reader(jobs: int, tag: str) -> float:
        db = work / f"{tag}.db"
        for suffix in ("", "-wal", "-shm"):
            (work / f"{tag}.db{suffix}").unlink(missing_ok=True)
        return run_process([*READER, "import", "--db", str(db), "--model", MODEL, "--jobs", str(jobs), *names], env=env).seconds

    def bare() -> float:
        return run_process([PYTHON, str(BENCH / "bare_spacy.py"), MODEL, *names], env=env).seconds

    # Untimed: byte code, the page cache and spaCy's data files warm up.
    bare()
    reader(1, "warm")
    floors, ones, twos = [], [], []
    for i in range(reps):
        floors.append(bare())
        ones.append(reader(1, f"jobs1-{i}"))
        twos.append(reader(2, f"jobs2-{i}"))
        say(f"  ingest {i + 1}/{reps}: bare spaCy {floors[-1]:.2f} s, reader import {ones[-1]:.2f} s, --jobs 2 {twos[-1]:.2f} s")
    return {
        "articles": len(files),
        "floor_s": median(floors),
        "reader_s": median(ones),
        "reader_jobs2_s": median(twos),
        "ratio": median(ones) / median(floors),
        "jobs2_speedup": median(ones) / median(twos),
        "samples": {"bare": floors, "jobs1": ones, "jobs2": twos},
    }
