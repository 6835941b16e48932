"""Teams: agreement checked against scikit-learn and krippendorff, the review queue and screen,
merging databases (idempotent, order-independent, hostile files refused, kill -9 harmless),
assignments. Real SQLite files and the real CLI in subprocesses throughout."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.model import SKIPPED, Article, LabelSet, Parsed, Sentence
from reader.store import Store
from reader.team.assignments import AssignError, share_out
from reader.team.review import Review
from tests.conftest import cli_env, dump_database, run_reader

LABELS = ("commitment", "claim", "background")
FIXTURES = Path(__file__).parent / "fixtures"


def article_text(k: int, n: int = 12) -> tuple[str, list[tuple[int, int]]]:
    parts, spans, pos = [], [], 0
    for i in range(n):
        sentence = f"Article {k} says thing number {i} here."
        parts.append(sentence)
        spans.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1
    return " ".join(parts), spans


def add_articles(store: Store, count: int, n: int = 12, *, title: str = "Story") -> list[str]:
    ids = []
    for k in range(count):
        text, spans = article_text(k, n)
        article = Article(text, title=f"{title} {k}", source=f"generated/{k}.txt")
        store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "test", "1"))
        ids.append(article.id)
    return ids


def label(store: Store, votes: dict[str, dict[tuple[int, int], str]], ids: list[str]) -> None:
    """votes: annotator -> {(article number, sentence): label}."""
    for annotator, given in votes.items():
        for (k, i), value in given.items():
            store.set_label(ids[k], i, value, annotator)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def agreement_json(db: Path, *args: str) -> dict:
    proc = run_reader("agreement", "--db", str(db), "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- agreement ----------------------------------------------------------------------------


def three_annotators(db: Path, seed: int = 5) -> dict[str, dict[tuple[int, int], str]]:
    """Three annotators over 3 articles of 12 sentences, each labelling about 70 % of them, so
    pairs overlap partly; plus a skip and a label of another label set that are not votes."""
    rng = random.Random(seed)
    votes: dict[str, dict[tuple[int, int], str]] = {}
    for annotator in ("ann", "bob", "cy"):
        votes[annotator] = {}
        for k in range(3):
            for i in range(12):
                if rng.random() < 0.7:
                    # agreement above chance: most often the sentence's "true" label
                    truth = LABELS[(i * 7 + k) % 3]
                    votes[annotator][(k, i)] = truth if rng.random() < 0.6 else rng.choice(LABELS)
    with Store(db) as store:
        ids = add_articles(store, 3)
        label(store, votes, ids)
        store.set_label(ids[0], 11, SKIPPED, "ann")
        store.set_label(ids[0], 11, "rumour", "bob")
    votes["ann"].pop((0, 11), None)
    votes["bob"].pop((0, 11), None)
    return votes


def test_agreement_equals_scikit_learn_and_krippendorff(tmp_path: Path) -> None:
    import krippendorff
    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    db = tmp_path / "team.db"
    votes = three_annotators(db)
    result = agreement_json(db)
    assert result["annotators"] == ["ann", "bob", "cy"]
    assert result["not_counted"] == {"skipped": 1, "outside_label_set": {"bob": 1}}
    for pair in result["pairs"]:
        a, b = votes[pair["a"]], votes[pair["b"]]
        both = sorted(set(a) & set(b))
        assert pair["sentences"] == len(both) > 10
        ya, yb = [a[u] for u in both], [b[u] for u in both]
        assert pair["kappa"] == pytest.approx(cohen_kappa_score(ya, yb), abs=1e-12)
        assert pair["observed"] == pytest.approx(sum(x == y for x, y in zip(ya, yb, strict=True)) / len(both))
        assert sum(sum(row.values()) for row in pair["confusion"].values()) == len(both)
        assert pair["confusion"]["claim"]["background"] == sum(x == "claim" and y == "background" for x, y in zip(ya, yb, strict=True))
    units = sorted({u for given in votes.values() for u in given})
    data = [[given.get(u, np.nan) for u in units] for given in votes.values()]
    expected = krippendorff.alpha(reliability_data=np.array(data, dtype=object).astype(str), level_of_measurement="nominal")
    assert result["alpha"] == pytest.approx(expected, abs=1e-12)
    assert -1 < result["alpha"] < 1
    shared = [u for u in units if sum(u in given for given in votes.values()) > 1]
    assert result["sentences"] == len(shared)
    assert sum(row["votes"] for row in result["per_label"].values()) == sum(
        sum(u in given for given in votes.values()) for u in shared
    )
    observed = [a["observed"] for a in result["articles"]]
    assert observed == sorted(observed) and len(observed) == 3
    # one article, and the rich tables on a terminal-less stdout
    one = agreement_json(db, "--article", result["articles"][0]["id"][:10])
    assert [a["id"] for a in one["articles"]] == [result["articles"][0]["id"]]
    table = run_reader("agreement", "--db", str(db))
    assert table.returncode == 0 and "Cohen's kappa" in table.stdout and "who said what: ann" in table.stdout


def test_each_articles_alpha_is_krippendorffs() -> None:
    """The per-article alphas are computed for all articles at once (alphas_by_group); each must
    equal the `krippendorff` package's alpha of that article alone, undefined ones included."""
    import numpy as np

    from reader.team.agreement import alpha_of, alphas_by_group

    rng = np.random.default_rng(7)
    groups = []
    for n in range(60):
        rows = int(rng.integers(1, 12))
        counts = rng.integers(0, 3, size=(rows, 3))
        if n % 10 == 0:
            counts[:, 1:] = 0  # one label in use: undefined
        if n % 10 == 1:
            counts[:] = 0
            counts[:, int(rng.integers(0, 3))] = 1  # one vote per sentence: nothing pairable
        groups.append(counts)
    starts = np.cumsum([0] + [len(g) for g in groups[:-1]])
    together = alphas_by_group(np.vstack(groups), starts)
    for counts, got in zip(groups, together, strict=True):
        expected = alpha_of(counts)
        if expected is None:
            assert np.isnan(got), counts
        else:
            assert got == pytest.approx(expected, abs=1e-12), counts
    assert sum(np.isnan(together)) >= 12 and sum(~np.isnan(together)) >= 30


