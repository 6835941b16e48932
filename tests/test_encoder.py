"""The sentence encoder that refines the suggestions (reader.suggest.encoder, reader.refine):
the shipped ONNX file as its own library loads it, the mix with the linear model, the
background job, the export that finishes what the job has not done, and a damaged file."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.jobs import Extracted, Job, Suggested
from reader.model import Suggestion
from reader.suggest import encoder
from reader.suggest.learned import ModelError
from tests.conftest import cli_env, run_reader

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = ROOT / "sample_articles"
TAMSEL = SAMPLES / "tamsel-river-water-accord.txt"


def test_the_shipped_encoder_loads_with_onnx_runtime_in_a_fresh_process() -> None:
    """The files alone, read by onnxruntime and tokenizers (no reader code): what `make encoder`
    wrote is a model any ONNX runtime can run, and the package keeps it under 25 MB."""
    script = (
        "import sys, json, numpy, onnxruntime\nfrom tokenizers import Tokenizer\n"
        "folder = sys.argv[1]\ns = onnxruntime.InferenceSession(folder + '/model.onnx', providers=['CPUExecutionProvider'])\n"
        "t = Tokenizer.from_file(folder + '/tokenizer.json').encode('The ministry will publish the figures in May.')\n"
        "out = s.run(None, {'input_ids': numpy.asarray([t.ids]), 'attention_mask': numpy.asarray([t.attention_mask])})[0]\n"
        "print(json.dumps({'shape': list(out.shape), 'inputs': sorted(i.name for i in s.get_inputs())}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(encoder.ENCODER)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    info = json.loads((encoder.ENCODER / "encoder.json").read_text(encoding="utf-8"))
    assert json.loads(done.stdout) == {"shape": [1, len(info["labels"])], "inputs": ["attention_mask", "input_ids"]}
    assert sum(f.stat().st_size for f in encoder.ENCODER.iterdir()) < 25_000_000


def test_the_encoder_tells_the_three_labels_apart() -> None:
    """Sentences written for this test, one of each kind: a pledge, a reported opinion, a fact."""
    found = encoder.shipped().probabilities([
        "The water board pledged to replace every lead pipe in the district by 2028.",
        "Critics said the plan was far too timid.",
        "The district has about 40,000 households.",
    ])
    assert [max(p, key=p.get) for p in found] == ["commitment", "claim", "background"]
    assert all(math.isclose(sum(p.values()), 1.0, abs_tol=1e-5) for p in found)


def test_a_sentence_scores_the_same_alone_and_among_others() -> None:
    """Scores never depend on the sentences read with it (the int8 model scales activations
    over a whole batch, so the encoder runs one sentence at a time)."""
    one = "The agency pledged to reopen the clinic before winter."
    e = encoder.shipped()
    assert e.probabilities([one]) == [e.probabilities(["Short.", one, "A much longer sentence " * 8])[1]]


def test_refined_is_a_weighted_mean_of_log_probabilities() -> None:
    own = Suggestion("claim", 0.6, {"commitment": 0.3, "claim": 0.6, "background": 0.1}, "cold-start", "report_frame:said")
    enc = {"commitment": 0.9, "claim": 0.05, "background": 0.05}
    assert own.refined(enc, 0.0).scores == pytest.approx(own.scores)
    assert own.refined(enc, 1.0).scores == pytest.approx(enc)
    half = own.refined(enc, 0.5)
    raw = {k: math.sqrt(own.scores[k] * enc[k]) for k in enc}
    assert half.scores == pytest.approx({k: v / sum(raw.values()) for k, v in raw.items()})
    assert half.label == "commitment" and half.reason is None  # the rule spoke for another label
    assert own.refined({"commitment": 0.2, "claim": 0.7, "background": 0.1}, 0.5).reason == "report_frame:said"


@pytest.mark.parametrize("damage", ["truncated", "tokenizer", "missing"])
def test_a_damaged_encoder_is_one_line(tmp_path: Path, damage: str) -> None:
    broken = tmp_path / "encoder"
    shutil.copytree(encoder.ENCODER, broken)
    if damage == "truncated":
        (broken / "model.onnx").write_bytes((broken / "model.onnx").read_bytes()[:5000])
    elif damage == "tokenizer":
        (broken / "tokenizer.json").write_text("{not json", encoding="utf-8")
    else:
        (broken / "model.onnx").unlink()
    with pytest.raises(ModelError) as failed:
        encoder.load(broken)
    assert "\n" not in str(failed.value) and "sentence encoder" in str(failed.value)


def _rows(db: Path) -> dict[tuple[str, int], tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute("""SELECT g.article_id, g.sentence_index, g.label, g.scores, g.unrefined, e.scores, e.weight
                           FROM suggestions g LEFT JOIN encoded e USING (article_id, sentence_index)""").fetchall()
    conn.close()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_export_refines_what_import_left_and_stores_both_scores(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    done = run_reader("import", "--db", str(db), str(TAMSEL))
    assert done.returncode == 0, done.stderr
    before = _rows(db)
    assert before and all(unrefined is None and encoded is None for _, _, unrefined, encoded, _ in before.values())

    first = run_reader("export", "--db", str(db), "--all", "--suggestions", "-o", str(tmp_path / "a.jsonl"))
    assert first.returncode == 0, first.stderr
    assert f"refining the suggestions of {len(before)} sentences with the sentence encoder" in first.stderr
    after = _rows(db)
    assert after.keys() == before.keys()
    moved = 0
    for key, (label, scores, unrefined, encoded, weight) in after.items():
        own = json.loads(unrefined)
        assert own == json.loads(before[key][1])  # the linear model's, kept as it was
        best = max(own, key=own.get)
        mixed = Suggestion(best, own[best], own, "cold-start").refined(json.loads(encoded), weight)
        assert json.loads(scores) == pytest.approx(mixed.scores) and label == mixed.label
        moved += json.loads(scores) != pytest.approx(own, abs=0.01)
    assert moved > len(after) // 2  # the encoder moves the scores, not a no-op
    exported = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {(r["article_id"], r["sentence_index"]): r["suggestion"]["label"] for r in exported} == {k: v[0] for k, v in after.items()}

    again = run_reader("export", "--db", str(db), "--all", "--suggestions", "-o", str(tmp_path / "b.jsonl"))
    assert again.returncode == 0 and "refining" not in again.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_reader_suggest_gives_what_import_and_refinement_store(tmp_path: Path) -> None:
    """`reader suggest` (nothing stored) mixes in the same encoder: the same labels and scores as
    an import refined afterwards."""
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL)).returncode == 0
    assert run_reader("refresh", "--db", str(db)).returncode == 0
    done = run_reader("suggest", str(TAMSEL), "-o", str(tmp_path / "s.jsonl"))
    assert done.returncode == 0, done.stderr
    stored = _rows(db)
    records = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(stored)
    for r in records:
        label, scores = stored[(r["article_id"], r["sentence_index"])][:2]
        assert r["suggestion"] == label
        assert r["scores"] == pytest.approx(json.loads(scores), abs=1e-4)


def test_a_later_suggestion_is_mixed_with_the_stored_encoder_scores(tmp_path: Path) -> None:
    """A retrained model's suggestions (written after the encoder read the sentences) are
    refined as they are stored, without running the encoder again."""
    from reader.refine import refine
    from reader.store import Store
    from reader.store.suggestions import DEFAULT_SET

    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL)).returncode == 0
    with Store(db) as store:
        (article_id,) = store.article_ids()
        assert list(refine(store)) == [article_id]
        assert list(refine(store)) == []  # nothing left to read
        flat = {i: Suggestion("background", 0.4, {"commitment": 0.3, "claim": 0.3, "background": 0.4}, "model:m1")
                for i in store.suggestions(article_id, DEFAULT_SET)}
        store.save_suggestions(article_id, DEFAULT_SET, flat)
    for label, scores, unrefined, encoded, weight in _rows(db).values():
        mixed = flat[0].refined(json.loads(encoded), weight)
        assert json.loads(unrefined) == flat[0].scores
        assert (label, json.loads(scores)) == (mixed.label, pytest.approx(mixed.scores))


def test_the_background_job_refines_every_article_once(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL), str(SAMPLES / "calvera-port-lng-dispute.txt")).returncode == 0
    with sqlite3.connect(db) as conn:
        ids = {r[0] for r in conn.execute("SELECT id FROM articles")}
    # the encoder knows the default labels only (asked while there is work, or it could not fail)
    assert list(Job(db, "refine", labels="yes,no").events()) == []
    assert all(v[2] is None and v[3] is None for v in _rows(db).values())
    events = list(Job(db, "refine").events())
    assert {e.suggested for e in events if isinstance(e, Suggested)} == ids
    assert all(isinstance(e, (Suggested, Extracted)) for e in events)
    assert list(Job(db, "refine").events()) == []  # all read: nothing to do


def test_a_damaged_encoder_leaves_the_linear_suggestions_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "encoder"
    shutil.copytree(encoder.ENCODER, broken)
    (broken / "model.onnx").write_bytes(b"\x08\x07 not a model")
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL)).returncode == 0
    before = _rows(db)
    script = ("import sys, pathlib\nimport reader.suggest.encoder as e\ne.ENCODER = pathlib.Path(sys.argv[1])\n"
              "from reader.cli import main\nsys.exit(main(['export', '--db', sys.argv[2], '--all', '--suggestions', '-o', sys.argv[3]]))\n")
    done = subprocess.run([sys.executable, "-c", script, str(broken), str(db), str(tmp_path / "a.jsonl")],
                          capture_output=True, text=True, env=cli_env(PYTHONPATH=str(ROOT)), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    said = [line for line in done.stderr.splitlines() if "sentence encoder" in line]
    assert len(said) == 1 and "damaged" in said[0] and "the suggestions stay the linear model's" in said[0], done.stderr
    assert _rows(db) == before


@pytest.mark.refine
async def test_the_reader_refines_in_the_background_while_keys_move_on(tmp_path: Path) -> None:
    """Opened on an import the encoder has not read, the reader refines it in a process of its
    own: the cursor moves meanwhile, and the article on screen shows the refined suggestions."""
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.messages import SuggestionsUpdated
    from reader.tui.widgets.article_view import ArticleView

    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL)).returncode == 0
    with sqlite3.connect(db) as conn:
        (article_id,) = [r[0] for r in conn.execute("SELECT id FROM articles")]
    updated: list[str] = []
    app = ReaderApp(Store(db), annotator="tester", article_id=article_id)
    hook = lambda m: updated.append(m.article_id) if isinstance(m, SuggestionsUpdated) else None  # noqa: E731
    async with app.run_test(size=(110, 36), message_hook=hook) as pilot:
        for _ in range(100):  # started once the first frame is drawn
            await pilot.pause(0.05)
            if app.running("refine"):
                break
        assert app.running("refine")
        await pilot.press("j", "j")
        assert app.screen.query_one(ArticleView).cursor == 2  # no key waits for the encoder
        for _ in range(1800):  # `reader _work` runs at nice 10: beside a busy test worker it may take minutes
            await pilot.pause(0.1)
            if not app.running("refine"):
                break
        await pilot.pause(0.5)
        assert article_id in updated
        shown = {i: (s.label, s.score) for i, s in app.screen.session.suggestions.items()}
    stored = {k[1]: (v[0], v[1]) for k, v in _rows(db).items()}
    assert all(v[2] is not None and v[3] is not None for v in _rows(db).values())  # every sentence refined
    assert shown == {i: (label, pytest.approx(max(json.loads(scores).values()))) for i, (label, scores) in stored.items()}


def test_a_suggestion_restored_before_schema_7_stays_as_the_export_gave_it(tmp_path: Path) -> None:
    """A database written by the previous version holds restored suggestions with the one
    score the export carried (no `unrefined` column to mark them final): after the upgrade,
    refining leaves them alone, as it does a suggestion restored since (mixed, a single-label
    score became 1.0)."""
    db, restored = tmp_path / "r.db", tmp_path / "restored.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL)).returncode == 0
    exported = run_reader("export", "--db", str(db), "--all", "--suggestions", "-o", str(tmp_path / "a.jsonl"))
    assert exported.returncode == 0, exported.stderr
    done = run_reader("import", "--db", str(restored), str(tmp_path / "a.jsonl"))
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(restored)
    before = conn.execute("SELECT article_id, sentence_index, label, score, scores FROM suggestions ORDER BY 1, 2").fetchall()
    assert before and any(score < 0.9 for _, _, _, score, _ in before)
    with conn:  # as schema 6 left it
        conn.execute("DROP TABLE encoded")
        conn.execute("ALTER TABLE suggestions DROP COLUMN unrefined")
        conn.execute("PRAGMA user_version = 6")
    conn.close()
    refreshed = run_reader("refresh", "--db", str(restored))
    assert refreshed.returncode == 0, refreshed.stderr
    conn = sqlite3.connect(restored)
    after = conn.execute("SELECT article_id, sentence_index, label, score, scores FROM suggestions ORDER BY 1, 2").fetchall()
    assert conn.execute("SELECT count(*) FROM encoded").fetchone()[0] == len(before)  # the encoder did read them
    conn.close()
    assert after == before


def test_an_article_parsed_anew_while_the_encoder_reads_it_gets_its_own_sentences_scores(tmp_path: Path) -> None:
    """The job reads the sentences first and stores their scores article by article: an article
    deleted and stored again meanwhile, split otherwise (indexes shifted by one), must not get
    the scores of the sentences it had at those indexes (they would be mixed into its new
    suggestions); its sentences are read on the job's next pass."""
    from reader.model import Parsed, Sentence
    from reader.refine import refine
    from reader.store import Store

    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL), str(SAMPLES / "calvera-port-lng-dispute.txt")).returncode == 0
    enc = encoder.shipped()
    with Store(db) as store:
        running = refine(store, encoder=enc)
        first = next(running)  # the job has read every article's sentences, and stored the first's scores
        (later,) = set(store.article_ids()) - {first}
        article, old = store.article(later), store.sentences(later)
        store.delete_article(later, "tester")
        shifted = (Sentence(0, old[0].start, old[1].end), *(Sentence(s.index - 1, s.start, s.end) for s in old[2:]))
        store.add_article(article, Parsed(shifted, (), "test", "1"))
        assert list(running) == [later]
        list(refine(store, encoder=enc))  # the job's next pass
    conn = sqlite3.connect(db)
    rows = conn.execute("""SELECT s.text, e.scores FROM encoded e JOIN sentences s
                           ON s.article_id = e.article_id AND s.idx = e.sentence_index WHERE e.article_id = ? ORDER BY s.idx""",
                        (later,)).fetchall()
    conn.close()
    assert len(rows) == len(shifted)
    assert [json.loads(scores) for _, scores in rows] == enc.probabilities([text for text, _ in rows])


