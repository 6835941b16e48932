"""The lexical triggers as spaCy DependencyMatcher patterns (reader/grammar/triggers.jsonl):
every pattern is documented and loads, each finds what its comment says in sentences written
for this test, and the pattern-based helpers give what the hand-written tree walks they
replaced gave, token for token, over the sample articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.grammar import clauses, lexicon, triggers

ROOT = Path(__file__).resolve().parents[1]


def test_every_pattern_is_documented_and_names_only_lists_of_the_lexicon():
    lines = [json.loads(line) for line in (ROOT / "reader" / "grammar" / "triggers.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    assert len({r["id"] for r in lines}) == len(lines) == len(triggers.patterns())
    for record in lines:
        assert record["comment"].strip() and record["used_by"].startswith("reader."), record["id"]
        assert record["pattern"][0]["RIGHT_ID"] == "trigger", record["id"]
        for word in json.dumps(record["pattern"]).split('"$')[1:]:
            assert hasattr(lexicon, word.split('"')[0]), record["id"]
    assert set(triggers.patterns()["be-to"]["pattern"][0]["RIGHT_ATTRS"]["LOWER"]["IN"]) == lexicon.BE_FORMS


CASES = [
    ("The ferry company has ruled out raising fares before the summer.", "ruled-out", "ruled", ["ruled", "out"]),
    ("The ferry company has ruled out raising fares before the summer.", "ruled-out/lemma", "ruled", ["ruled", "out"]),
    ("Rail union to strike for three days in March.", "headline-to", "strike", ["strike", "to", "union"]),
    ("The old pier is to reopen in the autumn.", "be-to", "is", ["is", "reopen", "to"]),
    ("The bakery is going to hire six new staff.", "going-to", "going", ["going", "is", "hire", "to"]),
    ("Brennmoor was selected to host the regional games.", "chosen-to", "selected", ["selected", "Brennmoor", "host", "to"]),
    ("The council unveiled a plan to plant a thousand trees.", "noun-to", "plan", ["plan", "plant", "to"]),
    ("The two clubs agreed to share the stadium.", "to-complement/verb", "agreed", ["agreed", "share"]),
    ("The trust is committed to protecting the marsh.", "to-complement/preposition", "committed", ["committed", "to", "protecting"]),
    ("The museum is scheduled to reopen in April.", "set-to", "scheduled", ["scheduled", "is", "reopen"]),
    ("The unions agreed late on Sunday to resume talks.", "commit-verb-to/later", "agreed", ["agreed", "resume", "to"]),
    ("The bakery is going to hire six new staff.", "going-to/lemma", "going", ["going", "is", "hire", "to"]),
    ("The two firms will work jointly to rebuild the pier.", "infinitive-adjunct", "work", ["work", "rebuild", "to"]),
    ("The board will take steps to cut its costs.", "deed-infinitive/means", "take", ["take", "cut", "to"]),
    ("The county will take further measures to protect the wetlands.", "deed-infinitive/means-object", "take", ["take", "measures", "protect", "to"]),
    ("The city will open a depot that will serve the north.", "modal-relative", "depot", ["depot", "serve", "will"]),
    ("The port will raise its dues in line with inflation.", "frame-phrase", "in", ["in", "line", "with"]),
    ("The shelter will stay open as long as needed.", "as-long-as", "long", ["long", "as", "needed"]),
]


@pytest.mark.parametrize(("text", "name", "anchor", "words"), CASES, ids=[c[1] for c in CASES])
def test_each_pattern_finds_what_its_comment_says(nlp, text, name, anchor, words):
    doc = nlp(text)
    token = next(t for t in doc if t.text == anchor)
    assert [[t.text for t in m] for m in triggers.at(token, name, doc[:])] == [words]
    others = [t for t in doc if t.i != token.i and triggers.at(t, name)]
    assert not others, (name, others)


def test_a_court_that_rules_is_no_trigger(nlp):
    doc = nlp("The court ruled that the strike was lawful.")
    assert not any(triggers.at(t, "ruled-out") or triggers.at(t, "ruled-out/lemma") for t in doc)


def test_a_match_reaching_outside_the_span_is_left_out(nlp):
    doc = nlp("The bakery is going to hire six new staff.")
    going = doc[3]
    assert triggers.at(going, "going-to", doc[:]) and not triggers.at(going, "going-to", doc[3:])


def test_an_unparsed_doc_has_no_matches_and_no_error():
    """A blank pipeline has no tags and no parse: the engines read no trigger (spaCy's matcher
    would refuse the POS patterns outright)."""
    import spacy

    doc = spacy.blank("en")("The clubs agreed to share the stadium.")
    assert all(clauses.to_complement(t) is None for t in doc)
    assert all(not found for found in triggers.matches(doc).values())


def test_a_parse_without_tags_is_matched_by_the_patterns_that_need_none():
    """Only the patterns that read no tag run on a Doc that has a parse and no tagger (where an
    unset tag could not match anyway): "agreed to terms" is still found."""
    import spacy
    from spacy.tokens import Doc

    doc = Doc(spacy.blank("en").vocab, words=["They", "agreed", "to", "terms"], heads=[1, 1, 1, 2], deps=["nsubj", "ROOT", "prep", "pobj"])
    assert [_to_complement_by_hand(t) for t in doc] == [clauses.to_complement(t) for t in doc] == [None, doc[3], None, None]


def _to_complement_by_hand(token):
    """reader.grammar.clauses.to_complement as it was written before the patterns."""
    for child in token.children:
        if child.dep_ in ("xcomp", "acl") and child.pos_ in ("VERB", "AUX"):
            return child
        if child.dep_ == "prep" and child.lower_ in ("to", "on", "towards"):
            for grand in child.children:
                if grand.dep_ in ("pcomp", "pobj"):
                    return grand
    return None


def _ruled_out_by_hand(span, tok):
    return tok.lower_ in ("rule", "rules", "ruled", "ruling") and any(
        p.lower_ == "out" and p.dep_ == "prt" for p in tok.children if span.start <= p.i < span.end)


def test_the_patterns_give_what_the_tree_walks_gave_on_the_sample_articles(nlp):
    from reader.commitments import parse_article

    compared = found = 0
    for path in sorted((ROOT / "sample_articles").glob("*.txt")):
        for _a, _b, span in parse_article(nlp, path.read_text(encoding="utf-8")):
            for tok in span:
                expected = _to_complement_by_hand(tok)
                assert clauses.to_complement(tok) == expected, (span.text, tok.text)
                assert bool(triggers.at(tok, "ruled-out", span)) == _ruled_out_by_hand(span, tok), (span.text, tok.text)
                compared += 1
                found += expected is not None
    assert compared > 1000 and found > 50


def _relative_chain(clauses: int) -> str:
    """One run-on sentence of relative clauses, each inside the last: hostile input whose parse
    is as deep as the sentence is long."""
    nouns = ["homes", "roads", "clinics", "schools", "bridges", "parks", "ports", "mines"]
    verbs = ["build", "repair", "open", "fund", "close", "train", "hire", "protect"]
    return "The council pledged to build " + " ".join(f"{nouns[k % 8]} that will {verbs[k * 3 % 8]}" for k in range(clauses)) + " homes."


def test_the_walk_finds_what_spacy_s_dependency_matcher_finds_in_the_same_order(nlp):
    """`search` replaced spaCy's DependencyMatcher, which tries every combination of candidate
    tokens; on the sample articles and on a deep run-on sentence it gives the same matches, in
    the same order, pattern by pattern."""
    from spacy.matcher import DependencyMatcher

    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "sample_articles").glob("*.txt"))]
    found = 0
    for doc in nlp.pipe([*texts, _relative_chain(40)]):
        for name, record in triggers.patterns().items():
            spacy_matcher = DependencyMatcher(nlp.vocab)
            spacy_matcher.add(name, [record["pattern"]])
            expected: dict[int, list[tuple[int, ...]]] = {}
            for _key, nodes in spacy_matcher(doc):
                expected.setdefault(nodes[0], []).append(tuple(nodes))
            assert triggers.search(doc, name)[0] == expected, (name, doc.text[:80])
            found += len(expected)
    assert found > 100


def test_a_run_on_sentence_of_relative_clauses_is_walked_in_linear_work(nlp):
    """A 1,000-token sentence of clauses inside clauses took the commitment extractor 10 s: the
    DependencyMatcher tried 250 nouns x 250 relative clauses x 250 "will" for one pattern. The
    walk looks at each token at most once per node of a pattern, and the extractor's result on
    it is the sentence's own commitment."""
    import datetime as dt

    from reader.commitments import extract

    doc = nlp(_relative_chain(250))
    assert len(doc) > 1000
    for name, record in triggers.patterns().items():
        matches, looked = triggers.search(doc, name)
        assert looked <= (len(record["pattern"]) - 1) * len(doc), (name, looked)
    assert len(triggers.search(doc, "modal-relative")[0]) == 250  # every "clinics that will open"
    found = extract(doc[:], (), dt.date(2026, 2, 8))
    assert found.actor == "The council" and found.trigger == "pledged", found
    assert found.action is not None and found.action.startswith("build "), found
