"""Paragraph and sentence segmentation of article text.

Paragraphs are lines.  Sentences start from spaCy's parser-based boundaries
(``doc.sents``) and are then corrected by a few small, general rules:

* closing quotes/brackets at the start of a sentence move to the previous one;
* merge rules undo splits where no sentence can end: after a title
  abbreviation ("Dr.") or an initial, before a number after "No."/"Jan.",
  before a lowercase word, after text with no punctuation at all, around
  fragments without letters, and before the attribution of a quotation;
* split rules add boundaries the parser misses: a photo credit ("Image:")
  run into its caption, a headline or dateline run into the next sentence,
  a capital after an elision "[...]", and "word. Capital" between two
  clauses.

The rules were tuned on the GUM news texts but only with patterns that hold
for edited English news in general; each rule says why it is safe.

This module deliberately does not import spaCy: the caller owns the
pipeline and passes in ready-made ``Doc`` objects.  Everything here works on
token index ranges ``(start, end)`` of one paragraph's doc and converts them
to trimmed character offsets only at the end.
"""

from __future__ import annotations

import re

# A sentence (ignoring closing quotes/brackets) normally ends with one of these.
_FINAL_PUNCT = frozenset(".!?…")
# Characters that close something opened earlier; they belong to the sentence
# before a boundary, never at the start of the next one.
_CLOSERS = frozenset(")]}”’»")
_QUOTES = frozenset("\"'")
_DASHES = frozenset({"-", "–", "—", "--"})

# Titles written before a name.  They (practically) never end a sentence, so
# a boundary right after one is always wrong.  Ambiguous ones that can end a
# sentence ("Main St.", "John Smith Sr.") are deliberately left out.
_TITLE_ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr prof rev fr gen lt col maj capt cmdr adm sgt cpl
    gov sen rep pres supt insp det hon amb
    """.split()
)
# Abbreviations that are usually followed by a number ("No. 5", "Jan. 12",
# "pp. 3-4").  Before a digit they cannot end a sentence.
_NUMBER_ABBREVIATIONS = frozenset(
    """
    no nos vol vols p pp ch fig figs art sec para ed ref approx est ca
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Labels that introduce a photo credit; captions are often run straight into
# them without a full stop ("Crowd at the stadium Image: J. Smith.").
_CREDIT_LABELS = frozenset({"Image", "Images", "Photo", "Photos", "Photograph", "Picture", "Credit"})

# "Dr." / "(No." -> "Dr" / "No"; dotted abbreviations such as "U.S." do not match.
_ABBREVIATION = re.compile(r"(?:^|[^A-Za-z.])([A-Za-z]+)\.$")
_INITIAL = re.compile(r"^[A-Z]\.$")


# --------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------

def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Split article text into paragraphs: every line (split on "\\n") that has
    non-space content is one paragraph; return (start, end) char offsets into
    text, trimmed of surrounding whitespace."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        start, end = _trim(line, 0, len(line))
        if end > start:
            spans.append((pos + start, pos + end))
        pos += len(line) + 1
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------

def sentence_spans(doc, offset: int) -> list[tuple[int, int]]:
    """doc is the spaCy Doc of ONE paragraph (doc.text == text[offset:offset+len(doc.text)]).
    Return sentence spans as absolute (start, end) offsets into the article text
    (add offset), each trimmed of whitespace, non-empty, in order, non-overlapping,
    together covering every non-space character of the paragraph."""
    sents = _parser_sentences(doc)
    sents = _move_closers_left(doc, sents)
    sents = _merge_pass(doc, sents)
    sents = _split_pass(doc, sents)
    return _char_spans(doc, sents, offset)


def parsed_sentences(nlp, doc, offset: int):
    """(doc, spans): the paragraph's sentences (`sentence_spans`) and a parse of it with no arc
    across them (`within_sentences`), as import, training and the extractor all read it."""
    spans = sentence_spans(doc, offset)
    return within_sentences(nlp, doc, spans, offset), spans


