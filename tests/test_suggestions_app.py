"""Suggestions in the app: stored at parse, shown and accepted in the reader, recorded with
every label, exported, trained on, refreshed, and falling back when a model is damaged.

Real spaCy, real SQLite files, the real CLI in subprocesses, the reader through Pilot."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.model import LabelSet
from reader.store import Store
from reader.tui.app import ReaderApp
from reader.jobs import Trained
from reader.tui.messages import ModelTrained
from reader.tui.widgets.article_view import ArticleView
from tests.conftest import cli_env, run_reader, trained_copy

SIZE = (110, 36)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def label_like_the_cold_start(db: Path, annotator: str = "asha", flip_every: int = 0, swap: bool = False) -> int:
    """Label every sentence of every sample article as its suggestion says, refined by the
    sentence encoder as the reader shows it (every flip_every-th one otherwise): enough labels
    in several articles to train on. With swap, this annotator's habit is to call claims
    background and background claims: a model learns that and beats the cold start, so it is
    kept."""
    from reader.refine import refine

    labels = ("commitment", "claim", "background")
    swapped = {"claim": "background", "background": "claim", "commitment": "commitment"}
    n = 0
    with Store(db) as store:
        list(refine(store))
        for article_id in store.article_ids():
            for index, suggestion in sorted(store.suggestions(article_id, LabelSet().key).items()):
                label = swapped[suggestion.label] if swap else suggestion.label
                if flip_every and index % flip_every == 0:
                    label = labels[(labels.index(label) + 1) % 3]
                store.set_label(article_id, index, label, annotator)
                n += 1
    return n


# --- stored at parse --------------------------------------------------------------------------


def test_every_sentence_gets_a_cold_start_suggestion_at_parse(db: Path) -> None:
    sentences = rows(db, "SELECT count(*) FROM sentences")[0][0]
    stored = rows(db, "SELECT label, score, scores, source FROM suggestions WHERE label_set = 'commitment,claim,background'")
    assert len(stored) == sentences > 80
    for label, score, scores, source in stored:
        probs = json.loads(scores)
        assert source == "cold-start" and abs(sum(probs.values()) - 1) < 1e-6
        assert max(probs, key=probs.get) == label and abs(probs[label] - score) < 1e-9
    assert {r[0] for r in stored} == {"commitment", "claim", "background"}


def test_the_india_sample_gets_sensible_suggestions(db: Path, india: str) -> None:
    with Store(db) as store:
        texts = {s.index: store.article(india).text[s.start : s.end] for s in store.sentences(india)}
        found = store.suggestions(india, LabelSet().key)
    def label_of(start: str) -> str:
        (index,) = [i for i, text in texts.items() if text.startswith(start)]
        return found[index].label

    assert label_of("Under the new workplan, each country agreed") == "commitment"
    assert label_of("New Delhi rejected the allegations") == "claim"
    assert label_of("OTTAWA, 8 February 2026") == "background"


# --- in the reader ----------------------------------------------------------------------------


async def test_suggestions_show_dim_and_enter_accepts_them(db: Path, india: str) -> None:
    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(ArticleView)
        suggestion = screen.session.suggestions[0]
        # a lower-case, dim mark where there is no label; the status bar names it with its score
        gutter = view._paint(0).text[: view._left() + 5]  # noqa: SLF001
        assert suggestion.label[0] in gutter and suggestion.label[0].upper() not in gutter
        assert f"suggested: {suggestion.label} {suggestion.score:.2f}" in screen.status_text().plain
        await pilot.press("enter")
        assert view.cursor == 1
        ((label, provenance, suggested),) = rows(db, "SELECT label, provenance, suggested FROM annotations WHERE sentence_index = 0 AND article_id = ?", india)
        assert (label, provenance) == (suggestion.label, "suggestion")
        assert json.loads(suggested) == {"label": suggestion.label, "score": round(suggestion.score, 4), "source": "cold-start"}
        # a digit overrides, and still records what was suggested
        other = next(n for n in ("commitment", "claim", "background") if n != screen.session.suggestions[1].label)
        await pilot.press(str(("commitment", "claim", "background").index(other) + 1))
        ((label, provenance, suggested),) = rows(db, "SELECT label, provenance, suggested FROM annotations WHERE sentence_index = 1 AND article_id = ?", india)
        assert label == other and provenance is None and json.loads(suggested)["label"] != other
        # S hides the marks and the status line; the label marks stay
        await pilot.press("S")
        assert "suggested:" not in screen.status_text().plain
        assert screen.session.mark(5).suggestion is None and screen.session.mark(0).label == suggestion.label


async def test_l_walks_the_least_sure_unlabelled_sentences(db: Path, india: str) -> None:
    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session = app.screen.session
        view = app.screen.query_one(ArticleView)
        order = sorted(session.suggestions, key=lambda i: (session.suggestions[i].score, i))
        visited = []
        for _ in range(3):
            await pilot.press("l")
            visited.append(view.cursor)
        assert visited == order[:3]
        await pilot.press("1")  # labelled: it leaves the walk
        await pilot.press("l")
        assert view.cursor != visited[-1] and view.cursor not in session.labels


async def test_an_article_stored_before_suggestions_gets_them_in_the_background(db: Path, india: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM suggestions WHERE article_id = ?", (india,))
    conn.commit()
    conn.close()
    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(1800):  # `reader _work` runs at nice 10: beside a busy test worker it may take minutes
            await pilot.pause(0.1)
            if app.screen.session.suggestions:
                break
        total = len(app.screen.session.sentences)
        assert len(app.screen.session.suggestions) == total
    assert rows(db, "SELECT count(*) FROM suggestions WHERE article_id = ?", india)[0][0] == total


async def test_a_retrain_starts_in_the_background_after_n_labels(db: Path, india: str) -> None:
    label_like_the_cold_start(db, flip_every=7)
    with Store(db) as store:
        for i in range(6):
            store.set_label(india, i, None, "asha")
    trained: list[Trained] = []
    app = ReaderApp(Store(db), annotator="asha", article_id=india, retrain_every=3)
    async with app.run_test(size=SIZE, message_hook=lambda m: trained.append(m.report) if isinstance(m, ModelTrained) else None) as pilot:
        await pilot.pause()
        t0 = time.monotonic()
        await pilot.press("1", "2", "3")
        assert time.monotonic() - t0 < 30  # the keys never waited for the training
        for _ in range(6000):  # the training runs at nice 10 (about 25 s alone): beside busy test workers, minutes (CI once needed over 5)
            await pilot.pause(0.1)
            if trained:
                break
        assert trained and trained[0].baseline and 0 <= trained[0].macro_f1 <= 1
    assert rows(db, "SELECT count(*) FROM models")[0][0] == 1


# --- the command line -------------------------------------------------------------------------


def test_train_refuses_too_few_labels_and_a_single_class(db: Path) -> None:
    proc = run_reader("train", "--db", str(db))
    assert proc.returncode == 2 and proc.stderr.startswith("reader: too few labels") and "Traceback" not in proc.stderr
    with Store(db) as store:
        for article_id in store.article_ids():
            for i in range(8):
                store.set_label(article_id, i, "claim", "asha")
    proc = run_reader("train", "--db", str(db))
    assert proc.returncode == 2 and "at least two labels" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_a_training_that_keeps_nothing_says_why(db: Path) -> None:
    """After some 50 labels that all agree with the cold start's suggestions, `reader train`
    printed the cold start's figures and "not kept: it does not beat the cold start, which stays
    in use": read as "learning does nothing". It says why, with both figures, in two lines.
    The suggestions are the ones a user sees: refined by the sentence encoder (`reader refresh`)."""
    assert run_reader("refresh", "--db", str(db)).returncode == 0
    n = 0
    with Store(db) as store:
        for article_id in store.article_ids():
            for index, suggestion in sorted(store.suggestions(article_id, LabelSet().key).items())[:12]:
                store.set_label(article_id, index, suggestion.label, "asha")
                n += 1
    proc = run_reader("train", "--db", str(db), "--no-refresh", timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("not kept"))
    assert re.fullmatch(rf"not kept: the retrained model did not beat the cold start on your {n} held-out labels "
                        r"\(macro-F1 [01]\.\d{3} against 1\.000\); the suggestions stay as they are", lines[at]), lines[at]
    assert lines[at + 1] == (f"all {n} agree with the suggestions of the cold start, so they give it nothing new to learn: "
                             "it learns from labels that correct a suggestion")
    assert lines[at + 2].startswith("took ")


def test_why_a_model_was_not_kept_names_the_model_in_use_and_the_corrections() -> None:
    from reader.cli.learning import _why_not_kept
    from reader.learn import Report, Scores

    def scores(macro: float, accuracy: float, count: int) -> Scores:
        return Scores({}, macro, accuracy, count)

    # against a kept model, on the 40 labels it was not trained on: the candidate's figure there
    report = Report("new", 90, 5, scores(0.9, 0.9, 90), scores(0.82, 0.95, 40), "model 20260301-101500-0042", False, None, 1.0,
                    compared=scores(0.8, 0.9, 40))
    assert _why_not_kept(report) == [
        "not kept: the retrained model did not beat the model in use (20260301-101500-0042) on your 40 held-out labels "
        "(macro-F1 0.800 against 0.820); the suggestions stay as they are",
        "2 of those 40 labels correct a suggestion of the model in use (20260301-101500-0042): those are what it learns from",
    ]
    report = Report("new", 30, 3, scores(0.4, 0.5, 30), scores(0.45, 0.6, 30), "always 'pledge'", False, None, 1.0)
    assert _why_not_kept(report) == ["not kept: the retrained model did not beat labelling everything 'pledge' on your 30 "
                                     "held-out labels (macro-F1 0.400 against 0.450); these labels get suggestions once a model is kept"]


def test_train_scores_held_out_keeps_a_spacy_pipeline_and_refreshes(trained: dict) -> None:
    # `reader train --db DB --json -o OUT` after label_like_the_cold_start(DB, swap=True)
    proc, db, out = trained["proc"], trained["db"], trained["pipeline"]
    report = json.loads(proc.stdout)
    assert report["labels"] > 80 and report["articles"] == 4
    held = report["held_out"]
    assert set(held["per_label"]) == {"commitment", "claim", "background"} and 0 <= held["macro_f1"] <= 1
    assert report["baseline"]["name"] == "cold start"
    (model,) = rows(db, "SELECT id, kept, labels, scores FROM models")
    assert model[1] == int(report["kept"]) and model[2] == report["labels"]
    # an ordinary spaCy pipeline: a fresh process loads it and gets probabilities over the labels
    code = "import spacy, sys, json; nlp = spacy.load(sys.argv[1]); print(json.dumps(nlp('Both sides agreed to meet again in May.').cats))"
    loaded = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    cats = json.loads(loaded.stdout)
    assert set(cats) == {"commitment", "claim", "background"} and abs(sum(cats.values()) - 1) < 1e-4
    # it learnt this annotator's habit, so it beats the cold start and replaces its suggestions
    assert report["kept"] and held["macro_f1"] > report["baseline"]["macro_f1"]
    sources = {r[0] for r in rows(db, "SELECT DISTINCT source FROM suggestions")}
    assert sources == {f"model:{report['model']}"}


def test_a_custom_label_set_has_no_cold_start_but_trains(db: Path) -> None:
    with Store(db) as store:
        for n, article_id in enumerate(store.article_ids()):
            for i in range(12):
                store.set_label(article_id, i, ("pledge", "other")[(i + n) % 3 == 0], "asha")
    proc = run_reader("train", "--db", str(db), "--labels", "pledge,other", "--json", timeout=600)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["baseline"]["name"].startswith("always")


def test_export_carries_suggestions_and_provenance(db: Path, india: str) -> None:
    with Store(db) as store:
        shown = store.suggestions(india, LabelSet().key)[2]
        store.set_label(india, 2, shown.label, "asha", provenance="suggestion", suggested=shown)
    proc = run_reader("export", "--db", str(db), "--all", "--suggestions", "--article", india)
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert all(r["suggestion"]["source"] == "cold-start" for r in records)
    (labelled,) = [r for r in records if r["label"]]
    assert labelled["suggested"] == shown.record() and labelled["provenance"] == "suggestion"
    stats = json.loads(run_reader("stats", "--db", str(db), "--json", "--annotator", "asha").stdout)
    assert stats["suggestions"]["shown"] == 1 and stats["suggestions"]["accepted_with_enter"] == 1


def test_export_says_which_articles_lack_the_kept_models_suggestions(trained: dict, tmp_path: Path) -> None:
    """The README's way to apply a trained model to a corpus is import, then export --suggestions;
    but import stores the cold start's suggestions, so an article imported after a model was kept
    went out with the cold start's as if they were the model's, and not a word said."""
    db = trained_copy(trained, tmp_path)
    model = json.loads(trained["proc"].stdout)["model"]
    before = run_reader("export", "--db", str(db), "--all", "--suggestions")
    assert before.returncode == 0 and "no suggestions of the model in use" not in before.stderr, before.stderr
    story = tmp_path / "later.txt"
    story.write_text("Council pledges new bridge\n\nThe council promised to build a new bridge by 2030.\n", encoding="utf-8")
    assert run_reader("import", "--db", str(db), str(story)).returncode == 0
    after = run_reader("export", "--db", str(db), "--all", "--suggestions")
    assert after.returncode == 0, after.stderr
    later = [json.loads(line) for line in after.stdout.splitlines() if "bridge" in line]
    assert later and all(r["suggestion"]["source"] == "cold-start" for r in later)  # what import stored
    assert (f"reader: note: 1 article has no suggestions of the model in use ({model}) yet: "
            "`reader refresh` stores them (so does opening it in the reader)") in after.stderr.splitlines()


def test_reader_refresh_stores_the_kept_models_suggestions_for_articles_imported_after_it(trained: dict, tmp_path: Path) -> None:
    """An NLP engineer applying a kept model to a corpus imported after it had no command for it:
    the articles carried the cold start's suggestions until each was opened in the reader.
    `reader refresh` stores the model's for the articles without them, and only those."""
    db = trained_copy(trained, tmp_path)
    model = json.loads(trained["proc"].stdout)["model"]
    story = tmp_path / "later.txt"
    story.write_text("Council pledges new bridge\n\nThe council promised to build a new bridge by 2030.\n", encoding="utf-8")
    assert run_reader("import", "--db", str(db), str(story)).returncode == 0
    done = run_reader("refresh", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"stored the suggestions of model {model} for 1 article",
                                        "refined the suggestions of 1 article with the sentence encoder"]
    after = run_reader("export", "--db", str(db), "--all", "--suggestions")
    assert after.returncode == 0 and "no suggestions" not in after.stderr, after.stderr
    later = [json.loads(line) for line in after.stdout.splitlines() if "bridge" in line]
    assert later and all(r["suggestion"]["source"] == f"model:{model}" for r in later)
    again = run_reader("refresh", "--db", str(db))
    assert again.returncode == 0 and again.stdout.strip() == f"every article has the suggestions of model {model}"
    own = run_reader("--labels", "promise,threat,other", "refresh", "--db", str(db))
    assert own.returncode == 2 and "no model is kept for the label set promise,threat,other" in own.stderr