def test_agreement_per_label_and_label_filter(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    with Store(db) as store:
        ids = add_articles(store, 1)
        label(store, {
            "ann": {(0, 0): "claim", (0, 1): "claim", (0, 2): "background", (0, 3): "commitment"},
            "bob": {(0, 0): "claim", (0, 1): "background", (0, 2): "background", (0, 3): "background"},
        }, ids)
    result = agreement_json(db)
    # claim: 3 votes, 2 of them matched (sentence 0); background: 4 votes, 2 matched (sentence 2)
    assert result["per_label"]["claim"] == {"votes": 3, "agreement": pytest.approx(2 / 3)}
    assert result["per_label"]["background"] == {"votes": 4, "agreement": pytest.approx(0.5)}
    assert result["per_label"]["commitment"] == {"votes": 1, "agreement": 0.0}
    only = agreement_json(db, "--label", "claim")
    assert only["sentences"] == 2 and only["pairs"][0]["observed"] == 0.5


def test_agreement_undefined_kappa_is_null_as_scikit_learn_gives_nan(tmp_path: Path) -> None:
    import warnings

    from sklearn.metrics import cohen_kappa_score

    db = tmp_path / "same.db"
    with Store(db) as store:
        ids = add_articles(store, 1)
        label(store, {name: {(0, i): "claim" for i in range(4)} for name in ("ann", "bob")}, ids)
    result = agreement_json(db)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = cohen_kappa_score(["claim"] * 4, ["claim"] * 4)
    assert reference != reference  # nan
    assert result["pairs"][0]["kappa"] is None and result["pairs"][0]["observed"] == 1.0
    assert result["alpha"] is None


def test_agreement_refuses_what_cannot_be_measured(tmp_path: Path) -> None:
    db = tmp_path / "one.db"
    with Store(db) as store:
        ids = add_articles(store, 2)
        label(store, {"ann": {(0, 0): "claim", (0, 1): "claim"}}, ids)
    alone = run_reader("agreement", "--db", str(db))
    assert alone.returncode == 2 and alone.stdout == ""
    assert alone.stderr.count("\n") == 1 and "two annotators; only ann has labels" in alone.stderr
    with Store(db) as store:
        label(store, {"bob": {(1, 0): "claim"}}, ids)
    apart = run_reader("agreement", "--db", str(db))
    assert apart.returncode == 2 and apart.stderr.count("\n") == 1 and "no sentence was labelled by two annotators" in apart.stderr
    unknown = run_reader("agreement", "--db", str(db), "--label", "rumour")
    assert unknown.returncode == 2 and "not in the label set" in unknown.stderr
    missing = run_reader("agreement", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and not (tmp_path / "none.db").exists()


def test_a_custom_label_set_is_refused_where_it_does_not_fit(tmp_path: Path) -> None:
    from sklearn.metrics import cohen_kappa_score

    db = tmp_path / "mixed.db"
    with Store(db) as store:
        ids = add_articles(store, 1)
        label(store, {
            "ann": {(0, i): LABELS[i % 3] for i in range(9)},
            "bob": {(0, i): LABELS[(i * i) % 3] for i in range(9)},
            "cy": {(0, i): ("pro", "con")[i % 2] for i in range(9)},  # another label set
        }, ids)
    # the default set: cy's labels are no votes, and a note says so
    proc = run_reader("agreement", "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["annotators"] == ["ann", "bob"] and "cy 9" in proc.stderr
    ya, yb = [LABELS[i % 3] for i in range(9)], [LABELS[(i * i) % 3] for i in range(9)]
    assert result["pairs"][0]["kappa"] == pytest.approx(cohen_kappa_score(ya, yb))
    # cy's own set has one annotator: refused in one line that says what to do
    custom = run_reader("agreement", "--db", str(db), "--labels", "pro,con")
    assert custom.returncode == 2 and custom.stdout == "" and custom.stderr.count("\n") == 1
    assert "only cy has labels in the label set (pro,con)" in custom.stderr
    assert "ann (9), bob (9) labelled with other labels: give their label set with --labels" in custom.stderr


# --- reviews -------------------------------------------------------------------------------


@pytest.fixture
def disagreeing(tmp_path: Path) -> tuple[Path, list[str]]:
    """ann and bob disagree on sentences 1, 4 and 7 of the first article and agree on 0 and 2."""
    db = tmp_path / "review.db"
    with Store(db) as store:
        ids = add_articles(store, 2)
        label(store, {
            "ann": {(0, 0): "claim", (0, 1): "claim", (0, 2): "background", (0, 4): "commitment", (0, 7): "background", (1, 3): "claim"},
            "bob": {(0, 0): "claim", (0, 1): "commitment", (0, 2): "background", (0, 4): "claim", (0, 7): "claim", (0, 9): "claim"},
        }, ids)
    return db, ids


def test_the_review_queue_without_a_screen(disagreeing: tuple[Path, list[str]]) -> None:
    db, ids = disagreeing
    with Store(db) as store:
        review = Review(store, "rev", LabelSet())
        review.load()
        assert [(it.index, it.votes) for it in review.items] == [
            (1, {"ann": "claim", "bob": "commitment"}), (4, {"ann": "commitment", "bob": "claim"}), (7, {"ann": "background", "bob": "claim"}),
        ]
        assert review.status() == "disagreement 1/3"
        context = review.context()
        assert context.sentence == "Article 0 says thing number 1 here." and len(context.before) == 1 and len(context.after) == 2
        review.decide("claim")
        assert review.status() == "disagreement 2/3" and review.decided == 1
        review.decide("background")
        review.decide("background")
        assert review.status() == "disagreement 3/3" and review.decided == 3  # the last one: the cursor stays
        assert store.reviews(ids) == {(ids[0], 1): ("rev", "claim"), (ids[0], 4): ("rev", "background"), (ids[0], 7): ("rev", "background")}
        # undo goes back to the decision it undid, and restores what was there
        article_id, change = review.undo()
        assert (article_id, change.sentence_index, change.label, change.previous) == (ids[0], 7, None, "background")
        review.go(0)
        review.undo()
        assert review.status() == "disagreement 2/3" and review.decision() is None
        review.redo()
        assert review.decision() == ("rev", "background")
        # a reviewer who also labels: the article view's undo never undoes a review, and back
        store.set_label(ids[0], 5, "claim", "rev")
        assert store.undo(ids[0], "rev").sentence_index == 5
        assert store.undo(ids[0], "rev") is None
        assert store.reviews(ids)[(ids[0], 4)] == ("rev", "background")
        store.set_label(ids[0], 5, "claim", "rev")
        review.undo()
        assert store.labels(ids[0], "rev") == {5: "claim"}
        # every multiply-labelled sentence, with the key
        review.toggle_every()
        assert [it.index for it in review.items] == [0, 1, 2, 4, 7] and review.status().startswith("sentence ")
        review.go(0)
        review.decide(None)  # withdrawing where nothing was decided changes nothing
        assert not review.next_undecided() or review.current.key not in review.decisions


def test_export_resolve_reviewed_gives_the_reviewers_labels(disagreeing: tuple[Path, list[str]]) -> None:
    db, ids = disagreeing
    with Store(db) as store:
        for index, value in ((1, "background"), (4, "background"), (7, "commitment")):
            store.set_review(ids[0], index, value, "rev")
    proc = run_reader("export", "--db", str(db), "--resolve", "reviewed", "--article", ids[0])
    assert proc.returncode == 0, proc.stderr
    records = {r["sentence_index"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert {i: records[i]["label"] for i in (1, 4, 7)} == {1: "background", 4: "background", 7: "commitment"}
    assert records[4]["annotator"] == "rev" and records[4]["resolved_by"] == "review"
    assert records[4]["votes"] == {"claim": ["bob"], "commitment": ["ann"]}
    assert records[0]["label"] == "claim" and records[0]["resolved_by"] == "majority"


def test_review_from_the_command_line_refuses_without_disagreements(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    with Store(db) as store:
        ids = add_articles(store, 1)
        label(store, {"ann": {(0, 0): "claim"}}, ids)
    proc = run_reader("review", "--db", str(db))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "nothing to review" in proc.stderr
    with Store(db) as store:
        label(store, {"bob": {(0, 0): "background"}}, ids)
    proc = run_reader("review", "--db", str(db))  # something to review, but no terminal here
    assert proc.returncode == 2 and "needs a terminal" in proc.stderr


# --- assignments ------------------------------------------------------------------------------


def test_share_out_is_seeded_even_and_overlaps_as_asked() -> None:
    articles = [(f"a{k:02d}", 10 + k) for k in range(20)]
    pairs = share_out(articles, ["ann", "bob", "cy"], 0.2, seed=3)
    assert pairs == share_out(list(reversed(articles)), ["ann", "bob", "cy"], 0.2, seed=3)
    assert pairs != share_out(articles, ["ann", "bob", "cy"], 0.2, seed=4)
    per_article: dict[str, list[str]] = {}
    for article_id, annotator in pairs:
        per_article.setdefault(article_id, []).append(annotator)
    assert set(per_article) == {a for a, _ in articles}
    assert sorted(len(v) for v in per_article.values()) == [1] * 16 + [2] * 4
    assert all(len(set(v)) == len(v) for v in per_article.values())
    load = {name: sum(n for a, n in articles if name in per_article[a]) for name in ("ann", "bob", "cy")}
    assert max(load.values()) - min(load.values()) <= 29  # within one article's sentences
    with pytest.raises(AssignError, match="two annotators"):
        share_out(articles, ["ann"], 0.2)


def test_assign_stores_lists_and_merges(tmp_path: Path) -> None:
    db = tmp_path / "lead.db"
    with Store(db) as store:
        ids = add_articles(store, 10)
    proc = run_reader("assign", "--db", str(db), "--annotators", "ann,bob", "--overlap", "0.3")
    assert proc.returncode == 0, proc.stderr
    assert "assigned 10 articles, 3 of them to two annotators" in proc.stdout
    listed = run_reader("assign", "--db", str(db), "--list", "--json")
    rows = json.loads(listed.stdout)
    assert len(rows) == 13 and {r["annotator"] for r in rows} == {"ann", "bob"} and {r["article_id"] for r in rows} == set(ids)
    with Store(db) as store:  # what exports read: each article with the annotators it is assigned to
        assigned = {art.id: art.assigned for art in store.dataset()}
    assert assigned == {a: tuple(sorted(r["annotator"] for r in rows if r["article_id"] == a)) for a in ids}
    again = run_reader("assign", "--db", str(db), "--annotators", "ann,bob")
    assert again.returncode == 0 and "already assigned were left as they are" in again.stderr
    assert json.loads(run_reader("assign", "--db", str(db), "--list", "--json").stdout) == rows
    for bad, reason in ((["--annotators", "ann,ann"], "twice"), (["--annotators", "ann", "--overlap", "0.5"], "two annotators"),
                        ([], "needs --annotators"), (["--annotators", "ann,bob", "--article", "zzz"], "unknown article")):
        refused = run_reader("assign", "--db", str(db), *bad)
        assert refused.returncode == 2 and reason in refused.stderr and refused.stderr.count("\n") == 1
    # an annotator's copy of the database brings its assignments along when merged
    fresh = tmp_path / "fresh.db"
    merged = run_reader("merge", "--db", str(fresh), str(db))
    assert merged.returncode == 0, merged.stderr
    assert "; 13 assignments added" in merged.stdout, merged.stdout  # the summary said only "0 events added"
    assert json.loads(run_reader("assign", "--db", str(fresh), "--list", "--json").stdout) == rows


# --- merge ---------------------------------------------------------------------------------


def annotators_db(path: Path, name: str, seed: int, articles: int = 3) -> None:
    """An annotator's own database: the same articles imported separately, their labels with
    some changes of mind, a clear, an undo and a redo, and a review."""
    rng = random.Random(seed)
    with Store(path) as store:
        ids = add_articles(store, articles)
        for article_id in ids:
            for i in range(12):
                if rng.random() < 0.8:
                    store.set_label(article_id, i, rng.choice(LABELS), name)
            store.set_label(article_id, 3, "claim", name)
            store.set_label(article_id, 3, "background", name)
            store.set_label(article_id, 5, None, name)
            store.undo(article_id, name)
            store.redo(article_id, name)
            store.undo(article_id, name)
        store.set_label(ids[0], 6, "commitment", "shared")  # the same annotator in both files
        store.set_review(ids[0], 2, rng.choice(LABELS), f"{name}-lead")
        time.sleep(0.01)


def exports(db: Path, tmp_path: Path) -> dict[str, bytes]:
    out = {}
    for name, args in {
        "sentences": [], "articles": ["--unit", "article"], "csv": ["--format", "csv"],
        "reviewed": ["--resolve", "reviewed"], "prodigy": ["--format", "prodigy"],
    }.items():
        target = tmp_path / f"{db.stem}-{name}.out"
        proc = run_reader("export", "--db", str(db), "-o", str(target), *args)
        assert proc.returncode == 0, proc.stderr
        out[name] = target.read_bytes()
    return out


def log(db: Path) -> set[tuple]:
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute(
            "SELECT article_id, sentence_index, annotator, action, label, previous, created, field, provenance, uid FROM annotation_events"
        ))
    finally:
        conn.close()


def test_merge_is_idempotent_order_independent_and_loses_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    annotators_db(a, "ann", 1)
    annotators_db(b, "bob", 2)
    a_hash, b_hash = sha(a), sha(b)
    ab, ba = tmp_path / "ab.db", tmp_path / "ba.db"
    first = run_reader("merge", "--db", str(ab), str(a), str(b))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0].startswith(f"merged {a}: 3 articles added, 0 already here")
    assert run_reader("merge", "--db", str(ba), str(b)).returncode == 0
    assert run_reader("merge", "--db", str(ba), str(a)).returncode == 0
    assert (sha(a), sha(b)) == (a_hash, b_hash)  # only read
    assert not any(Path(f"{p}{end}").exists() for p in (a, b) for end in ("-wal", "-shm"))
    one, other = exports(ab, tmp_path), exports(ba, tmp_path)
    for name in one:
        assert one[name] == other[name], name
    # every event of both logs is here, with its annotator, time, kind and provenance
    assert log(ab) == log(ba) == log(a) | log(b)
    # the same annotator in both files: the later label stands, whichever file came first
    with Store(ab) as store:
        ids = store.article_ids()
        assert store.labels(ids[0], "shared") == {6: "commitment"}
    # merging again adds nothing
    before = dump_database(ab)
    again = run_reader("merge", "--db", str(ab), str(b), str(a))
    assert again.returncode == 0 and "0 events added" in again.stdout
    assert dump_database(ab) == before
    # each annotator's undo history is theirs, as in their own database
    for source, name in ((a, "ann"), (b, "bob")):
        with Store(source) as theirs, Store(ab) as merged:
            for article_id in theirs.article_ids():
                assert merged.labels(article_id, name) == theirs.labels(article_id, name)
                mine, there = merged.undo(article_id, name), theirs.undo(article_id, name)
                assert (mine.sentence_index, mine.label, mine.previous) == (there.sentence_index, there.label, there.previous)
                mine, there = merged.redo(article_id, name), theirs.redo(article_id, name)
                assert (mine.sentence_index, mine.label, mine.previous) == (there.sentence_index, there.label, there.previous)


def test_an_article_split_otherwise_is_mapped_by_offsets(tmp_path: Path) -> None:
    text, spans = article_text(0, 6)
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    with Store(ours) as store:
        store.add_article(Article(text, title="Split"), Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "m", "1"))
    # there: sentences 2 and 3 are one sentence (another model), so every index after it shifts
    joined = [spans[0], spans[1], (spans[2][0], spans[3][1]), spans[4], spans[5]]
    with Store(theirs) as store:
        article = Article(text, title="Split")
        store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(joined)), (), "m", "2"))
        for i, value in enumerate(["claim", "commitment", "background", "claim", "commitment"]):
            store.set_label(article.id, i, value, "bob")
    proc = run_reader("merge", "--db", str(ours), str(theirs))
    assert proc.returncode == 0, proc.stderr
    assert "split into other sentences" in proc.stderr and "4 of its 5 sentences match here" in proc.stderr
    assert "1 event on sentences that do not exist here was left out" in proc.stderr
    with Store(ours) as store:
        # their sentence 3 is our 4, their 4 our 5; the joined sentence's label goes nowhere
        assert store.labels(article.id, "bob") == {0: "claim", 1: "commitment", 4: "claim", 5: "commitment"}
        texts = {i: text[s.start:s.end] for i, s in enumerate(store.sentences(article.id))}
    assert texts[4] == text[joined[3][0]:joined[3][1]]