def within_sentences(nlp, doc, spans: list[tuple[int, int]], offset: int):
    """The paragraph's parse with no arc across a sentence boundary.

    A boundary the split rules add (a dateline, a photo credit, a missed full stop) cuts the
    parser's tree: "VELMONT, 14 January 2026 — The trade minister ... pledged" was parsed as one
    sentence rooted in VELMONT, so the sentence after the dash had no subject. When any sentence
    of `spans` (absolute offsets, as `sentence_spans` gives them) has a token whose head lies
    outside it, the paragraph is parsed again with exactly those sentence starts preset (spaCy's
    parser keeps boundaries set before it runs); otherwise `doc` itself comes back. Offsets,
    tokens and the paragraph's text (its quotes, for a sentence that opens inside one) stay."""
    ranges = []
    for a, b in spans:
        span = doc.char_span(a - offset, b - offset, alignment_mode="expand")
        if span is not None:
            ranges.append((span.start, span.end))
    if not any(t.head.i < start or t.head.i >= end for start, end in ranges for t in doc[start:end]):
        return doc
    starts = {start for start, _ in ranges} | {0}
    again = nlp.make_doc(doc.text)
    for token in again:
        token.is_sent_start = token.i in starts
    for _name, process in nlp.pipeline:
        again = process(again)
    return again


def _parser_sentences(doc) -> list[tuple[int, int]]:
    """Token ranges of spaCy's own sentences (the whole doc if it has none)."""
    if len(doc) == 0:
        return []
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return [(0, len(doc))]
    return [(s.start, s.end) for s in doc.sents]


def _char_spans(doc, sents, offset) -> list[tuple[int, int]]:
    """Convert token ranges to trimmed absolute character offsets.

    Token ranges are contiguous, so the only characters between consecutive
    ranges are whitespace; dropping whitespace-only ranges loses nothing."""
    text = doc.text
    spans = []
    for start, end in sents:
        a = doc[start].idx
        b = doc[end - 1].idx + len(doc[end - 1].text)
        a, b = _trim(text, a, b)
        if b > a:
            spans.append((offset + a, offset + b))
    return spans


# ---- token helpers --------------------------------------------------------

def _content(doc, rng):
    """Tokens of a range without whitespace tokens."""
    return [t for t in doc[rng[0]:rng[1]] if not t.is_space]


def _has_letters(doc, rng) -> bool:
    return any(ch.isalpha() for t in _content(doc, rng) for ch in t.text)


def _ends_with_word(token) -> bool:
    """Token ends in a letter or digit: a plain word or number, not
    punctuation and not an abbreviation with a final period ("D.C.")."""
    return token.text[-1:].isalnum()


def _last_word(doc, rng) -> str:
    """The last whitespace-delimited chunk of a range, e.g. "U.S." or "No."."""
    text = doc[rng[0]:rng[1]].text.rstrip()
    return text.split()[-1] if text else ""


def _is_closer(token) -> bool:
    """Does token close a quote or bracket?"""
    if token.text and all(ch in _CLOSERS for ch in token.text):
        return True
    # A straight quote opens a quotation when it is glued to the following
    # word ('"Hello'); otherwise (followed by a space, punctuation or the end)
    # it closes one ('... today." He').
    if token.text in _QUOTES:
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        return bool(token.whitespace_) or nxt is None or not _starts_with_word(nxt)
    return False


def _starts_with_word(token) -> bool:
    return token.text[:1].isalnum()


# ---- closing punctuation --------------------------------------------------

def _move_closers_left(doc, sents):
    """A sentence cannot start with a closing quote or bracket: move such
    tokens to the end of the previous sentence ('He said "Go."' + '"').  If
    nothing is left of the sentence, it simply disappears into the previous one."""
    out = []
    for start, end in sents:
        if out:
            prev_start = out[-1][0]
            while start < end and _is_closer(doc[start]):
                start += 1
            out[-1] = (prev_start, start)
            if start == end:
                continue
        out.append((start, end))
    return out


# ---- merge rules ----------------------------------------------------------
# Each rule looks at two adjacent sentences (left, right) and says whether
# the boundary between them is spurious.

def _merge_pass(doc, sents):
    out = []
    for i, right in enumerate(sents):
        is_last = i == len(sents) - 1
        if out and _should_merge(doc, out[-1], right, len(out) == 1, is_last):
            out[-1] = (out[-1][0], right[1])
        else:
            out.append(right)
    return out


def _should_merge(doc, left, right, left_is_first, right_is_last) -> bool:
    return (
        _no_letters(doc, left, right, left_is_first)
        or _left_lacks_final_punct(doc, left)
        or _after_nonfinal_abbreviation(doc, left, right)
        or _after_initial(doc, left, right)
        or _starts_lowercase(doc, right)
        or _is_attribution(doc, left, right, right_is_last)
    )


