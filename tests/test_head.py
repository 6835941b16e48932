"""The sentence encoder's head, moved by the user's labels (`reader.suggest.head`, `reader.mix`):
shipped beside the encoder, moved by `reader train`, applied to the stored vectors wherever a
kept model's suggestions are mixed (its refresh, the background job's later articles), and
falling back to the cold start, in one line, when its file is damaged."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy
import pytest

from reader.model import LabelSet, Suggestion
from reader.store import Store
from reader.suggest import encoder, head
from reader.suggest.learned import ModelError
from tests.conftest import run_reader, trained_copy

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_articles"


def test_the_shipped_head_is_the_encoders_own_output_layer() -> None:
    """head.npz reads the vector the encoder returns beside its logits and gives what the
    encoder gives (to the rounding of its int8 arithmetic): a head moved from it starts where
    the shipped suggestions are."""
    enc = encoder.shipped()
    texts = ["The ministry will publish the audit by June.", "Prices rose by four percent, the bureau said.",
             "The river runs through three provinces."]
    found = enc.encode(texts)
    assert [p for p, _ in found] == enc.probabilities(texts)
    for probs, vector in found:
        assert vector.shape == (384,) and vector.dtype == numpy.float32
        assert head.from_blob(head.to_blob(vector)).tolist() == vector.tolist()  # as stored, exactly
        assert enc.head.probabilities(vector) == pytest.approx(probs, abs=0.02)
    assert [max(p, key=p.get) for p, _ in found] == ["commitment", "claim", "background"]


def test_a_moved_head_follows_labels_it_did_not_see_the_sentences_of() -> None:
    """A user who files every "X said that ..." as background: moved on six such sentences, the
    head calls another reported statement background where the shipped one called it a claim."""
    enc = encoder.shipped()
    said = ["The mayor said that the bridge had been closed twice this year.",
            "Officials said the drought had cut the harvest by a third.",
            "The company said its profits fell in the last quarter.",
            "A spokesman said the talks had ended without agreement.",
            "Police said the protest was peaceful.",
            "The report said prices had risen faster in the north."]
    other = ["The council will repair the road by May.", "The river floods most springs.",
             "The minister pledged to open two clinics next year.", "The town has four schools."]
    labels = ["background"] * len(said) + ["commitment", "background", "commitment", "background"]
    vectors = numpy.asarray([v for _, v in enc.encode(said + other)])
    moved = head.moved(enc.head, vectors, labels, 0.1)
    (probs, vector), = enc.encode(["The union said the strike had cost its members two weeks of pay."])
    assert max(probs, key=probs.get) == "claim"
    now = moved.probabilities(vector)
    assert max(now, key=now.get) == "background" and now["background"] > probs["background"] + 0.2


@pytest.mark.parametrize("damage", ["truncated", "other file", "missing"])
def test_a_damaged_shipped_head_is_one_line(tmp_path: Path, damage: str) -> None:
    broken = tmp_path / "encoder"
    shutil.copytree(encoder.ENCODER, broken)
    if damage == "truncated":
        (broken / "head.npz").write_bytes((broken / "head.npz").read_bytes()[:300])
    elif damage == "other file":
        numpy.savez(broken / "head.npz", weights=numpy.zeros((3, 384), "float32"), bias=numpy.zeros(3, "float32"))
    else:
        (broken / "head.npz").unlink()
    with pytest.raises(ModelError) as failed:
        encoder.load(broken)
    assert "\n" not in str(failed.value) and "sentence encoder" in str(failed.value)


_MOVED: dict[str, Path] = {}


def moved_copy(trained: dict, folder: Path) -> Path:
    """A copy of the `trained` database whose kept model has a moved head, as `reader train`
    leaves it from MOVE_FROM labels on (the samples have fewer: the head is moved on their
    labels here with the functions train uses, and the suggestions refreshed as train does).
    Built once per test worker, copied for each test."""
    from reader import learn, mix

    key = str(trained["db"])
    if key not in _MOVED:
        base = trained["db"].parent / "moved"
        base.mkdir(exist_ok=True)
        db = trained_copy(trained, base)
        with Store(db) as store:
            (info,) = store.models()
            examples = learn.training_labels(store, LabelSet())
            keys = [(e.article_id, e.index) for e in examples]
            texts = {(a, s.index): store.article(a).text[s.start:s.end] for a in store.article_ids() for s in store.sentences(a)}
            found = mix.encode([texts[k] for k in keys], store, keys)
            assert found is not None
            mix.save_head(mix.fit_head(found, [e.label for e in examples], mix.MOVE), db.with_name(db.name + ".models") / info.path)
        conn = sqlite3.connect(db)
        with conn:
            # at the shipped share (the samples' swapped habit chose none: then no head would show)
            conn.execute("UPDATE models SET scores = ?", (json.dumps({**info.scores, **mix.recorded(found, found.weight, mix.MOVE)}),))
        conn.close()
        _refresh_all(db)
        _MOVED[key] = db
    return trained_copy({"db": _MOVED[key]}, folder)


def _refresh_all(db: Path) -> None:
    """What `reader refresh --all` runs, in this process (spaCy is loaded once per test worker)."""
    from reader import learn

    with Store(db) as store:
        suggester = learn.Suggester(store, LabelSet())
        assert suggester.warning is None, suggester.warning
        list(suggester.refresh(store.article_ids()))


def _shown(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("""SELECT g.article_id, g.sentence_index, g.label, g.scores, g.unrefined, g.source, e.vector
                               FROM suggestions g JOIN encoded e USING (article_id, sentence_index)
                               WHERE g.label_set = 'commitment,claim,background'""").fetchall()
    finally:
        conn.close()


def _check_mixed_with(rows: list[tuple], moved: head.Head, share: float) -> int:
    """Every row is its model's own probabilities mixed with what the moved head makes of the
    stored vector; returns how many differ from the shipped head's mix."""
    differ = 0
    for _, _, label, scores, unrefined, _, vector in rows:
        own = json.loads(unrefined)
        best = max(own, key=own.get)
        expected = Suggestion(best, own[best], own, "").refined(moved.probabilities(head.from_blob(vector)), share)
        assert (label, json.loads(scores)) == (expected.label, pytest.approx(expected.scores))
        shipped = Suggestion(best, own[best], own, "").refined(encoder.shipped().head.probabilities(head.from_blob(vector)), share)
        differ += json.loads(scores) != pytest.approx(shipped.scores, abs=1e-3)
    return differ