def hostile_files(tmp_path: Path, ours: Path) -> dict[str, tuple[Path, str]]:
    files = {}
    notes = tmp_path / "notes.md"
    notes.write_text("# not a database\n")
    files["text"] = (notes, "not an SQLite file")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    files["another program"] = (foreign, "another program")
    newer = tmp_path / "newer.db"
    shutil.copy(FIXTURES / "v1.db", newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    files["newer"] = (newer, "newer reader")
    damaged = tmp_path / "damaged.db"
    annotators_db(damaged, "dan", 3)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page * 3):
        data[offset + 100 : offset + 900] = os.urandom(800)
    damaged.write_bytes(bytes(data))
    files["damaged"] = (damaged, "damaged")
    files["itself"] = (ours, "this same database")
    link = tmp_path / "link.db"
    link.symlink_to(ours)
    files["a link to itself"] = (link, "this same database")
    files["its -wal"] = (Path(f"{ours}-wal"), "this same database")
    files["missing"] = (tmp_path / "missing.db", "no such file")
    files["a folder"] = (tmp_path, "directory")
    return files


def test_hostile_files_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    ours = tmp_path / "ours.db"
    annotators_db(ours, "ann", 1)
    good = tmp_path / "good.db"
    annotators_db(good, "bob", 2)
    Path(f"{ours}-wal").touch()
    for name, (path, reason) in hostile_files(tmp_path, ours).items():
        before, dump = sha(ours), dump_database(ours)
        other = sha(path) if path.is_file() else None
        # a good file first and the hostile one after: checked before anything is written
        proc = run_reader("merge", "--db", str(ours), str(good), str(path))
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert proc.stderr.count("\n") == 1 and reason in proc.stderr and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert proc.stdout == ""
        assert sha(ours) == before and dump_database(ours) == dump, name
        if other is not None:
            assert sha(path) == other, name