def _no_letters(doc, left, right, left_is_first) -> bool:
    """Fragments without letters ("...", "2.", "*") are not sentences: attach
    them to the previous sentence, or to the next one at paragraph start."""
    return not _has_letters(doc, right) or (left_is_first and not _has_letters(doc, left))


def _left_lacks_final_punct(doc, left) -> bool:
    """Inside a paragraph, the parser sometimes splits where the text has no
    punctuation at all ("... and James" | "To of the party", "... our country"
    | "[...] because ...").  Without a full stop such splits are unreliable;
    the split rules below add back the few unpunctuated boundaries we trust."""
    tokens = _content(doc, left)
    return bool(tokens) and _ends_with_word(tokens[-1])


def _after_nonfinal_abbreviation(doc, left, right) -> bool:
    """'Dr.' / 'Mr.' never end a sentence; 'No.' / 'Jan.' / 'pp.' do not end
    one when a number follows ("No. 10", "Jan. 5")."""
    m = _ABBREVIATION.search(_last_word(doc, left))
    if not m:
        return False
    word = m.group(1).lower()
    if word in _TITLE_ABBREVIATIONS:
        return True
    first = _content(doc, right)
    return word in _NUMBER_ABBREVIATIONS and bool(first) and first[0].text[:1].isdigit()


def _after_initial(doc, left, right) -> bool:
    """A single capital plus period before a name is an initial ("George W." |
    "Bush"), not the end of a sentence."""
    if not _INITIAL.match(_last_word(doc, left)):
        return False
    first = _content(doc, right)
    return bool(first) and first[0].pos_ == "PROPN" and first[0].is_title


def _starts_lowercase(doc, right) -> bool:
    """Sentences start with a capital (or a digit/quote); a boundary before an
    all-lowercase word ("the world." | "b) Refusing", "approx." | "five")
    is almost always a misread abbreviation or list item.  Mixed-case brand
    names ("iPhone", "eBay") are not lowercase and do not trigger this."""
    for t in _content(doc, right):
        if any(ch.isalpha() for ch in t.text):
            return t.is_lower
    return False


def _is_attribution(doc, left, right, right_is_last) -> bool:
    """A quotation is often followed by its source: '"..." - Jane Doe' or, at
    the end of a paragraph, a bare name without punctuation.  The source is
    part of the quoting sentence, not a sentence of its own."""
    tokens = _content(doc, right)
    if not tokens:
        return False
    if tokens[0].text in _DASHES and len(tokens) > 1 and tokens[1].is_title:
        return True
    return (
        right_is_last
        and len(tokens) <= 4
        and all(t.pos_ == "PROPN" and t.is_title for t in tokens)
    )


# ---- split rules ----------------------------------------------------------
# Each rule looks at one token inside a sentence and says whether a new
# sentence starts there.

def _split_pass(doc, sents):
    out = []
    for start, end in sents:
        cut = start
        for i in range(start + 1, end):
            if _starts_sentence(doc, i, cut, end):
                out.append((cut, i))
                cut = i
        out.append((cut, end))
    return out


def _starts_sentence(doc, i, sent_start, sent_end) -> bool:
    fires = (
        _credit_label(doc, i)
        or _after_inline_dateline(doc, i, sent_start, sent_end)
        or _unpunctuated_clause_start(doc, i, sent_end)
        or _after_elision(doc, i)
        or _missed_full_stop(doc, i, sent_start, sent_end)
    )
    # Never leave a letterless fragment (such as a lone quote) behind.
    return fires and _has_letters(doc, (sent_start, i))


def _credit_label(doc, i) -> bool:
    """A photo credit ("Image: Jane Doe.") is a sentence of its own, also
    when the caption before it has no full stop ('Crowds at the fair Image:
    J. Smith.') or ends in an abbreviation ('... in Washington D.C. Image:
    ...').  A credit inside brackets ("(Photo: AP)") stays where it is."""
    token = doc[i]
    prev = doc[i - 1]
    return (
        token.text in _CREDIT_LABELS
        and i + 1 < len(doc)
        and doc[i + 1].text == ":"
        and not prev.is_left_punct
        and prev.text not in ":("
    )


