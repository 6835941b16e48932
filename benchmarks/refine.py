"""refine: the sentence encoder reading the 1,000-sentence article and mixing its scores into
the stored suggestions, against bare spaCy parsing the same text (no goal: it never runs at
import or in the reader's process; the ratio is what the second reading costs beside the first).

Each repetition, on a fresh copy of the parsed template as import left it (the encoder reads a
sentence once, so a used copy has nothing left): the background job the reader starts, `python -m reader _work
refine --db DB` (it loads the int8 ONNX encoder, scores every stored sentence one at a time and
stores the scores and the refined suggestions article by article; the template's other two
articles add 1,040 sentences, counted), whole process, at nice 10 as the job lowers itself. The
floor: benchmarks/bare_spacy.py with `--lines` over the same three articles at nice 10, whole
process. Figures: seconds, and sentences per second.
"""

from __future__ import annotations

import sqlite3

from benchmarks.common import BENCH, MODEL, PYTHON, against_spacy, clean_env, run_process
from benchmarks.fixtures import Articles


def run(articles: Articles, reps: int) -> dict:
    work = articles.work / "refine"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    sentences = sum(articles.sentences.values())

    def reader(i: int) -> float:
        db = articles.copy_db(work / f"refine-{i}.db", unrefined=True)
        seconds = run_process([PYTHON, "-m", "reader", "_work", "refine", "--db", str(db), "--model", MODEL], env=env).seconds
        conn = sqlite3.connect(db)
        try:
            (encoded,) = conn.execute("SELECT count(*) FROM encoded").fetchone()
        finally:
            conn.close()
        if encoded != sentences:
            raise RuntimeError(f"`reader _work refine` scored {encoded} of {sentences} sentences")
        return seconds

    def floor() -> float:
        return run_process(["nice", "-n", "10", PYTHON, str(BENCH / "bare_spacy.py"), MODEL,
                            *map(str, articles.files.values()), "--lines"], env=env).seconds

    run_process([PYTHON, "-c", "import reader.refine, reader.suggest.encoder, onnxruntime, tokenizers"], env=env)  # byte code
    return against_spacy(reps, "refine", "reader _work refine", sentences, reader, floor)