def test_a_damaged_file_whose_damage_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    """SQLite's report on this damaged file quotes bytes that are not UTF-8: the merge refused
    it with a traceback (the damaged case above, one run in about thirty). The fixture is a
    merge test's database with random bytes written over some pages."""
    damaged = tmp_path / "damaged.db"
    shutil.copy(FIXTURES / "damaged-not-utf8.db", damaged)
    with pytest.raises(UnicodeDecodeError):  # what makes the file hostile, with this SQLite
        sqlite3.connect(f"{damaged.resolve().as_uri()}?immutable=1", uri=True).execute("PRAGMA quick_check").fetchone()
    ours = tmp_path / "ours.db"
    annotators_db(ours, "ann", 1)
    before, dump = sha(ours), dump_database(ours)
    proc = run_reader("merge", "--db", str(ours), str(damaged))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "damaged" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert sha(ours) == before and dump_database(ours) == dump


def test_a_version_1_database_merges_once(tmp_path: Path) -> None:
    """A version-1 log has no uids: merging it, or a copy of it, twice adds nothing."""
    ours = tmp_path / "ours.db"
    old = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "v1.db", old)
    copy = tmp_path / "v1-copy.db"
    shutil.copy(FIXTURES / "v1.db", copy)
    assert run_reader("merge", "--db", str(ours), str(old)).returncode == 0
    with Store(ours) as store:
        (article,) = store.article_ids()
        assert store.labels(article, "asha") == {0: "background", 1: "commitment", 3: "claim"}
        undone = store.undo(article, "asha")  # the history written by version 1 still drives undo
        assert (undone.sentence_index, undone.label) == (3, None)
        store.redo(article, "asha")
    dump = dump_database(ours)
    again = run_reader("merge", "--db", str(ours), str(copy), str(old))
    assert again.returncode == 0 and "0 events added" in again.stdout
    assert dump_database(ours) == dump
    # and a version-1 database brought forward here merges into it as the same events
    with Store(copy):
        pass
    assert "0 events added" in run_reader("merge", "--db", str(ours), str(copy)).stdout
    assert dump_database(ours) == dump