# A dateline is short: place, date, perhaps an agency ("LONDON, 3 May 2026 (Reuters) —").
_DATELINE_MAX_TOKENS = 15


def _after_inline_dateline(doc, i, sent_start, sent_end) -> bool:
    """A wire story's dateline run into its lede with a dash: 'VELMONT, 14 January 2026 — The
    trade minister ... pledged ...' or 'WASHINGTON (AP) -- Lawmakers ...'. The dateline (dash
    included) is a sentence of its own. Only at the start of a paragraph; the left side is a
    short place-and-date phrase: it starts with a name (a proper noun or a word in capitals, not a
    day or a time), closes every bracket it opens, has no verb, and has a number or is a place in
    capitals; the right side starts with a capital and
    has a verb. So an aside between dashes ("Smith, the mayor — and a former judge — said") and a
    dash after an opening phrase ("On Monday — the day ...") stay whole."""
    dash = doc[i - 1]
    if sent_start != 0 or dash.text not in _DASHES or i - 1 > _DATELINE_MAX_TOKENS:
        return False
    if not (dash.whitespace_ and doc[i - 2].whitespace_):
        return False  # a hyphen inside a name: "Biden-Harris", "MAKHANDA-ON-KEI"
    first = doc[0]
    if not (doc[i].is_title or doc[i].is_upper) or (first.pos_ not in ("PROPN", "NOUN", "X") and not first.is_upper):
        return False
    left = doc[0:i - 1]
    if first.ent_type_ in ("DATE", "TIME") or sum(t.text == "(" for t in left) != sum(t.text == ")" for t in left):
        return False  # a schedule's time ("Thursday, July 21, 10 a.m. –") or a life span "(1929 – 2014)"
    shouting = first.is_upper and len(first.text) > 1 and first.is_alpha
    if not (shouting or any(t.like_num for t in left)) or _has_verb(left):
        return False
    if not shouting and not any(t.text == "," for t in left):
        return False
    return _has_verb(doc[i:sent_end])


def _unpunctuated_clause_start(doc, i, sent_end) -> bool:
    """An introductory prepositional phrase ("In the north, ...", "On Tuesday,
    ...") run into a headline, caption or dateline without punctuation:
    'Friday, May 1, 2015 On Tuesday, the council voted ...'.  We require a
    title-case preposition directly after a word, a comma closing the phrase
    before any verb, and a verb after the comma, so that title-case
    prepositions inside names ("Gone With the Wind was ...") are left alone."""
    token = doc[i]
    if not (token.is_title and token.pos_ == "ADP" and _ends_with_word(doc[i - 1])):
        return False
    for j in range(i + 1, sent_end):
        if doc[j].pos_ in ("VERB", "AUX"):
            return False
        if doc[j].text == ",":
            return any(t.pos_ in ("VERB", "AUX") for t in doc[j + 1:sent_end])
    return False


def _after_elision(doc, i) -> bool:
    """An editorial elision "[...]" inside a quotation followed by a capital
    starts a new sentence ('... crop yields [...] Ozone is ...'); followed by
    a lowercase word it just skips words within one sentence."""
    return (
        doc[i].is_title
        and i >= 3
        and doc[i - 3:i].text.replace(" ", "") in ("[...]", "[…]")
    )


def _missed_full_stop(doc, i, sent_start, sent_end) -> bool:
    """The parser occasionally runs two ordinary sentences together.  Split
    at "word. Capital" when the period is a token of its own (spaCy keeps
    abbreviations like "U.S." or "Dr." as one token), the word before it is
    lowercase, and both sides look like clauses: a verb and a few words on
    the left, a verb before the next full stop on the right."""
    if i < 2 or not doc[i].is_title or doc[i - 1].text != "." or not doc[i - 2].is_lower:
        return False
    if len(doc[i - 2].text) < 2:
        return False
    left = doc[sent_start:i - 1]
    if sum(1 for t in left if t.is_alpha) < 4 or not _has_verb(left):
        return False
    right = []
    for t in doc[i:sent_end]:
        if t.text in _FINAL_PUNCT:
            break
        right.append(t)
    return _has_verb(right)


def _has_verb(tokens) -> bool:
    return any(t.pos_ in ("VERB", "AUX") for t in tokens)
