"""Can this party act? Whether the subject or noun phrase of a clause names someone who can
bind itself (a person, an organisation, a place, a party noun such as "the council"), and the
agreement of a pronoun with a candidate antecedent.

Two readings, one per engine, written separately and kept apart here because merging them would
change what either engine outputs (that is for the rewrite of the rules, issue 19 part 2):

* `agentivity(subject)` (the suggester): "first", "agent", "thing" or "none", over any token,
  with `AGENT_NOUNS` (lemmas) and `GENERIC_QUANTIFIERS` ("many schools" is no party);
* `is_agent(span, tok)` (the commitment extractor): clipped to a sentence span, with
  `AGENT_NOUN_FORMS` (word forms), agent-noun endings and entity labels incl. FAC.
"""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.clauses import (
    SUBJECT_DEPS,
    controlling_subject,
    is_passive,
    lemma,
    reporting_head,
)

# ---- the suggester's reading ---------------------------------------------------------------

def agentivity(subject: Any) -> str:
    """"first", "agent", "thing" or "none": can this subject bind itself?"""
    if subject is None:
        return "none"
    low = subject.lower_
    if low in lx.FIRST_PERSON:
        return "first"
    if low in ("he", "she", "they", "you", "who"):
        return "agent"
    if low in ("it", "they") and subject.dep_ != "expl":
        frame = reporting_head(subject.head)
        if frame is not None:
            # "The airline said it would refund...": the pronoun is the speaker itself.
            return "agent" if agentivity(controlling_subject(frame)) in ("agent", "first") else "thing"
    if low in lx.NON_AGENT_PRONOUNS or subject.dep_ == "expl":
        return "thing"
    if subject.ent_type_ in lx.AGENT_ENTITY_TYPES:
        return "agent"
    if any(c.dep_ in ("det", "amod", "nummod") and c.lower_ in lx.GENERIC_QUANTIFIERS for c in subject.children):
        return "thing"  # "many schools", "some officials": generic, not a party
    if lemma(subject) in lx.AGENT_NOUNS or subject.lower_ in lx.AGENT_NOUNS:
        return "agent"
    if subject.pos_ == "PROPN":
        return "agent"  # a name the entity recogniser missed is still most often a party
    for child in subject.children:
        if child.dep_ in ("compound", "amod") and child.ent_type_ in lx.AGENT_ENTITY_TYPES and child.ent_type_ != "NORP":
            return "agent"
    return "thing"


def expects_to_act(t: Any) -> bool:
    """"The company expects to hire": a party's plan for its own action, not a forecast."""
    if is_passive(t) or any(c.dep_ in ("dobj", "ccomp") for c in t.children):
        return False
    complement = next((c for c in t.children if c.dep_ == "xcomp"), None)
    if complement is None or any(c.dep_ in SUBJECT_DEPS for c in complement.children):
        return False
    return lemma(complement) not in lx.NON_AGENTIVE_VERBS and agentivity(controlling_subject(t)) in ("agent", "first")


# ---- the commitment extractor's reading ----------------------------------------------------

def maybe_party(span, tok) -> bool:
    """A singular or plural common noun with a determiner, that is no thing, event, plan or
    amount ("the zoo", "the orchestra"; not "the festival", "the new bridge", "each application")."""
    if tok.pos_ != "NOUN" or tok.lower_ in lx.THING_NOUNS | lx.COMMIT_NOUNS or tok.ent_type_ not in ("", "ORG", "NORP"):
        return False
    return any(c.dep_ in ("det", "poss") for c in tok.children)


def is_agent(span, tok) -> bool:
    """Can the noun phrase headed by tok act: a person, organisation, place, pronoun or party noun?"""
    if tok.ent_type_ in lx.AGENT_LABELS:
        return True
    if tok.pos_ == "PROPN":
        return tok.ent_type_ == ""  # "the Concorde" (PRODUCT), "the Olympics" (EVENT): things
    low = tok.lower_
    if low in lx.QUANTIFIERS:  # "each of the schools": the schools
        for prep in tree.children(span, tok, "prep"):
            obj = tree.child(span, prep, "pobj")
            if prep.lower_ == "of" and obj is not None:
                return is_agent(span, obj)
        if low in ("each", "both", "all", "either", "neither") and tok.dep_ in ("nsubj", "nsubjpass"):
            return True  # "each will share ...": each of the parties named
    if low in lx.PERSONAL_PRONOUNS:
        return True
    if low in lx.AGENT_NOUN_FORMS:
        return True
    if low.endswith(lx.AGENT_SUFFIXES) and low not in lx.NOT_AGENT and tok.pos_ == "NOUN" and len(low) > 4:
        return True
    return any(is_agent(span, c) for c in tree.children(span, tok, "conj"))


def is_person(tok, person_words: frozenset[str] = frozenset(), lenient: bool = False) -> bool:
    """A person's name (tagged so, or untagged, or a word the article tags as a person's name
    elsewhere), or a common noun for a person ("the minister"). `lenient` also accepts a
    one-word name tagged ORG: the small model often tags a bare surname so."""
    if tok.ent_type_ == "PERSON":
        return True
    if tok.pos_ == "PROPN":
        if tok.ent_type_ == "" or tok.text in person_words:
            return True
        if lenient and tok.ent_type_ == "ORG" and any(c.dep_ == "compound" and c.lower_ in lx.PERSON_NOUNS for c in tok.children):
            return True  # "Mayor Lina Holt" tagged ORG: a title names a person
        return lenient and tok.ent_type_ == "ORG" and one_word_entity(tok)
    return tok.lower_ in lx.PERSON_NOUNS


def one_word_entity(tok) -> bool:
    doc = tok.doc
    return tok.ent_iob_ == "B" and (tok.i + 1 >= len(doc) or doc[tok.i + 1].ent_iob_ != "I")


def person_words(spans) -> frozenset[str]:
    return frozenset(t.text for s in spans for e in s.ents if e.label_ == "PERSON" for t in e)


def agrees(pronoun: str, tok, people: frozenset[str] = frozenset(), lenient: bool = False) -> bool:
    """Number and person agreement between a pronoun and a candidate head noun."""
    p = pronoun.lower()
    plural = tok.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in tok.children)
    if tok.ent_type_ == "ORG" and not any(c.dep_ == "conj" for c in tok.children):
        plural = p in ("they", "we")  # "Valdis Motors", "the Health Board": it or they
    if p in ("he", "she", "i"):
        return not plural and is_person(tok, people, lenient)
    if p == "it":
        # an untagged name may be a company as well as a person; only a known person is out, and
        # a name called a company is none ("Tech giant Lumora", "Mining company Ardent Metals":
        # plural in form, one company)
        described = any(c.dep_ in ("compound", "amod", "appos") and c.lower_ in lx.COMPANY_NOUNS | {"giant", "maker", "chain"} for c in tok.children)
        if tok.pos_ == "PROPN" and (described or (tok.ent_type_ in ("", "ORG") and tok.text not in people)):
            return True
        known_person = tok.ent_type_ == "PERSON" or tok.text in people or tok.lower_ in lx.PERSON_NOUNS
        return not plural and not known_person and tok.lower_ not in lx.PERSONAL_PRONOUNS
    if p in ("they", "we"):
        return plural or tok.ent_type_ in ("ORG", "NORP", "GPE") or tok.lower_ in lx.AGENT_NOUN_FORMS
    return False


POSSESSIVE_TO_PRONOUN = {"its": "it", "their": "they", "his": "he", "her": "she", "our": "we", "my": "i"}