def test_reader_train_moves_the_head_from_200_labels_and_keeps_it_with_the_model(tmp_path: Path) -> None:
    """With 200 labels or more, `reader train` moves the encoder's head and writes it with the
    model (-o writes a copy, kept or not); the register records how far and from which encoder.
    Labels of eleven documents of the project's own corpus, restored by `reader import`."""
    from reader import mix

    rows = [json.loads(line) for line in (ROOT / "corpus" / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    documents = sorted({r["source"] for r in rows if r.get("kind") == "statement"})[:11]
    chosen = [r for r in rows if r["source"] in documents]
    assert len(chosen) >= mix.MOVE_FROM
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(tmp_path / "labels.jsonl")).returncode == 0
    done = run_reader("train", "--db", str(db), "--no-refresh", "--json", "-o", str(tmp_path / "model"), timeout=600)
    assert done.returncode == 0, done.stderr
    (scores,) = [json.loads(r[0]) for r in sqlite3.connect(db).execute("SELECT scores FROM models")]
    assert scores["encoder_head"] == mix.MOVE and scores["encoder"] == encoder.shipped_id()
    moved = head.load(tmp_path / "model" / head.FILE)
    assert numpy.abs(moved.weights - encoder.shipped().head.weights).max() > 0.01


def test_a_training_on_fewer_labels_keeps_the_shipped_head(trained: dict) -> None:
    """The samples' 94 labels: the model is kept without a head of its own (under 200 labels a
    moved head lost on the articles it had not seen)."""
    report = json.loads(trained["proc"].stdout)
    (scores,) = [json.loads(r[0]) for r in sqlite3.connect(trained["db"]).execute("SELECT scores FROM models")]
    assert report["labels"] < 200 and scores["encoder_head"] is None
    assert not (trained["db"].with_name(trained["db"].name + ".models") / report["model"] / head.FILE).exists()


def test_a_kept_models_moved_head_mixes_every_suggestion_shown(trained: dict, tmp_path: Path) -> None:
    """A kept model's moved head (in its folder): the suggestions its refresh stored, and those of
    an article imported later and refined by the background job, are mixed with it (from the
    stored vectors: the encoder does not run again for the first)."""
    from reader import learn
    from reader.refine import refine

    db = moved_copy(trained, tmp_path)
    report = json.loads(trained["proc"].stdout)
    assert report["kept"]
    (scores,) = [json.loads(r[0]) for r in sqlite3.connect(db).execute("SELECT scores FROM models")]
    assert scores["encoder_head"] == pytest.approx(0.1) and 0 < scores["encoder_weight"] <= 0.5
    moved = head.load(db.with_name(db.name + ".models") / report["model"] / head.FILE)
    assert numpy.abs(moved.weights - encoder.shipped().head.weights).max() > 0.01
    rows = _shown(db)
    assert rows and {r[5] for r in rows} == {f"model:{report['model']}"}
    assert _check_mixed_with(rows, moved, scores["encoder_weight"]) > 0

    story = tmp_path / "later.txt"
    story.write_text("Council pledges new bridge\n\nThe council said the old bridge was unsafe. It promised to build a new "
                     "bridge by 2030. The river is wide there.\n", encoding="utf-8")
    assert run_reader("import", "--db", str(db), str(story)).returncode == 0
    with Store(db) as store:  # what `reader refresh` and the background job run, in this process
        later = [a for a in store.article_ids() if a not in {r[0] for r in rows}]
        assert len(later) == 1
        assert list(learn.Suggester(store, LabelSet()).refresh(later)) == later  # the kept model's own suggestions
        assert list(refine(store)) == later  # the encoder reads the new article: its suggestions mixed as they are
    fresh = [r for r in _shown(db) if r[0] == later[0]]
    assert len(fresh) == 4
    _check_mixed_with(fresh, moved, scores["encoder_weight"])


def test_a_damaged_moved_head_falls_back_to_the_cold_start_in_one_line(trained: dict, tmp_path: Path) -> None:
    from reader import learn

    db = moved_copy(trained, tmp_path)
    report = json.loads(trained["proc"].stdout)
    (db.with_name(db.name + ".models") / report["model"] / head.FILE).write_bytes(b"not a head")
    with Store(db) as store:
        suggester = learn.Suggester(store, LabelSet())
        assert suggester.warning == f"model {report['model']} could not be loaded; using the cold-start suggester"
        assert suggester.source == "cold-start"
    done = run_reader("export", "--db", str(db), "--all", "--suggestions", "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_sentences_scored_before_vectors_were_kept_are_read_again(tmp_path: Path) -> None:
    """A library refined by the previous version (schema 7: scores, no vectors): the upgrade
    leaves the encoder those sentences to read once more, and then nothing."""
    from reader.refine import refine

    db = tmp_path / "r.db"
    assert run_reader("import", "--db", str(db), str(SAMPLES / "tamsel-river-water-accord.txt")).returncode == 0
    with Store(db) as store:
        (article_id,) = store.article_ids()
        assert list(refine(store)) == [article_id]
    conn = sqlite3.connect(db)
    with conn:  # as schema 7 left it
        conn.execute("ALTER TABLE encoded DROP COLUMN vector")
        conn.execute("PRAGMA user_version = 7")
    conn.close()
    with Store(db) as store:
        count = len(store.sentences(article_id))
        assert sum(map(len, store.unencoded(encoder.shipped_id()).values())) == count
        assert store.encoder_behind()
        assert list(refine(store)) == [article_id]
        assert store.unencoded(encoder.shipped_id()) == {} and not store.encoder_behind()
    assert sqlite3.connect(db).execute("SELECT count(vector) FROM encoded").fetchone()[0] == count


@pytest.mark.parametrize("damage", ["narrower", "other labels", "not finite"])
def test_a_moved_head_that_does_not_fit_is_refused_as_damaged(trained: dict, tmp_path: Path, damage: str) -> None:
    """A moved head that reads as an .npz but cannot be the encoder's output layer for this
    model (its vectors are not 384 numbers, its labels are another set's, its bias is not a
    number) is as damaged as a truncated one: the cold start in one line, never a traceback
    from the first stored vector it meets (`reader refresh`, the background job, `reader train`)."""
    from reader import learn, mix

    db = moved_copy(trained, tmp_path)
    report = json.loads(trained["proc"].stdout)
    path = db.with_name(db.name + ".models") / report["model"] / head.FILE
    good = head.load(path)
    weights, bias, labels = good.weights, good.bias, good.labels
    if damage == "narrower":
        weights = weights[:, :10]
    elif damage == "other labels":
        labels = ("promise", "statement", "context")
    else:
        bias = numpy.asarray([numpy.nan, 0.0, 0.0], "float32")
    head.Head(labels, weights, bias).save(path)
    before = sqlite3.connect(db).execute("SELECT count(*) FROM encoded WHERE vector IS NOT NULL").fetchone()[0]
    with Store(db) as store:
        (info,) = store.models()
        assert learn.load_model(store, info) is None
        assert mix.kept_heads(store) == {}
        suggester = learn.Suggester(store, LabelSet())
        assert suggester.warning == f"model {report['model']} could not be loaded; using the cold-start suggester"
    if damage == "narrower":  # the command line, once
        done = run_reader("refresh", "--all", "--db", str(db))
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    else:
        with Store(db) as store:
            list(learn.Suggester(store, LabelSet()).refresh(store.article_ids()))
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM encoded WHERE vector IS NOT NULL").fetchone()[0] == before
    assert not [s for (s,) in conn.execute("SELECT scores FROM suggestions") if "NaN" in s]


def test_a_stored_vector_of_another_length_is_mixed_as_the_encoder_scored_it(trained: dict, tmp_path: Path) -> None:
    """A vector that is not the 768 bytes `head.to_blob` writes (a damaged row) is not read by
    the moved head: its sentence is mixed with the scores the encoder stored beside it, the
    others with the moved head, and no traceback."""
    db = moved_copy(trained, tmp_path)
    report = json.loads(trained["proc"].stdout)
    (share,) = [json.loads(r[0])["encoder_weight"] for r in sqlite3.connect(db).execute("SELECT scores FROM models")]
    conn = sqlite3.connect(db)
    with conn:
        article_id, index, stored = conn.execute("SELECT article_id, sentence_index, scores FROM encoded LIMIT 1").fetchone()
        conn.execute("UPDATE encoded SET vector = x'000000' WHERE article_id = ? AND sentence_index = ?", (article_id, index))
    conn.close()
    _refresh_all(db)
    rows = _shown(db)
    (broken,) = [r for r in rows if (r[0], r[1]) == (article_id, index)]
    own = json.loads(broken[4])
    best = max(own, key=own.get)
    assert json.loads(broken[3]) == pytest.approx(Suggestion(best, own[best], own, "").refined(json.loads(stored), share).scores)
    moved = head.load(db.with_name(db.name + ".models") / report["model"] / head.FILE)
    _check_mixed_with([r for r in rows if r is not broken], moved, share)


def test_the_background_job_mixes_with_the_head_of_a_model_kept_while_it_runs(trained: dict, tmp_path: Path) -> None:
    """A retrain (the reader's background job after N labels) keeps a model while the refine job
    is reading a large library: the articles it refines after that are mixed with the new
    model's moved head, not with the shipped one it began with."""
    from reader.refine import refine

    db = moved_copy(trained, tmp_path)
    report = json.loads(trained["proc"].stdout)
    (share,) = [json.loads(r[0])["encoder_weight"] for r in sqlite3.connect(db).execute("SELECT scores FROM models")]
    conn = sqlite3.connect(db)
    with conn:  # not kept yet, its suggestions stored (a refresh of the articles being worked on), none encoded
        conn.execute("UPDATE models SET kept = 0")
        conn.execute("DELETE FROM encoded")
    with Store(db) as store:
        running = refine(store)
        first = next(running)
        with conn:
            conn.execute("UPDATE models SET kept = 1")  # the retrain keeps it
        later = list(running)
    conn.close()
    assert first not in later and len(later) == 3
    moved = head.load(db.with_name(db.name + ".models") / report["model"] / head.FILE)
    rows = [r for r in _shown(db) if r[0] in later]
    assert _check_mixed_with(rows, moved, share) > 0


def test_an_older_kept_models_suggestions_are_mixed_with_its_own_head(trained: dict, tmp_path: Path) -> None:
    """Suggestions of a kept model that a newer one has replaced (the newer refreshes only the
    articles being worked on) keep their model's share and its moved head when the encoder
    reads their sentences again (a new encoder, a vector not kept yet)."""
    from reader.refine import refine

    db = moved_copy(trained, tmp_path)
    report = json.loads(trained["proc"].stdout)
    folder = db.with_name(db.name + ".models")
    conn = sqlite3.connect(db)
    (scores,) = [json.loads(r[0]) for r in conn.execute("SELECT scores FROM models")]
    newer = "29991231-000000-0001"  # a model of the linear part alone, kept after it
    shutil.copytree(folder / report["model"], folder / newer)
    (folder / newer / head.FILE).unlink()
    with conn:
        conn.execute("""INSERT INTO models (id, label_set, path, created, labels, scores, kept)
                        SELECT ?, label_set, ?, '2999-12-31T00:00:00.000Z', labels, ?, 1 FROM models""",
                     (newer, newer, json.dumps({**scores, "encoder_head": None})))
        conn.execute("DELETE FROM encoded")
    conn.close()
    with Store(db) as store:
        assert len(list(refine(store))) == 4
    moved = head.load(folder / report["model"] / head.FILE)
    rows = _shown(db)
    assert {r[5] for r in rows} == {f"model:{report['model']}"}
    assert _check_mixed_with(rows, moved, scores["encoder_weight"]) > 0


def test_a_moved_head_is_used_only_with_the_encoder_it_was_moved_from(trained: dict, tmp_path: Path) -> None:
    """`reader train` records which encoder's head it moved: once another encoder ships (a new
    build), that head does not read the new encoder's vectors, and the model's suggestions are
    mixed with the shipped head, at the model's share, until a retrain moves the new one."""
    from reader import learn, mix

    db = moved_copy(trained, tmp_path)
    conn = sqlite3.connect(db)
    (scores,) = [json.loads(r[0]) for r in conn.execute("SELECT scores FROM models")]
    assert scores["encoder"] == encoder.shipped_id()
    with conn:
        conn.execute("UPDATE models SET scores = ?", (json.dumps({**scores, "encoder": "minilm-of-an-older-build"}),))
    conn.close()
    with Store(db) as store:
        (info,) = store.models()
        assert mix.head_of(store, info) is None and mix.kept_heads(store) == {}
        assert learn.Suggester(store, LabelSet()).warning is None  # the model itself is in use
    _refresh_all(db)
    rows = sqlite3.connect(db).execute("""SELECT g.label, g.scores, g.unrefined, g.source, e.scores FROM suggestions g
                                          JOIN encoded e USING (article_id, sentence_index)""").fetchall()
    assert rows and {r[3] for r in rows} == {f"model:{info.id}"}
    for label, mixed, unrefined, _, stored in rows:  # the encoder's own scores, as it stored them
        own = json.loads(unrefined)
        best = max(own, key=own.get)
        expected = Suggestion(best, own[best], own, "").refined(json.loads(stored), scores["encoder_weight"])
        assert (label, json.loads(mixed)) == (expected.label, pytest.approx(expected.scores))


def test_a_retrain_reads_the_stored_vectors_of_the_labelled_sentences(trained: dict, tmp_path: Path) -> None:
    """The reader retrains after every N labels on the same labelled sentences: what the encoder
    stored for them is what it would compute again, and `reader train` reads it (a sentence it
    has not read yet is encoded)."""
    from reader import mix

    db = moved_copy(trained, tmp_path)
    with Store(db) as store:
        keys = sorted(store.encoded_of(encoder.shipped_id(), [(a, s.index) for a in store.article_ids() for s in store.sentences(a)]))
        texts = {(a, s.index): store.article(a).text[s.start:s.end] for a in store.article_ids() for s in store.sentences(a)}
        keys = keys[:30]
        conn = sqlite3.connect(db)
        with conn:  # one the encoder has not read
            conn.execute("DELETE FROM encoded WHERE article_id = ? AND sentence_index = ?", keys[0])
        conn.close()
        fresh = mix.encode([texts[k] for k in keys])
        read = mix.encode([texts[k] for k in keys], store, keys)
    assert fresh is not None and read is not None and len(read.probs) == 30
    assert read.probs == pytest.approx(fresh.probs) and numpy.array_equal(read.vectors, fresh.vectors)
