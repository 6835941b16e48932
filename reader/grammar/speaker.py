"""Attribution: who a clause is reported from.

* `speaker(span, clause)` (the commitment extractor): the subject of "said" above the clause,
  a "..., X said" aside, or "according to X", clipped to the sentence span; `issuer` of a
  document that "says", `organisation_of` a spokesperson, `relative_antecedent` of "who";
* `speaker_kind(t)` (the suggester): whether the future a predicate reports comes from a
  forecaster (analysts, a study) or a party that can act on it.
"""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.clauses import controlling_subject, lemma, reporting_head
from reader.grammar.party import agentivity, is_agent
from reader.grammar.tree import clause_subject

# A verb hanging on another by these takes its subject from it: "agreed to X" (xcomp), "X and
# Y" (conj), "..., promising X" (advcl), "responded by offering X" (pcomp).
SHARING_DEPS = ("xcomp", "conj", "advcl", "pcomp")


def subject_before_aside(span, verb):
    """"The museum, a spokeswoman said, will reopen": the parser gives "said" both subjects;
    the one before the aside is the clause's."""
    for said in tree.children(span, verb, "parataxis"):
        subjects = tree.children(span, said, "nsubj")
        if said.lower_ in lx.SPEECH_VERB_FORMS and len(subjects) > 1 and subjects[0].i < said.i:
            return subjects[0]
    return None


def speaker_of(span, said):
    """The subject of a verb of saying: the one nearest it (see subject_before_aside)."""
    subjects = [c for c in tree.children(span, said, "nsubj")]
    if not subjects:
        return None
    before = [s for s in subjects if s.i < said.i]
    return before[-1] if before else subjects[0]


def shared_subject(span, verb):
    """An infinitive or a second conjunct takes its subject from the verb it hangs on."""
    node = verb
    for _ in range(6):
        parent = tree.head(span, node)
        if parent is None or node.dep_ not in SHARING_DEPS + ("prep",):
            return None, False
        if node.dep_ == "advcl" and node.tag_ not in ("VBG", "VBN"):
            return None, False  # a finite adverbial clause would have its own subject
        if parent.pos_ == "ADP":  # "by proposing": go on to the verb the preposition hangs on
            node = parent
            continue
        subject, passive = clause_subject(span, parent)
        if subject is not None:
            return subject, passive and node.dep_ == "conj"
        node = parent
    return None, False


def speaker(span, clause):
    """The source a clause is reported from: subject of "said" above it, a "..., X said"
    aside, or "according to X"; None when the sentence names none."""
    node = clause
    for _ in range(12):
        for c in tree.children(span, node, "parataxis", "ccomp", "advcl"):
            if c.lower_ in lx.SPEECH_VERB_FORMS and (c.i > node.i or c.dep_ == "parataxis"):
                subj = speaker_of(span, c)
                if subj is not None:
                    return subj
        parent = tree.head(span, node)
        if parent is None:
            break
        if parent.lower_ in lx.SPEECH_VERB_FORMS and node.dep_ in ("ccomp", "parataxis", "xcomp", "advcl", "dobj"):
            subj, passive = clause_subject(span, parent)
            if subj is None and parent.dep_ == "conj":
                subj, passive = shared_subject(span, parent)  # "X did A and said it would ..."
            if subj is not None and not passive:
                if subj.lower_ in lx.RELATIVE_PRONOUNS and subj.tag_ in ("WP", "WDT"):
                    return relative_antecedent(span, subj) or subj  # "X, who told Y he would"
                return subj
        if node.dep_ not in ("ccomp", "conj", "xcomp", "parataxis", "advcl", "pcomp", "pobj", "prep", "relcl", "acomp", "oprd"):
            break
        node = parent
    for tok in span:
        if tok.lower_ == "according":
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            obj = tree.child(span, to, "pobj") if to is not None else None
            if obj is not None:
                return obj
    return None


def issuer(span, doc_noun):
    """"A statement released by the church", "a letter from the ministry", "the board's
    statement": the party behind a document that "says" something."""
    for c in tree.children(span, doc_noun):
        if c.dep_ == "poss" and is_agent(span, c):
            return c
        if c.dep_ == "prep" and c.lower_ in ("from", "by", "of"):
            obj = tree.child(span, c, "pobj")
            if obj is not None and is_agent(span, obj):
                return obj
        if c.dep_ == "acl":
            for a in tree.children(span, c, "agent", "prep"):
                obj = tree.child(span, a, "pobj")
                if a.lower_ in ("by", "from") and obj is not None and is_agent(span, obj):
                    return obj
    return None


def relative_antecedent(span, pronoun):
    """The noun a relative pronoun stands for: the one its clause hangs on, unless that cannot
    act and the noun right before the pronoun (past a comma) can: "talks with the rebels, who
    refused to ..." are the rebels' refusal, whatever the parser hung the clause on."""
    verb = tree.head(span, pronoun)
    if verb is None or verb.dep_ not in ("relcl", "acl"):
        return None
    noun = tree.head(span, verb)
    j = pronoun.i - 1
    while j >= span.start and span.doc[j].text in (",", "—", "–", "("):
        j -= 1
    before = span.doc[j] if j >= span.start else None
    if before is not None and before.pos_ in ("NOUN", "PROPN") and (noun is None or not is_agent(span, noun)):
        if is_agent(span, before) or pronoun.lower_ in ("who", "whom"):  # "who": a person or a group
            return before
    return noun


def organisation_of(span, person):
    """"Jane Doe for / of / from the Health Board" -> the Health Board."""
    for prep in tree.children(span, person, "prep"):
        if prep.lower_ in ("for", "of", "from", "at", "with"):
            obj = tree.child(span, prep, "pobj")
            if obj is not None and (obj.ent_type_ in ("ORG", "GPE", "NORP") or obj.lower_ in lx.AGENT_NOUN_FORMS):
                return obj
    for appos in tree.children(span, person, "appos"):
        org = organisation_of(span, appos)
        if org is not None:
            return org
    return None


def speaker_kind(t: Any) -> str | None:
    """Who reports this future: "forecaster" (analysts, a study), "party" (someone who can
    act on it), or None."""
    frame = reporting_head(t)
    if frame is None:
        return None
    subject = controlling_subject(frame)
    if subject is None:
        return None
    if subject.lower_ in lx.FORECASTER_NOUNS or lemma(subject) in lx.FORECASTER_NOUNS:
        return "forecaster"
    if lemma(frame) in lx.FORECAST_VERBS:
        return "forecaster"
    if agentivity(subject) in ("agent", "first") or (subject.pos_ in ("NOUN", "PROPN") and subject.ent_type_ not in ("DATE", "CARDINAL")):
        return "party"  # whoever speaks for itself: "the station said", "the statement said"
    return None
