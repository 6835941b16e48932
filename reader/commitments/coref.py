"""Name a pronoun or generic actor from the sentences just before it, by a few plain rules.

Looked at nearest sentence first, at most `PRONOUN_WINDOW` sentences back for a pronoun and
`WINDOW` for a noun phrase; for "both X" / "the two X", failing that, the article's first
`LEAD` sentences (when the context given starts at the top of the article):

* "the board", "the government": an earlier name ending in the same noun ("Northern Valleys
  Health Board"), or the same noun with a name attached ("the government of Marisca");
* "both governments", "the two sides", "each country": the nearest coordination of names
  ("India and Canada"), or an earlier generic of the same kind that resolves;
* "he" / "she": the nearest earlier subject that is a person, else the last person named;
  "it": the nearest earlier subject that is an organisation, place or singular party noun;
  "they" / "we": the nearest earlier plural subject, else the nearest coordination of names;
* a bare surname ("Lindqvist"): the earlier full name that ends in it;
* "the city", "the country": the last place named before it, in the sentence or just before;
* "the group", "the firm" with nothing above: the subject of the sentence just before, when
  that is a name that is not a person's, or another word for a company that resolves ("The
  company said ... the firm was preparing to ...": one company, named twice).

A candidate that is itself a pronoun or generic is followed back the same way (a few steps).
When no rule applies, nothing is guessed.
"""

from __future__ import annotations

from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.commitments.actor import phrase
from reader.grammar.party import agrees, is_agent, person_words

PRONOUN_WINDOW = 4  # pronouns point close by
WINDOW = 10  # generic noun phrases may point further back
LEAD = 3  # headline, dateline and first sentence: where an article names its parties
MAX_HOPS = 3
POSSESSIVES = {"its": "it", "their": "they", "his": "he", "her": "she", "our": "we"}
NAME_LABELS = ("GPE", "ORG", "NORP")


def needs_resolution(span, head, indices=None) -> bool:
    """Is the actor a pronoun, a bare surname, or a generic noun phrase with no name in it?"""
    if head is None:
        return False
    low = head.lower_
    if low in lx.PERSONAL_PRONOUNS or low in POSSESSIVES:
        return True
    if head.pos_ == "PROPN":
        return _single_name(head)
    if head.pos_ != "NOUN":
        return False
    words = [span.doc[i] for i in (indices if indices is not None else tree.subtree(span, head))]
    if any(t.pos_ == "PROPN" or t.ent_type_ in lx.AGENT_LABELS for t in words):
        return False
    dets = {c.lower_ for c in head.children if c.dep_ in ("det", "predet", "nummod")}
    return bool(dets & (lx.ANAPHORIC_DETERMINERS | lx.DUAL_WORDS))


def _single_name(head) -> bool:
    return (
        head.ent_type_ in ("PERSON", "")
        and not any(c.dep_ in ("compound", "flat") for c in head.children)
        and (head.i == 0 or head.doc[head.i - 1].pos_ != "PROPN")
    )


def resolve(span, head, context, hops: int = 0) -> tuple[str, str] | None:
    """(name, note) for a pronoun or generic actor, from the preceding sentences, else None.

    context: the sentences before this one, nearest last (spaCy Spans)."""
    if head is None or hops > MAX_HOPS or not context:
        return None
    context = list(context)
    near = list(reversed(context[-WINDOW:]))
    people = person_words([span, *context])
    if head.pos_ == "PROPN":
        return _full_name(head, near)
    if head.lower_ in lx.PERSONAL_PRONOUNS or head.lower_ in POSSESSIVES:
        return _pronoun(head, near[:PRONOUN_WINDOW], people, hops)
    return _generic(span, head, near, hops, lead=context[:LEAD])


def names_party(span, head, context) -> bool:
    """Has the article named a party with this noun before ("the trust" -> "Selby Harbour Trust")?"""
    if head is None or head.pos_ != "NOUN" or not context:
        return False
    noun = head.lower_
    stem = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    forms = {noun, stem, stem + "s"}
    return any(_name_ending(sent, forms) or _same_noun_named(sent, forms) for sent in list(context)[-WINDOW:])


def _pronoun(head, near, people, hops):
    p = POSSESSIVES.get(head.lower_, head.lower_)
    if p in ("i", "you"):
        return None
    for back, sent in enumerate(near, 1):
        subj = _main_subject(sent)
        if subj is not None and is_agent(sent, subj) and agrees(p, subj, people):
            return _follow(sent, subj, near, back, hops, f"'{head.text}'")
        if p in ("they", "we"):
            coord = _coordination(sent)
            if coord is not None:
                return _named(sent, coord, back, f"'{head.text}': the parties named together")
        if p in ("he", "she"):
            named = [e for e in sent.ents if e.label_ == "PERSON"]
            if named:
                return named[-1].text, f"'{head.text}': the last person named, {_ago(back)}"
    return None


