"""The learned actor ranker (reader.commitments.ranker): it changes the actor where the rules
miss, leaves the rules standing without its model, and ships weights that match the features
the code computes now. Real spaCy; every sentence is written for these tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.commitments import actor as actor_mod
from reader.commitments import clause, extract, ranker, ranker_build

ROOT = Path(__file__).resolve().parents[1]
# the rules find no subject for "are focused on" behind the fronted phrase; the ranker names "we"
MISSED = "Through the new grant scheme, we are focused on helping more than 2,000 farmers adopt drip irrigation."


def rules_actor(nlp, text: str):
    span = nlp(text)[:]
    return span, clause.find(span), actor_mod.find(span, clause.find(span))


def test_the_ranker_names_the_party_the_rules_miss(nlp):
    _span, _anchor, found = rules_actor(nlp, MISSED)
    assert found.indices == []  # the rules alone: no actor
    c = extract(nlp(MISSED)[:])
    assert c.actor == "we"
    assert "learned ranker" in c.actor_note


def test_without_its_model_the_rules_stand(nlp, tmp_path, monkeypatch):
    monkeypatch.setattr(ranker, "MODEL_PATH", tmp_path / "absent.json")
    assert ranker.load() is None
    assert extract(nlp(MISSED)[:]).actor is None


@pytest.mark.parametrize("content", ["{not json", "[]", '{"weights": 3}', '{"weights": {}, "notes": []}'])
def test_a_damaged_model_file_is_no_model(tmp_path, content):
    path = tmp_path / "ranker.json"
    path.write_text(content, encoding="utf-8")
    assert ranker.load(path) is None


def test_a_sentence_with_one_party_keeps_the_rules(nlp):
    span, anchor, found = rules_actor(nlp, "We will help.")
    assert [c.source for c in ranker.candidates(span, anchor, found)] == ["rules", "none"]
    assert ranker.choose(span, anchor, found) is None


def test_a_relative_pronoun_antecedent_is_never_overridden(nlp):
    text = "Local reporters called the meeting a first step for Okafor, who plans to visit the mine in June."
    span, anchor, found = rules_actor(nlp, text)
    assert "stands for the noun before it" in found.note
    assert ranker.choose(span, anchor, found) is None
    assert extract(nlp(text)[:]).actor == "Okafor"


def test_candidates_leave_out_relative_phrases(nlp):
    text = "The new chair, Ruth Adeyemi — whose brother runs the ferry — vowed to keep the pier open."
    span, anchor, found = rules_actor(nlp, text)
    words = [[span.doc[i].lower_ for i in c.indices] for c in ranker.candidates(span, anchor, found)]
    assert not any("whose" in w for w in words)
    assert "whose" not in (extract(nlp(text)[:]).actor or "").lower()


def test_the_shipped_ranker_matches_the_features_the_code_computes(nlp):
    """A change to `ranker.features` or `ranker.candidates` without `make model` leaves weights for
    columns the code no longer computes: the model records its probe sentences' columns at build."""
    model = ranker.load()
    assert model is not None, "reader/commitments/ranker.json is missing: run `make model`"
    assert model["info"]["features_sha256"] == ranker_build.feature_digest(nlp), "run `make model`"


def test_the_shipped_ranker_was_fitted_on_the_whole_corpus():
    import hashlib

    info = ranker.load()["info"]
    labels = ROOT / "corpus" / "labels.jsonl"
    gold = [r for r in map(json.loads, labels.open(encoding="utf-8")) if r.get("label") == "commitment"]
    assert info["excluded_kinds"] == []
    assert info["commitments"] == len(gold)
    assert info["corpus_labels_sha256"] == hashlib.sha256(labels.read_bytes()).hexdigest()[:16]


def test_importing_the_extractor_reads_no_model_and_no_scikit_learn():
    code = ("import sys; import reader.commitments as c; from reader.commitments import ranker, weights;"
            "print(weights.read.cache_info().currsize, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["0", "False"]


def test_the_build_refuses_a_folder_without_labels(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "reader.commitments.ranker_build", str(tmp_path), "-o", str(tmp_path / "r.json")],
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "labels.jsonl" in proc.stderr
    assert not (tmp_path / "r.json").exists()


STORY = [
    ("The county council will reopen the swimming baths in March.", "commitment", "The county council"),
    ("Through its new fund, the trust is focused on giving every village a defibrillator.", "commitment", "the trust"),
    ("Residents had asked for the baths to return for years.", "background", None),
    ("Through a partnership with the college, we are committed to training forty nurses.", "commitment", "we"),
]


def test_the_build_fits_a_ranker_the_extractor_can_read(tmp_path):
    """`python -m reader.commitments.ranker_build` on a small corpus of the repository's layout."""
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    text = "\n\n".join(s for s, _, _ in STORY) + "\n"
    (corpus / "texts" / "story.txt").write_text(text, encoding="utf-8")
    (corpus / "sources.jsonl").write_text(json.dumps({"file": "story.txt", "kind": "news"}) + "\n", encoding="utf-8")
    with open(corpus / "labels.jsonl", "w", encoding="utf-8") as out:
        for sentence, label, actor in STORY:
            start = text.index(sentence)
            record = {"text": sentence, "label": label, "source": "texts/story.txt", "start": start, "end": start + len(sentence)}
            if label == "commitment":
                record["commitment"] = {"actor": actor, "action": None, "when": None}
            out.write(json.dumps(record) + "\n")
    output = tmp_path / "ranker.json"
    proc = subprocess.run([sys.executable, "-m", "reader.commitments.ranker_build", str(corpus), "-o", str(output)],
                          capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    model = ranker.load(output)
    assert model is not None and model["weights"]
    assert model["info"]["commitments"] == 3
    assert sum(model["notes"].values()) == 3


def test_cross_validation_scores_each_article_with_a_model_fitted_without_it():
    from reader.commitments.ranker_build import fold_picks

    items = [{"article": f"a{n % 7}", "rows": [n]} for n in range(40)]
    fitted_on: list[set[str]] = []

    def fit(train: list[dict]) -> set[str]:
        fitted_on.append({it["article"] for it in train})
        return fitted_on[-1]

    chosen = fold_picks(items, fit, lambda seen, rows, margin: (seen, margin), [0.5, 1.5], folds=3)
    assert len(fitted_on) == 3
    for margin, picks in chosen.items():
        for item, (seen, used) in zip(items, picks, strict=True):
            assert item["article"] not in seen and used == margin
            assert len(seen) >= 4  # the other folds' articles, all of them