@pytest.mark.refine
async def test_a_damaged_encoder_is_said_once_by_the_reader_not_after_every_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The background job that finds the encoder damaged says so; the reader then stops starting
    it (each parse, suggestion or training that ends would start it again, to say it again)."""
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.messages import Notice, RefineWanted

    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL)).returncode == 0
    with sqlite3.connect(db) as conn:
        (article_id,) = [r[0] for r in conn.execute("SELECT id FROM articles")]
    # the background jobs (processes of their own) read a copy of the package whose encoder is damaged
    package = tmp_path / "package"
    shutil.copytree(ROOT / "reader", package / "reader", ignore=shutil.ignore_patterns("model.onnx", "__pycache__"))
    (package / "reader" / "suggest" / "encoder" / "model.onnx").write_bytes(b"\x08\x07 not a model")
    monkeypatch.setenv("PYTHONPATH", str(package))
    said: list[str] = []
    hook = lambda m: said.append(m.text) if isinstance(m, Notice) else None  # noqa: E731
    app = ReaderApp(Store(db), annotator="tester", article_id=article_id)
    async with app.run_test(size=(110, 36), message_hook=hook) as pilot:
        for _ in range(1800):  # started after the first frame; at nice 10 beside a busy test worker, slow
            await pilot.pause(0.1)
            if any("sentence encoder" in s for s in said) and not app.running("refine"):
                break
        await pilot.pause(0.2)
        assert [s for s in said if "sentence encoder" in s] != []
        first = app._jobs.get("refine")
        app.post_message(RefineWanted())  # as a parse that ends posts it
        await pilot.pause(0.2)
        assert app._jobs.get("refine") is first  # no job started again to say it again


def test_export_refines_the_articles_it_writes_and_nothing_before_a_bad_option(tmp_path: Path) -> None:
    """An unknown label or article is said at once, the database as it was (not after refining
    the whole library); `--article` refines that article's suggestions, not every article's."""
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL), str(SAMPLES / "calvera-port-lng-dispute.txt")).returncode == 0
    with sqlite3.connect(db) as conn:
        first, second = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY imported_at")]
    for bad in (("--label", "typo"), ("--article", "nosuchid")):
        done = run_reader("export", "--db", str(db), "--suggestions", *bad, "-o", str(tmp_path / "a.jsonl"))
        assert done.returncode == 2 and "refining" not in done.stderr, done.stderr
        assert {v[3] for v in _rows(db).values()} == {None}
    done = run_reader("export", "--db", str(db), "--all", "--suggestions", "--article", second, "-o", str(tmp_path / "b.jsonl"))
    assert done.returncode == 0, done.stderr
    refined = {article for (article, _), v in _rows(db).items() if v[3] is not None}
    assert refined == {second}


def test_scoring_writes_nothing_outside_the_database(tmp_path: Path) -> None:
    """ONNX Runtime's builds keep a device id and usage events under ~/.cache/Microsoft from
    the moment they are imported; reader turns that off before it loads the encoder."""
    home = tmp_path / "home"
    home.mkdir()
    db = tmp_path / "r.db"
    env = cli_env(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    env.pop("ORT_DISABLE_TELEMETRY", None)
    assert run_reader("import", "--db", str(db), str(TAMSEL), env=env).returncode == 0
    done = run_reader("export", "--db", str(db), "--all", "--suggestions", "-o", str(tmp_path / "a.jsonl"), env=env)
    assert done.returncode == 0 and "refining" in done.stderr, done.stderr
    assert [p.relative_to(home) for p in home.rglob("*")] == []


def test_two_refinements_of_one_database_read_each_sentence_once(tmp_path: Path) -> None:
    """Two readers on one database (a team on a server, two browser sessions of `reader serve`)
    each start the background refinement after a parse: both encoders read the same backlog, the
    work done twice on a shared machine. The second now waits for the first and finds nothing
    left."""
    import threading

    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(TAMSEL), str(SAMPLES / "calvera-port-lng-dispute.txt")).returncode == 0
    jobs = [Job(db, "refine"), Job(db, "refine")]
    events: list[list] = [[], []]
    threads = [threading.Thread(target=lambda n=n: events[n].extend(jobs[n].events())) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    refined = [e.suggested for found in events for e in found if isinstance(e, Suggested)]
    assert sorted(refined) == sorted(set(refined)) and len(refined) == 2  # each article once, by one of them
    assert all(v[3] is not None for v in _rows(db).values())