def _generic(span, head, near, hops, lead=()):
    noun = head.lower_
    stem = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    forms = {noun, stem, stem + "s"}
    # "both governments", "the two sides", "the provinces": parties named together earlier;
    # a plural of people ("the first officers") is not
    dual = any(c.lower_ in lx.DUAL_WORDS for c in head.children) or (
        head.tag_ == "NNS" and stem in lx.AGENT_NOUN_FORMS and stem not in lx.PERSON_NOUNS
    )
    what = f"'{span.doc[head.left_edge.i:head.i + 1].text}'"
    if stem in lx.PLACE_NOUNS and not dual:
        return _place(span, head, near, what)
    for back, sent in enumerate(near, 1):
        if dual:
            coord = _coordination(sent)
            if coord is not None:
                return _named(sent, coord, back, f"{what}: the parties named together")
            subj = _main_subject(sent)
            if subj is not None and subj.tag_ == "NNS" and needs_resolution(sent, subj):
                earlier = resolve(sent, subj, _before(near, back), hops + 1)
                if earlier is not None:
                    return earlier[0], f"{what} = '{subj.text}' {_ago(back)}, which is {earlier[0]}"
            continue
        found = _name_ending(sent, forms) or _same_noun_named(sent, forms)
        if found is not None and _keeps_modifiers(head, found):
            return found, f"{what}: the earlier name with the same noun, {_ago(back)}"
        if back == 1 and stem not in lx.PERSON_NOUNS:
            subj = _main_subject(sent)
            if subj is not None and subj.pos_ == "PROPN" and subj.ent_type_ != "PERSON" and _keeps_modifiers(head, _text(sent, subj)):
                return _text(sent, subj), f"{what}: the named subject of the sentence before"
            if subj is not None and subj.pos_ == "NOUN" and subj.i != head.i and needs_resolution(sent, subj) and (
                subj.lower_ in lx.COMPANY_NOUNS and noun in lx.COMPANY_NOUNS and subj.tag_ == head.tag_
            ):
                # "The company said ... the firm was preparing": one party, named twice
                earlier = resolve(sent, subj, _before(near, back), hops + 1)
                if earlier is not None:
                    return earlier[0], f"{what} = '{subj.text}' in the sentence before, which is {earlier[0]}"
    if dual:
        for sent in lead:
            coord = _coordination(sent)
            if coord is not None:
                return sent.doc[coord[0]:coord[1]].text.strip(" ,"), f"{what}: the parties named together at the top of the article"
    return None


def _keeps_modifiers(head, name: str) -> bool:
    """"the finance ministry" is not "the Ministry of Trade": the words that narrow a generic
    noun down (its compounds and adjectives) must be in the name it stands for."""
    words = {w.lower() for w in name.split()}
    narrowing = [c.lower_ for c in head.children if c.dep_ in ("compound", "amod") and c.i < head.i and c.is_alpha
                 and c.lower_ not in lx.DUAL_WORDS | lx.ANAPHORIC_DETERMINERS]
    return all(w in words or w.rstrip("s") in words or w + "s" in words for w in narrowing)


def _place(span, head, near, what):
    """"the city": the last place named before it, in its own sentence or the ones before."""
    here = [t for t in span if t.i < head.left_edge.i and _place_name(t)]
    if here:
        return _entity_at(here[-1]), f"{what}: the place named before it in the sentence"
    for back, sent in enumerate(near[:PRONOUN_WINDOW], 1):
        places = [t for t in sent if _place_name(t)]
        if places:
            return _entity_at(places[-1]), f"{what}: the last place named, {_ago(back)}"
    return None


def _place_name(tok) -> bool:
    """The first word of a place name: tagged GPE, or an untagged name after locative "in"
    ("officials in Ghent": the small model leaves many towns untagged)."""
    if tok.ent_type_ == "GPE":
        return tok.ent_iob_ == "B"
    return (
        tok.pos_ == "PROPN" and tok.ent_type_ in ("", "LOC") and tok.dep_ == "pobj"
        and tok.head.lower_ == "in" and not any(c.dep_ == "compound" for c in tok.children)
    )


def _entity_at(tok) -> str:
    doc = tok.doc
    end = tok.i + 1
    while tok.ent_type_ and end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[tok.i:end].text


def _name_ending(sent, forms):
    """An entity or proper name of several words whose last word is the generic's noun."""
    for ent in reversed(sent.ents):
        if ent.label_ in lx.AGENT_LABELS and len(ent) > 1 and ent[-1].lower_ in forms:
            return ent.text
    for tok in sent:
        if tok.pos_ == "PROPN" and tok.lower_ in forms and tok.dep_ not in ("compound", "amod"):
            parts = [c for c in tok.children if c.dep_ in ("compound", "amod", "poss", "nmod", "prep")]
            if parts:
                keep = set(phrase(sent, tok))
                for c in tok.children:
                    if c.dep_ in ("conj", "cc", "appos"):
                        keep -= tree.subtree(sent, c)
                return tree.text_of(sent.doc, keep)
    return None