def test_kill_9_during_a_merge_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    ours = tmp_path / "ours.db"
    annotators_db(ours, "ann", 1, articles=2)
    big = tmp_path / "big.db"
    with Store(big) as store:
        ids = add_articles(store, 400, n=40, title="Big")
        conn = store.conn
        conn.execute("BEGIN")
        for article_id in ids:
            for i in range(40):
                for name in ("x", "y", "z"):
                    store_label = LABELS[(i + len(name)) % 3]
                    conn.execute(
                        "INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, created, uid)"
                        " VALUES (?, ?, ?, 'set', ?, '2026-01-01T00:00:00.000Z', ?)",
                        (article_id, i, name, store_label, f"{article_id}-{i}-{name}"),
                    )
        conn.execute("COMMIT")
    dump, before = dump_database(ours), sha(ours)
    wal = Path(f"{ours}-wal")
    proc = subprocess.Popen([sys.executable, "-m", "reader", "merge", "--db", str(ours), str(big)],
                            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        # the merge is under way once its transaction has spilled pages into the write-ahead log
        while proc.poll() is None and time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 2_000_000):
            time.sleep(0.005)
        assert proc.poll() is None, "the merge finished before it could be killed: make the file bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert dump_database(ours) == dump
    with Store(ours) as store:
        store.check()
    assert sha(ours) == before or dump_database(ours) == dump
    finished = run_reader("merge", "--db", str(ours), str(big), timeout=600)
    assert finished.returncode == 0 and "400 articles added" in finished.stdout


