"""train: `reader train --db DB --no-refresh --json` on the 762 GUM news gold labels, against
the same spaCy work without reader (benchmarks/train_floor.py); goal <= 1.3x.

The labels are restored with `reader import --db DB ../shared/corpus/gum-news/labels.jsonl`
(24 articles, 762 labelled sentences, annotator "gold"), once; every repetition trains on a
fresh copy of that database. Both are whole processes. The floor loads the same model, parses
the same sentences the same way (paragraphs through one `nlp.pipe`, each sentence a Span in
its paragraph) and runs `learn.choose` with the same folds and `learn.fit` once:
exactly the training reader performs, without the store, the CLI, the cold-start baseline
reader scores against, or the model written and registered. The floor's held-out macro-F1
must equal reader's (same data, deterministic fit); a difference is reported.

Also recorded: the seconds reader itself reports (`seconds` in its JSON: `learn.train` from
reading the labels to registering the model) and the floor's own, after its start-up.

The labels are third-party and live outside the repository; without them the part is
skipped with a note.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from benchmarks.common import BENCH, GUM_NEWS, MODEL, PYTHON, READER, clean_env, median, run_process, say
from benchmarks.fixtures import Articles

LABELS = GUM_NEWS / "labels.jsonl"


def _run_json(argv: list[str], env: dict[str, str], out: Path) -> tuple[float, dict]:
    with open(out, "w", encoding="utf-8") as handle:
        seconds = run_process(argv, env=env, stdout=handle).seconds
    return seconds, json.loads(out.read_text(encoding="utf-8"))


def run(articles: Articles, reps: int) -> dict:
    if not LABELS.is_file():
        return {"skipped": f"{LABELS} is absent: the train benchmark needs the GUM news gold labels"}
    work = articles.work / "train"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    template = work / "gum-gold.db"
    run_process([*READER, "import", "--db", str(template), str(LABELS)], env=env)
    # Untimed: byte code of the training modules (every other file is warm from the fixtures).
    run_process([PYTHON, "-c", "import reader.learn, reader.suggest.component, reader.cli.learning"], env=env)

    def fresh(tag: str) -> Path:
        db = work / f"{tag}.db"
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        shutil.rmtree(work / f"{tag}.db.models", ignore_errors=True)
        shutil.copy(template, db)
        return db

    def reader(i: int) -> tuple[float, dict]:
        db = fresh(f"reader-{i}")
        return _run_json([*READER, "train", "--db", str(db), "--no-refresh", "--json", "--model", MODEL], env, work / f"reader-{i}.json")

    def floor(i: int) -> tuple[float, dict]:
        db = fresh(f"floor-{i}")
        return _run_json([PYTHON, str(BENCH / "train_floor.py"), str(db), MODEL], env, work / f"floor-{i}.json")

    samples: dict[str, list[float]] = {"reader_s": [], "floor_s": [], "reader_inside_s": [], "floor_inside_s": []}
    differ = None
    for i in range(reps):
        # Alternate which goes first: a busy spell of the machine should not always hit the same one.
        if i % 2 == 0:
            r_s, r = reader(i)
            f_s, f = floor(i)
        else:
            f_s, f = floor(i)
            r_s, r = reader(i)
        samples["reader_s"].append(r_s)
        samples["floor_s"].append(f_s)
        samples["reader_inside_s"].append(r["seconds"])
        samples["floor_inside_s"].append(f["seconds"])
        if (r["labels"], r["articles"], r["held_out"]["macro_f1"]) != (f["labels"], f["articles"], f["macro_f1"]):
            differ = (f"reader trained on {r['labels']} labels in {r['articles']} articles (held-out macro-F1 "
                      f"{r['held_out']['macro_f1']}), the floor on {f['labels']} in {f['articles']} ({f['macro_f1']})")
        say(f"  train {i + 1}/{reps}: reader {r_s:.2f} s (it reports {r['seconds']:.2f} s), floor {f_s:.2f} s "
            f"(inside {f['seconds']:.2f} s); {r['labels']} labels, held-out macro-F1 {r['held_out']['macro_f1']}, kept {r['kept']}")
    return {
        "labels": r["labels"],
        "articles": r["articles"],
        "folds": f["folds"],
        "kept": r["kept"],
        "macro_f1": r["held_out"]["macro_f1"],
        "reader_s": median(samples["reader_s"]),
        "floor_s": median(samples["floor_s"]),
        "ratio": median(samples["reader_s"]) / median(samples["floor_s"]),
        "reader_inside_s": median(samples["reader_inside_s"]),
        "floor_inside_s": median(samples["floor_inside_s"]),
        "floor_differs": differ,
        "samples": samples,
    }