def _same_noun_named(sent, forms):
    """The same common noun with a name attached: "the government of Marisca", "Canada's government"."""
    for tok in sent:
        if tok.pos_ != "NOUN" or tok.lower_ not in forms:
            continue
        named = [c for c in tok.children if c.dep_ in ("compound", "poss", "amod") and (c.pos_ == "PROPN" or c.ent_type_ in NAME_LABELS)]
        for prep in tree.children(sent, tok, "prep"):
            obj = tree.child(sent, prep, "pobj")
            if prep.lower_ == "of" and obj is not None and (obj.pos_ == "PROPN" or obj.ent_type_ in NAME_LABELS):
                named.append(prep)
        if named:
            keep = {tok.i} | {c.left_edge.i for c in tok.children if c.dep_ == "det"}
            for c in named:
                keep |= tree.subtree(sent, c)
            for c in tok.children:
                if c.dep_ in ("det", "amod", "compound", "poss") and c.i < tok.i:
                    keep |= tree.subtree(sent, c)
            return tree.text_of(sent.doc, keep)
    return None


def _full_name(head, near):
    for back, sent in enumerate(near, 1):
        for ent in reversed(sent.ents):
            if ent.label_ in ("PERSON", "ORG") and len(ent) > 1 and ent[-1].text == head.text:
                return ent.text, f"'{head.text}': the full name given {_ago(back)}"
    return None


def _follow(sent, subj, near, back, hops, what):
    """Take the earlier subject, or what it in turn stands for."""
    if needs_resolution(sent, subj):
        earlier = resolve(sent, subj, _before(near, back), hops + 1)
        if earlier is not None:
            return earlier[0], f"{what} = '{subj.text}' {_ago(back)}, which is {earlier[0]}"
        if subj.lower_ in lx.PERSONAL_PRONOUNS or subj.lower_ in POSSESSIVES:
            return None
    return _text(sent, subj), f"{what}: the subject {_ago(back)}"


def _before(near, back):
    """The sentences before near[back - 1], nearest last (to follow a chain further back)."""
    return list(reversed(near[back:]))


def _ago(back: int) -> str:
    return "in the sentence before" if back == 1 else f"{back} sentences back"


def _main_subject(sent):
    """The subject of the sentence's main clause (or of the clause it reports)."""
    for root in tree.roots(sent):
        node = root
        for _ in range(4):
            subj = tree.child(sent, node, "nsubj", "nsubjpass")
            if subj is not None and subj.tag_ not in ("WP", "WDT", "EX"):
                return subj
            comp = tree.child(sent, node, "ccomp", "xcomp")
            if comp is None:
                break
            node = comp
    return None


def _coordination(sent):
    """Token range of the first coordination of names ("India and Canada", "Northgate Energy and
    the city of Lund"), not one inside a longer name ("Security and Intelligence Advisor")."""
    for tok in sent:
        if tok.dep_ in ("compound", "amod", "nmod", "poss"):
            continue
        if tok.ent_type_ not in NAME_LABELS and not (tok.pos_ == "NOUN" and _names_party(sent, tok) and _body(tok)):
            continue  # a name, or a party noun carrying one ("the city of Brenn and the port authority")
        conj = [c for c in tok.children if c.dep_ == "conj" and tree.inside(sent, c)]
        if not conj or not all(_names_party(sent, c) or (is_agent(sent, c) and _body(c)) for c in conj):
            continue
        start = min([tok.i] + [c.left_edge.i for c in tok.children if c.dep_ in ("compound", "det", "amod") and c.i < tok.i])
        end = max(phrase(sent, conj[-1])) + 1
        return max(start, sent.start), min(end, sent.end)
    return None


def _body(tok) -> bool:
    """A party noun for a body, not a person ("the port authority", not "a leader")."""
    return tok.pos_ == "PROPN" or (tok.lower_ not in lx.PERSON_NOUNS and tok.tag_ != "NNS" and tok.lower_ in lx.AGENT_NOUN_FORMS)


def _names_party(sent, tok) -> bool:
    """A conjunct that is a name, or a party noun carrying one ("the city of Lund")."""
    if tok.dep_ == "compound":
        return False
    if tok.pos_ == "PROPN" or tok.ent_type_ in lx.AGENT_LABELS:
        return True
    return is_agent(sent, tok) and any(t.pos_ == "PROPN" for t in tok.subtree if tree.inside(sent, t))


def _named(sent, rng, back, what):
    return sent.doc[rng[0]:rng[1]].text.strip(" ,"), f"{what} {_ago(back)}"


def _text(sent, head) -> str:
    return tree.text_of(sent.doc, phrase(sent, head))