# --- the review screen ------------------------------------------------------------------------

SIZE = (110, 36)
# On the sample article: ann and bob agree on sentences 0 and 2, disagree on 1, 3 and 5.
ANN = {0: "claim", 1: "claim", 2: "background", 3: "commitment", 5: "background"}
BOB = {0: "claim", 1: "commitment", 2: "background", 3: "claim", 5: "claim"}


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, str]:
    from tests.uihelp import INDIA, article_id_of, parsed_samples

    db = parsed_samples(tmp_path)
    india = article_id_of(db, INDIA)
    with Store(db) as store:
        for name, given in (("ann", ANN), ("bob", BOB)):
            for index, value in given.items():
                store.set_label(india, index, value, name)
    return db, india


def reviews_in(db: Path) -> dict[int, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT sentence_index, value FROM sentence_fields WHERE field = 'review' AND annotator = 'rev'"))
    finally:
        conn.close()


async def test_review_screen_settles_disagreements(sample: tuple[Path, str]) -> None:
    from reader.tui.app import ReaderApp
    from reader.tui.screens.library import LibraryScreen
    from reader.tui.screens.review import ReviewScreen
    from tests.uihelp import screen_text

    db, india = sample
    app = ReaderApp(Store(db), annotator="rev", review=())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        status = lambda: app.screen.status_text().plain  # noqa: E731
        assert status().startswith("disagreement 1/3 · 0/3 decided")
        shown = screen_text(app)
        assert "ann" in shown and "L claim" in shown and "bob" in shown and "C commitment" in shown
        assert "India and Canada" in shown  # the article's title, and the sentence in its context
        await pilot.press("2")
        assert reviews_in(db) == {1: "claim"} and status().startswith("disagreement 2/3 · 1/3 decided")
        await pilot.press("u")
        assert reviews_in(db) == {} and status().startswith("disagreement 1/3 · 0/3 decided")
        await pilot.press("U")
        assert reviews_in(db) == {1: "claim"} and status().startswith("disagreement 1/3")
        await pilot.press("j", "3", "1")
        assert reviews_in(db) == {1: "claim", 3: "background", 5: "commitment"}
        assert status().startswith("disagreement 3/3 · 3/3 decided")
        await pilot.press("a")  # every sentence labelled by both, the agreed ones too
        assert status().startswith("sentence 5/5")
        await pilot.press("g")
        assert "decision   none yet" in screen_text(app)
        await pilot.press("x")  # nothing to withdraw there
        assert reviews_in(db) == {1: "claim", 3: "background", 5: "commitment"}
        await pilot.press("question_mark")
        await pilot.pause()
        assert "review.undo" in screen_text(app)
        await pilot.press("escape", "q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("r")  # the library reaches it with a key
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.status_text().plain.startswith("disagreement 1/3 · 3/3")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    # the labels the annotators gave are untouched, and the export has the reviewer's
    proc = run_reader("export", "--db", str(db), "--resolve", "reviewed", "--article", india)
    records = {r["sentence_index"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert {i: records[i]["label"] for i in (1, 3, 5)} == {1: "claim", 3: "background", 5: "commitment"}
    assert records[0]["label"] == "claim" and records[0]["resolved_by"] == "majority"


async def test_review_sees_labels_written_elsewhere(sample: tuple[Path, str]) -> None:
    from reader.tui.app import ReaderApp

    db, india = sample
    app = ReaderApp(Store(db), annotator="rev", review=(india,))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.status_text().plain.startswith("disagreement 1/3")
        with Store(db) as other:  # another process settles one disagreement by agreeing
            other.set_label(india, 3, "commitment", "bob")
        await pilot.pause(1.2)
        assert app.screen.status_text().plain.startswith("disagreement 1/2")


async def test_the_library_shows_assignments_first(sample: tuple[Path, str]) -> None:
    from reader.tui.app import ReaderApp
    from tests.uihelp import screen_text

    db, india = sample
    with Store(db) as store:
        store.save_assignments([(india, "tester")])
        everything = len(store.article_ids())
    app = ReaderApp(Store(db), annotator="tester")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.row_count == 1 and app.screen.selected_id() == india
        assert f"(1 of {everything} shown: assigned to you, m shows all)" in screen_text(app)
        await pilot.press("m")
        assert "(yours first)" in screen_text(app)
        assert table.row_count == everything and app.screen.selected_id() == india
        assert str(table.coordinate_to_cell_key((0, 0)).row_key.value) == india  # assigned first


def test_review_in_a_real_terminal(sample: tuple[Path, str], tmp_path: Path) -> None:
    import shlex

    from tests.test_terminal import Terminal

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    db, india = sample
    (tmp_path / "none.toml").write_text("")
    command = shlex.join([sys.executable, "-m", "reader", "review", "--db", str(db), "--annotator", "rev", "--config", str(tmp_path / "none.toml")])
    term = Terminal(f"reader-review-{os.getpid()}", f"{command}; echo READER-EXITED-$?; sleep 60")
    try:
        term.wait_for(r"disagreement 1/3 · 0/3 decided")
        term.wait_for(r"bob\s+C commitment")
        for key, expected in (("3", r"disagreement 2/3 · 1/3"), ("1", r"disagreement 3/3 · 2/3"), ("2", r"disagreement 3/3 · 3/3")):
            term.send(key)
            term.wait_for(expected)
        term.send("u")
        term.wait_for(r"disagreement 3/3 · 2/3")
        term.send("3")
        term.wait_for(r"disagreement 3/3 · 3/3")
        term.send("q")
        term.wait_for(r"\d+ articles? ·")
        term.send("q")
        term.wait_for(r"READER-EXITED-0")
    finally:
        term.close()
    proc = run_reader("export", "--db", str(db), "--resolve", "reviewed", "--article", india)
    assert proc.returncode == 0, proc.stderr
    records = {r["sentence_index"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert {i: (records[i]["label"], records[i]["annotator"]) for i in (1, 3, 5)} == {
        1: ("background", "rev"), 3: ("commitment", "rev"), 5: ("background", "rev"),
    }


def test_merge_takes_a_parse_it_lacks_and_ignores_one_it_is_not_given(tmp_path: Path) -> None:
    text, spans = article_text(0, 4)
    article = Article(text, title="Parse")
    parse = Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "m", "1")
    parsed, bare = tmp_path / "parsed.db", tmp_path / "bare.db"
    with Store(parsed) as store:
        store.add_article(article, parse)
        store.set_label(article.id, 2, "claim", "ann")
    with Store(bare) as store:
        store.add_article(article)  # stored, not parsed yet
    # not parsed there: nothing to map, nothing to report
    proc = run_reader("merge", "--db", str(parsed), str(bare))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    # not parsed here: the sentences come with the labels
    proc = run_reader("merge", "--db", str(bare), str(parsed))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    with Store(bare) as store:
        assert [(s.start, s.end) for s in store.sentences(article.id)] == spans
        assert store.labels(article.id, "ann") == {2: "claim"}
