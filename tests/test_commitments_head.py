"""The learned choice of the action's clause (reader.commitments.head): it moves the action to
the promised clause where the rules took the outer one, leaves the rules standing without its
model or with a damaged one, and ships weights that match the features the code computes now.
Real spaCy; every sentence is written for these tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.commitments import action, clause, extract, head, head_build, weights
from reader.commitments import actor as actor_mod
from reader.grammar import tree

ROOT = Path(__file__).resolve().parents[1]
# the rules cut the action from "recommitted" (the outer clause); the promise is "to feed ..."
OUTER = "The bakers recommitted themselves today to feed every child in the village."
RULES_ACTION = "recommitted themselves today"
LEARNED_ACTION = "feed every child in the village"


def rules_action(nlp, text: str) -> str:
    span = nlp(text)[:]
    anchor = clause.find(span)
    found = actor_mod.find(span, anchor)
    return tree.text_of(span.doc, action.indices(span, anchor, found, []))


@pytest.fixture
def no_cache():
    weights.read.cache_clear()
    yield
    weights.read.cache_clear()


def test_the_learned_choice_takes_the_promised_clause(nlp):
    assert rules_action(nlp, OUTER) == RULES_ACTION  # the rules alone: the outer clause
    assert extract(nlp(OUTER)[:]).action == LEARNED_ACTION


def test_without_its_model_the_rules_stand(nlp, tmp_path, monkeypatch, no_cache):
    monkeypatch.setattr(head, "MODEL_PATH", tmp_path / "absent.json")
    assert head.load() is None
    assert extract(nlp(OUTER)[:]).action == RULES_ACTION


@pytest.mark.parametrize("content", ["{not json", "[]", '{"weights": 3}', '{"weights": {"rules": "x"}}',
                                     '{"weights": {}, "margin": "wide"}', "\x00\xff"])
def test_a_damaged_model_file_leaves_the_rules(nlp, tmp_path, monkeypatch, no_cache, content):
    path = tmp_path / "head.json"
    path.write_text(content, encoding="utf-8")
    assert head.load(path) is None
    monkeypatch.setattr(head, "MODEL_PATH", path)
    assert extract(nlp(OUTER)[:]).action == RULES_ACTION


def test_a_sentence_with_one_clause_keeps_the_rules(nlp):
    span = nlp("We will help.")[:]
    anchor = clause.find(span)
    found = actor_mod.find(span, anchor)
    ruled = action.indices(span, anchor, found, [])
    assert [c.source for c in head.candidates(span, anchor, found, [], ruled)] == ["rules"]
    assert head.choose(span, anchor, found, [], ruled) is None


def test_the_shipped_model_matches_the_features_the_code_computes(nlp):
    """A change to `head.features` or `head.candidates` without `make model` leaves weights for
    columns the code no longer computes: the model records its probe sentences' columns at build."""
    model = head.load()
    assert model is not None, "reader/commitments/head.json is missing: run `make model`"
    assert model["info"]["features_sha256"] == head_build.feature_digest(nlp), "run `make model`"


def test_the_shipped_model_was_fitted_on_the_whole_corpus():
    import hashlib

    info = head.load()["info"]
    labels = ROOT / "corpus" / "labels.jsonl"
    gold = [r for r in map(json.loads, labels.open(encoding="utf-8")) if r.get("label") == "commitment"]
    assert info["excluded_kinds"] == []
    assert info["commitments"] == len(gold)
    assert info["corpus_labels_sha256"] == hashlib.sha256(labels.read_bytes()).hexdigest()[:16]


def test_importing_the_extractor_reads_no_model_and_no_scikit_learn():
    code = ("import sys; import reader.commitments as c; from reader.commitments import head, weights;"
            "print(weights.read.cache_info().currsize, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["0", "False"]


def test_the_build_refuses_a_folder_without_labels(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "reader.commitments.head_build", str(tmp_path), "-o", str(tmp_path / "h.json")],
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "labels.jsonl" in proc.stderr
    assert not (tmp_path / "h.json").exists()


STORY = [
    ("The ferry company recommitted itself on Monday to run a winter timetable.", "commitment", "run a winter timetable"),
    ("The council will repaint the harbour wall and it is going to mend the slipway.", "commitment", "mend the slipway"),
    ("Fishermen had complained about the slipway for years.", "background", None),
    ("The harbour master said the port would reopen the north quay in spring.", "commitment", "reopen the north quay"),
]


def test_the_build_fits_a_model_the_extractor_can_read(tmp_path):
    """`python -m reader.commitments.head_build` on a small corpus of the repository's layout."""
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    text = "\n\n".join(s for s, _, _ in STORY) + "\n"
    (corpus / "texts" / "story.txt").write_text(text, encoding="utf-8")
    (corpus / "sources.jsonl").write_text(json.dumps({"file": "story.txt", "kind": "news"}) + "\n", encoding="utf-8")
    with open(corpus / "labels.jsonl", "w", encoding="utf-8") as out:
        for sentence, label, act in STORY:
            start = text.index(sentence)
            record = {"text": sentence, "label": label, "source": "texts/story.txt", "start": start, "end": start + len(sentence)}
            if label == "commitment":
                record["commitment"] = {"actor": None, "action": act, "when": None}
            out.write(json.dumps(record) + "\n")
    output = tmp_path / "head.json"
    proc = subprocess.run([sys.executable, "-m", "reader.commitments.head_build", str(corpus), "-o", str(output)],
                          capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    model = head.load(output)
    assert model is not None and model["weights"]
    assert model["info"]["commitments"] == 3
