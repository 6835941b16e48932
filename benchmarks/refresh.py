"""refresh: storing fresh suggestions for the 5,000-sentence article once a trained model is
kept, against bare spaCy parsing the same text (no goal: the ratio is what the model's own
work costs on top of the parse).

Set-up (untimed): a copy of fixtures.labelled (1,040 labels in the 40- and 1,000-sentence
articles, a user's consistent departure from the cold start) trained once with
`reader train --no-refresh`, which keeps its model (checked). Then, each repetition, the
background job the reader starts for an article whose suggestions are older than the model:
`python -m reader _work suggest ARTICLE --db DB` (it loads the kept pipeline, parses the
article's stored sentences paragraph by paragraph, runs the model on every sentence and
replaces the article's 5,000 stored suggestions in one transaction), whole process. The job
lowers its own priority (nice 10), so the floor runs at nice 10 too: benchmarks/bare_spacy.py
with `--lines`, `spacy.load` of the same base model and one `nlp.pipe` over the article's
paragraphs (its non-blank lines), whole process. Figures: seconds, and sentences per second.
"""

from __future__ import annotations

import json
import sqlite3

from benchmarks.common import BENCH, MODEL, PYTHON, READER, against_spacy, clean_env, run_process
from benchmarks.fixtures import Articles, labelled

SIZE = 5000
LABEL_SET = "commitment,claim,background"


def run(articles: Articles, reps: int) -> dict:
    work = articles.work / "refresh"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    db = labelled(articles, work / "refresh.db")
    report = work / "train.json"
    with open(report, "w", encoding="utf-8") as out:
        run_process([*READER, "train", "--db", str(db), "--no-refresh", "--json", "--model", MODEL], env=env, stdout=out)
    trained = json.loads(report.read_text(encoding="utf-8"))
    if not trained["kept"]:
        raise RuntimeError(f"training did not keep its model (held-out macro-F1 {trained['held_out']['macro_f1']} against "
                           f"{trained['baseline']['macro_f1']} for the {trained['baseline']['name']}): nothing to refresh with")
    article_id = articles.ids[SIZE]
    sentences = articles.sentences[SIZE]
    text = articles.files[SIZE]

    def reader(i: int) -> float:
        out_path = work / f"suggest-{i}.out"
        with open(out_path, "w", encoding="utf-8") as out:
            seconds = run_process([PYTHON, "-m", "reader", "_work", "suggest", article_id, "--db", str(db), "--model", MODEL],
                                  env=env, stdout=out).seconds
        events = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if {"suggested": article_id} not in events or any("suggested" in e and e["suggested"] != article_id for e in events):
            raise RuntimeError(f"`reader _work suggest` did not refresh exactly the article asked for: {events}")
        return seconds

    def floor() -> float:
        return run_process(["nice", "-n", "10", PYTHON, str(BENCH / "bare_spacy.py"), MODEL, str(text), "--lines"], env=env).seconds

    # Untimed: byte code of the modules the job needs beyond the fixtures' import.
    run_process([PYTHON, "-c", "import reader.learn, reader.suggest.component, reader.cli.learning"], env=env)
    figures = against_spacy(reps, "refresh", "reader _work suggest", sentences, reader, floor)
    conn = sqlite3.connect(db)
    try:
        sources = dict(conn.execute("SELECT source, count(*) FROM suggestions WHERE article_id = ? AND label_set = ? GROUP BY source",
                                    (article_id, LABEL_SET)).fetchall())
    finally:
        conn.close()
    if sources != {f"model:{trained['model']}": sentences}:
        raise RuntimeError(f"after the refresh the article's suggestions come from {sources}, not all {sentences} from the kept model")
    return {**figures, "model": trained["model"]}