# --- faults -----------------------------------------------------------------------------------


def test_a_damaged_model_falls_back_to_the_cold_start(trained: dict, tmp_path: Path) -> None:
    from reader import learn

    db = trained_copy(trained, tmp_path)  # a kept model, trained on the samples labelled as the cold start swapped
    report = json.loads(trained["proc"].stdout)
    assert report["kept"]
    with Store(db) as store:
        assert store.current_model(LabelSet().key).id == report["model"]
        (learn.models_dir(db) / report["model"] / "reader_suggester" / "model.npz").write_bytes(b"not a model")
        suggester = learn.Suggester(store, LabelSet())
        assert suggester.warning and "cold-start" in suggester.warning and suggester.source == "cold-start"
    proc = run_reader("_work", "suggest", "--db", str(db), timeout=300)
    assert proc.returncode == 0 and '"warning"' in proc.stdout


def test_killing_training_leaves_no_half_model(db: Path) -> None:
    label_like_the_cold_start(db, flip_every=6)
    env = {k: v for k, v in os.environ.items() if not k.startswith("READER_")}
    for delay in (2.5, 5.0):
        proc = subprocess.Popen([sys.executable, "-m", "reader", "train", "--db", str(db)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        folder = db.with_name(db.name + ".models")
        registered = {r[0] for r in rows(db, "SELECT path FROM models")}
        on_disk = {p.name for p in folder.iterdir()} if folder.exists() else set()
        # a directory the register does not know is only ever a .part- left by the kill
        assert all(name.startswith(".part-") for name in on_disk - registered)
        with Store(db) as store:
            assert store.current_model(LabelSet().key) is None or (folder / store.current_model(LabelSet().key).path).is_dir()
    # the next training clears what the kills left and works
    assert run_reader("train", "--db", str(db), "--no-refresh", timeout=600).returncode == 0
    folder = db.with_name(db.name + ".models")  # gone, when its model was not kept and nothing else is in it
    assert not folder.exists() or not [p for p in folder.iterdir() if p.name.startswith(".part-")]
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS has one thread anyway")
def test_training_runs_blas_on_one_thread(trained, tmp_path):
    """OpenBLAS's threads spin between the solvers' many small products: on two cores a training
    took three times as long with them, and in the background they took the reader's core. In a
    process where nothing limits BLAS (no OPENBLAS_NUM_THREADS), `learn.train` holds it to one
    thread while it runs, however many it had before."""
    db = trained_copy(trained, tmp_path)
    script = (
        "import json, sys\n"
        "import numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "from reader import learn\n"
        "from reader.model import DEFAULT_LABELS, LabelSet\n"
        "from reader.store import Store\n"
        "def blas():\n"
        "    return max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas')\n"
        "seen = []\n"
        "before = blas()\n"
        "with Store(sys.argv[1]) as store:\n"
        "    learn.train(store, LabelSet(DEFAULT_LABELS), progress=lambda stage, done, total: seen.append(blas()))\n"
        "print(json.dumps({'before': before, 'during': sorted(set(seen)), 'after': blas()}))\n"
    )
    env = {k: v for k, v in cli_env().items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["before"] >= 2 and found["during"] == [1] and found["after"] == found["before"], found
