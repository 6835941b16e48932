"""Who commits: the subject of the commitment predicate, as written in the sentence.

Rules, in order; each says in `note` what it did:

* a commitment noun's owner: "Labour's plan to ..." (possessor), "Labour has a plan to ..."
  (subject of the verb governing it); "X was chosen to host ...": X;
* the subject is looked for on the clause, on "is" for "is committed to", before a
  parenthetical "X, a spokeswoman said, will ...", and on the verb an infinitive, a second
  conjunct, a participle or "by + gerund" hangs on; several subjects the parser split off one
  coordination ("The government of X and the company Y agreed") are one actor;
* passive with "by X": X; passive without one, or a subject that cannot act ("Discussions
  will carry on"): the source the sentence quotes ("officials said"), else no actor. A subject
  can act when it names a person, organisation or place, is a pronoun, a party noun ("the
  council", "officials"), or a noun the article has used for a named party before ("the
  trust" after "the Selby Harbour Trust");
* a finite verb the parser left without a subject takes the party named right before it
  ("..., SoftBank, its largest investor, committed to ..."; "Exports rose and Quito plans to ...");
  a headline's verb read as a noun ("Council votes to ...") the party before it (`subjects`);
* a commitment noun "by" or "from" a party is that party's ("a pledge by X to ...", "welcomed
  commitments from X to ..."); a subject that receives ("Nurses will receive a grant, the board
  said") gives way to the source that announces it; "we are dedicated to" (a participle of the
  subject's own state, without a modal) is the subject's;
* a passive's "by X" is the actor only when X can act ("chosen by a public vote" is no agent);
* a document that says something stands for its issuer ("A statement released by the church");
* a subject no word list knows, with a determiner, that is no thing, event or plan ("The zoo
  will ...") is the actor when no source is quoted;
* a relative pronoun ("Carney, who intends to ...") stands for the noun it follows: the one its
  clause hangs on, or, when that cannot act, the noun right before the pronoun;
* a personal pronoun in reported speech ("X said they would ...") stands for the speaker when
  they agree in number; a plural pronoun for a single person's organisation ("a spokesman for
  the board says they ..."), and "it" after "a spokeswoman / lawyers for X said", stand for
  that organisation (but "The Ministry of X said it" is the ministry); "our" / "its" before a
  plan or goal likewise ("Our goal is to ...", "X and Y reaffirm our commitment");
* the words of an actor lose asides set off by commas, dashes or brackets, at any depth, and
  the day of saying ("said the leader, Ana Ruiz, on Monday"); a name cut in two by the parser
  runs on over its proper nouns, and a hyphenated word split in three is one subject; a list
  ("A, B, and C", "We and our partners") stays whole;
* a pronoun after an earlier clause of the same sentence ("X did A, and he plans B") stands
  for that clause's subject;
* otherwise a pronoun or a generic noun phrase ("the board", "both governments") stays as
  written, and `reader.commitments.coref` may name it from the preceding sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.commitments import subjects
from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.party import POSSESSIVE_TO_PRONOUN, agrees, is_agent, maybe_party, person_words
from reader.grammar.speaker import (
    SHARING_DEPS,
    issuer,
    organisation_of,
    relative_antecedent,
    shared_subject,
    speaker,
    subject_before_aside,
)
from reader.grammar.tree import clause_subject


@dataclass
class Actor:
    """The actor found in the sentence: the token heading it and the token indices it spans."""

    head: object | None  # spaCy Token
    indices: list[int]
    note: str | None = None
    from_speaker: bool = False  # the subject could not act; the quoted source stands in
    stands_for: object | None = None  # a pronoun kept as written: the token it stands for in the sentence


def find(span, anchor, known_party=None) -> Actor:
    """The actor of the anchor's clause (see the module docstring).

    known_party: a test for nouns the article has already used for a named party ("the trust"
    after "the Selby Harbour Trust"), which can act even when no word list says so."""
    if anchor.kind == "noun":
        return _noun_owner(span, anchor)
    if anchor.kind == "control":
        chosen = tree.child(span, anchor.clause, "nsubjpass")
        return Actor(chosen, phrase(span, chosen), "the party chosen to do it")
    subject, passive, found = _locate_subject(span, anchor)
    if found is not None:
        return found
    # "The pledge by the leaders will include ...", "welcomed the pledge by X to ...": X
    nouns = [subject] if anchor.kind != "fallback" else tree.children(span, anchor.clause, "dobj")
    by = next((b for b in map(lambda n: _noun_by(span, n), nouns) if b is not None), None)
    if by is not None:
        return by
    if passive:
        return _passive_actor(span, anchor, subject)
    if subject is None:
        return _speaker_or_none(span, anchor.clause, "no subject")
    return _active_actor(span, anchor, subject, known_party)


def _locate_subject(span, anchor):
    """(subject, passive?, an actor already settled or None)."""
    clause = anchor.clause
    subject, passive = clause_subject(span, clause)
    if anchor.kind == "be-to" and any(tree.child(span, h, "auxpass") is not None for h in anchor.heads):
        passive = True  # "is to be displayed": nobody named does the displaying
    if subject is None and clause.dep_ in ("acomp", "oprd") and tree.head(span, clause) is not None:
        subject, _ = clause_subject(span, tree.head(span, clause))  # "it is committed to": the subject of "is"
        passive = False
    if subject is None:
        aside = subject_before_aside(span, clause)
        if aside is not None and (anchor.kind not in ("future", "be-to") or is_agent(span, aside)):
            return None, False, Actor(aside, phrase(span, aside), "the subject before the aside 'X said'")
    if subject is None and anchor.kind in ("verb", "refusal", "proposal", "future", "adjective") and clause.dep_ in ("ROOT", "ccomp", "conj"):
        # a finite verb with a party right before it: in English order, its subject ("Output
        # rose and Seoul plans to ...": not the first clause's subject)
        before = subjects.noun_before(span, clause, apposition=clause.dep_ != "conj")
        if before is not None:
            return None, False, Actor(before, subjects.np_words(span, before), "no subject in the parse: the party named right before the verb")
    if subject is None and anchor.kind in ("verb", "refusal", "proposal", "future") and clause.dep_ in SHARING_DEPS:
        subject, passive = shared_subject(span, clause)
    if subject is None and clause.dep_ in ("ROOT", "acl", "relcl"):
        named = subjects.compound_subject(span, clause)
        if named is not None:
            return None, False, Actor(named[0], named[1], "a headline's subject, parsed as part of a noun phrase with its verb")
    if subject is None and anchor.kind == "headline":
        noun = tree.head(span, clause)
        if noun is not None and noun.pos_ in ("NOUN", "PROPN") and is_agent(span, noun):
            return None, False, Actor(noun, phrase(span, noun), "the headline's subject")
    return subject, passive, None


def _passive_actor(span, anchor, subject) -> Actor:
    agent = _agent(span, anchor.clause)
    if agent is not None and is_agent(span, agent):  # "chosen by a public vote": no party
        return Actor(agent, phrase(span, agent), "the agent of a passive")
    if subject is not None and subject.lower_ != "it" and anchor.trigger.lower_ in lx.COMMIT_ADJECTIVES:
        return _as_written(span, subject)  # "are committed to ...": the subject commits
    if subject is not None and subject.lower_ != "it" and anchor.kind == "fallback" and anchor.trigger.i == anchor.clause.i \
            and anchor.trigger.tag_ == "VBN" and is_agent(span, subject) and tree.child(span, anchor.trigger, "aux") is None:
        # "we are dedicated to ...", "are united in ...": a state of the subject's own (not "X
        # would be relocated", a passive with a modal)
        return _as_written(span, subject)
    return _speaker_or_none(span, anchor.clause, "a passive without an agent")


def _active_actor(span, anchor, subject, known_party=None) -> Actor:
    if subject.lower_ in lx.RELATIVE_PRONOUNS and subject.tag_ in ("WP", "WDT", "WP$"):
        antecedent = relative_antecedent(span, subject)
        if antecedent is not None:
            return Actor(antecedent, phrase(span, antecedent), f"'{subject.text}' stands for the noun before it")
    if anchor.kind in ("future", "headline", "fallback", "be-to") and not is_agent(span, subject) and not (
        known_party is not None and known_party(subject)
    ):
        why = f"'{subject.text}' is not a party that can commit"
        unquoted = _no_party_quoted(span, anchor.clause) if anchor.kind != "fallback" else None
        if unquoted is not None and maybe_party(span, subject):
            # no source to stand in, and a noun no list knows ("The zoo will ..."): a sentence
            # labelled a commitment names its party, and the subject is the one it names
            return Actor(subject, phrase(span, subject), f"the subject: a noun of no list, and {unquoted}")
        return _speaker_or_none(span, anchor.clause, why)
    if anchor.kind == "future" and lx.lemma(anchor.clause) in lx.RECIPIENT_VERBS and subject.lower_ not in lx.FIRST_PERSON:
        src = speaker(span, anchor.clause)  # "Nurses will receive a grant, the board said": the board gives it
        if src is not None and is_agent(span, src):
            return _speaker_or_none(span, anchor.clause, f"'{subject.text}' receives what another gives")
    if subject.lower_ in lx.PERSONAL_PRONOUNS:
        found = _pronoun_in_sentence(span, subject, anchor.clause)
        if found is not None:
            return found
    return _as_written(span, subject)


def _as_written(span, subject) -> Actor:
    verb = tree.head(span, subject)
    others = [c for c in tree.children(span, verb, "nsubj") if c.i != subject.i] if verb is not None else []
    colon = [t.i for t in span if t.text == ":" and verb is not None and t.i < verb.i]
    if others and colon:
        # "Clean Water: the agency will ...": a heading the parser took for a second subject
        after = [c for c in [subject, *others] if c.i > max(colon)]
        if after:
            subject, others = after[0], after[1:]
    if others:
        lo, hi = min([subject.i] + [o.i for o in others]), max([subject.i] + [o.i for o in others])
        if all(span.doc[i].whitespace_ == "" for i in range(lo, hi)):
            # one hyphenated word the tokenizer split ("neo-banks"): one subject
            return Actor(span.doc[hi], list(range(subject.left_edge.i if subject.i == lo else lo, hi + 1)))
    if others and all(is_agent(span, o) for o in others) and is_agent(span, subject):
        # "The government of X and the company Y agreed": one coordination, split by the parser
        last = max(others, key=lambda c: c.i)
        between = span.doc[subject.right_edge.i + 1:last.left_edge.i]
        if last.i > subject.i and not any(t.pos_ in ("VERB", "AUX") for t in between):
            return Actor(subject, list(range(subject.left_edge.i, min(last.right_edge.i, span.end - 1) + 1)))
    return Actor(subject, phrase(span, subject))


def phrase(span, head) -> list[int]:
    """The actor's words: the subject's subtree without clauses hanging off it, and without a
    descriptive apposition after a name ("Ajit Doval, India's adviser," -> "Ajit Doval")."""
    if head.lower_ in lx.PERSONAL_PRONOUNS and head.pos_ == "PRON" and tree.child(span, head, "conj") is None:
        return [head.i]  # "we — the army, the police and our allies — will": the words as written
    # "The Treasury, the Home Office, and other departments": a list, not a name and its apposition
    listed = any(c.dep_ == "conj" and tree.inside(span, c) for c in head.children)
    keep = tree.subtree(span, head)
    for c in head.children:
        if not tree.inside(span, c):
            continue
        if c.dep_ in ("relcl", "acl", "advcl", "ccomp", "parataxis") or (
            c.dep_ == "appos" and (_is_name(head) or _dashed(span, c)) and not _acronym(span, c) and not (listed and not _dashed(span, c))
        ) or (c.i > head.i and c.dep_ in ("prep", "npadvmod") and c.lower_ != "of" and (_set_off(span, c) or c.lower_ in ("through", "via"))):
            # ", with the support of X", ", 50 km west of Y", "through its programme": said of
            # the party, not its name
            keep -= tree.subtree(span, c)
            keep.discard(c.i)
    for i in sorted(keep):
        tok = span.doc[i]
        if i in keep and tok.dep_ in ("relcl", "acl", "advcl", "parataxis") and i != head.i and _set_off(span, tok):
            keep -= tree.subtree(span, tok)  # "X, Y — whose father ... —": an aside deeper down
        elif i in keep and tok.dep_ == "prep" and tok.head.i != head.i and _time_phrase(tok):
            keep -= tree.subtree(span, tok)  # "said the leader, Ana Ruiz, on Monday"
    for c in head.children:
        if c.dep_ == "prep" and tree.inside(span, c) and c.i > head.i and _time_phrase(c) and head.ent_type_ not in ("DATE", "TIME"):
            keep -= tree.subtree(span, c)
    if head.pos_ == "PROPN" and keep:
        # a name the parser cut in two ("Food Standards | Australia New Zealand"): the run of
        # proper nouns goes on to the right
        j = max(keep) + 1
        while j < span.end and span.doc[j].pos_ == "PROPN" and span.doc[j].dep_ in ("compound", "appos", "npadvmod", "pobj", "nmod", "dobj", "conj"):
            if span.doc[j].dep_ == "conj":
                break
            keep.add(j)
            j += 1
    # a heading or a form of address before the subject ("Clean Water: The Agency will",
    # 'Madam Speaker, "I will'): the actor starts after it
    cut = [i for i in keep if i < head.i and span.doc[i].text in (":", '"', "“")]
    if cut:
        keep = {i for i in keep if i > max(cut)}
    # a comma or dash that only separated what was dropped
    return [i for i in sorted(keep) if not (span.doc[i].is_punct and (i + 1 not in keep or i - 1 not in keep))] or [head.i]


def _set_off(span, tok) -> bool:
    """Is a clause set off by a comma, dash or bracket before it (a non-restrictive aside)?"""
    first = tok.left_edge.i
    return first > span.start and span.doc[first - 1].text in (",", "—", "–", "-", "(")


def _acronym(span, tok) -> bool:
    """"The Federal Communications Commission (FCC)": the short name in brackets is the name too."""
    first = tok.left_edge.i
    return tok.left_edge.i == tok.right_edge.i and first > span.start and span.doc[first - 1].text == "(" and tok.text.isupper()


def _dashed(span, tok) -> bool:
    """An aside between dashes or brackets: "the airline — the largest carrier — will ..."."""
    first = tok.left_edge.i
    return first > span.start and span.doc[first - 1].text in ("—", "–", "(", "--")


def _time_phrase(prep) -> bool:
    """"on Monday", "in a statement on Friday": a prepositional phrase whose object is a date."""
    return any(t.ent_type_ in ("DATE", "TIME") for t in prep.subtree) and prep.lower_ in ("on", "in", "at", "last", "this")


def _is_name(tok) -> bool:
    return tok.pos_ == "PROPN" and tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "FAC", "")


def _agent(span, verb):
    for c in tree.children(span, verb, "agent"):
        obj = tree.child(span, c, "pobj")
        if obj is not None:
            return obj
    return None


def _no_party_quoted(span, clause) -> str | None:
    """Why no party stands in for a subject the lists do not know, for the rules' note: no
    source is quoted, or only a document that names no issuer ("The district will hire ...,
    according to the statement": the district, not the statement); None when a party is
    quoted. The actor ranker reads the note as a feature, so the first reason keeps its words."""
    src = speaker(span, clause)
    if src is None:
        return "no source is quoted"
    if src.lower_ in lx.DOCUMENT_NOUNS and issuer(span, src) is None:
        return "the source quoted is a document naming no party"
    return None


def _speaker_or_none(span, clause, why: str) -> Actor:
    src = speaker(span, clause)
    if src is not None and src.lower_ in lx.DOCUMENT_NOUNS:
        src = issuer(span, src) or src
    if src is None:
        return Actor(None, [], f"{why}, and no source is quoted: no actor")
    if src.lower_ in lx.PERSONAL_PRONOUNS:
        inner = _pronoun_in_sentence(span, src, tree.head(span, src) or src)
        if inner is not None:
            inner.note = f"{why}: the quoted source; " + (inner.note or "")
            inner.from_speaker = True
            return inner
    return Actor(src, phrase(span, src), f"{why}: the quoted source", from_speaker=True)


def _pronoun_in_sentence(span, pronoun, clause) -> Actor | None:
    """A pronoun whose antecedent is in the same sentence: the speaker, or an earlier subject."""
    p = POSSESSIVE_TO_PRONOUN.get(pronoun.lower_, pronoun.lower_)
    src = speaker(span, clause)
    if src is not None and src.i > pronoun.i and p in ("i", "we") and pronoun.dep_ in ("nsubj", "nsubjpass"):
        # '"We will keep talking," she said': the words as written are the actor; who "we" is
        # (the speaker, or the body she speaks for) is its resolution
        return Actor(pronoun, [pronoun.i], f"'{pronoun.text}' is the speaker of the sentence, named after it", stands_for=src)
    if src is not None and src.i != pronoun.i and src.lower_ in lx.PERSONAL_PRONOUNS:
        if p in ("i", "we") or p == src.lower_:
            return Actor(src, [src.i], f"'{pronoun.text}' is the speaker of the sentence")
    if src is not None and src.i != pronoun.i and src.lower_ not in lx.PERSONAL_PRONOUNS:
        above = src.head.i < pronoun.i and src.head.i in {a.i for a in tree.ancestors(span, clause)}
        if p == "it" and above and src.tag_ in ("NNS", "NNPS"):
            org = organisation_of(span, src)  # "Lawyers for the firm said it would ...": the firm
            if org is not None:
                return Actor(org, phrase(span, org), f"'{pronoun.text}' is the organisation the speakers speak for")
        speaks_as_it = p == "it" and agrees(p, src, person_words([span]))  # "The Ministry of X said it": the ministry
        if (p in ("they", "we") or (p == "it" and above and not speaks_as_it)) and src.tag_ not in ("NNS", "NNPS"):
            # "A spokeswoman for the hospital said it would ...": (not in an aside ", a spokesman
            # for X said", where "it" is more often the party the sentence is about)
            org = organisation_of(span, src)  # "a spokesman for the board says they ..."
            if org is not None:
                return Actor(org, phrase(span, org), f"'{pronoun.text}' is the organisation the speaker speaks for")
        if agrees(p, src, person_words([span]), lenient=True) or p in ("i", "we"):
            return Actor(src, phrase(span, src), f"'{pronoun.text}' is the speaker of the sentence")
        if p in ("they", "we"):
            org = organisation_of(span, src)
            if org is not None:
                return Actor(org, phrase(span, org), f"'{pronoun.text}' is the organisation the speaker speaks for")
    earlier = _earlier_subject(span, clause, pronoun)
    if earlier is not None:
        return Actor(earlier, phrase(span, earlier), f"'{pronoun.text}' is the subject of the sentence's earlier clause")
    return None


def _earlier_subject(span, clause, pronoun):
    """"Mohamed received ... and tomorrow he plans ...": the subject of the clause conjoined before."""
    node = clause
    for _ in range(6):
        parent = tree.head(span, node)
        if parent is None:
            return None
        if node.dep_ == "conj" or (node.dep_ in ("advcl",) and parent.i < node.i):
            subj, passive = clause_subject(span, parent)
            if subj is not None and not passive and subj.i < pronoun.i and subj.lower_ not in lx.PERSONAL_PRONOUNS:
                return subj if agrees(pronoun.lower_, subj, person_words([span])) and is_agent(span, subj) else None
        if node.dep_ not in ("conj", "xcomp", "advcl"):
            return None
        node = parent
    return None


def _noun_owner(span, anchor) -> Actor:
    """"Labour's plan to ...": the possessor; "Labour has a plan to ...": the subject of has."""
    if anchor.owner is not None:
        owner = anchor.owner
        if owner.lower_ in POSSESSIVE_TO_PRONOUN:
            named = _subject_owning(span, anchor, owner)
            if named is not None:  # "We reaffirm our commitment to ...": we
                return named
            inner = _pronoun_in_sentence(span, owner, anchor.clause)
            if inner is not None:  # '"Our aim is to ...," the mayor said': the mayor
                return inner
            return Actor(owner, [owner.i], "possessive pronoun before the commitment noun")
        return Actor(owner, _drop_possessive(span, phrase(span, owner)), "the owner of the commitment noun")
    noun = anchor.trigger
    if _noun_by(span, noun) is not None:
        return _noun_by(span, noun)  # "a pledge by the Council to ...", "commitments from X to ..."
    verb = tree.head(span, noun)
    while verb is not None and verb.pos_ not in ("VERB", "AUX"):
        verb = tree.head(span, verb)
    if verb is None:
        return Actor(None, [], "a commitment noun with no owner in the sentence: no actor")
    subject, passive = clause_subject(span, verb)
    if subject is None or passive or not is_agent(span, subject):
        return Actor(None, [], "a commitment noun with no owner in the sentence: no actor")
    if subject.lower_ in lx.PERSONAL_PRONOUNS:
        inner = _pronoun_in_sentence(span, subject, verb)  # "The Pentagon said it has no plans to ..."
        if inner is not None:
            return inner
    return Actor(subject, phrase(span, subject), "the subject of the verb governing the commitment noun")


def _subject_owning(span, anchor, owner) -> Actor | None:
    """"The two sides reaffirmed their commitment to ...", "Croatia reiterated its plans to ...":
    a possessive before the commitment noun stands for the subject of the verb governing the
    noun, when that subject can act and agrees with it (not in "Our goal is to ...", where the
    noun is the subject)."""
    verb = tree.head(span, anchor.trigger)
    while verb is not None and verb.pos_ not in ("VERB", "AUX"):
        verb = tree.head(span, verb)  # "united in their determination": through "in"
    subject, passive = (None, False)
    for _ in range(3):  # "We oppose X and reaffirm our commitment", "are united in our resolve"
        if verb is None:
            return None
        subject, passive = clause_subject(span, verb)
        if subject is not None or verb.dep_ not in ("conj", "acomp", "xcomp", "advcl"):
            break
        verb = tree.head(span, verb)
    if passive and tree.children(span, verb, "agent"):
        return None  # a passive with an agent: the subject does not act ("are united in" does)
    if subject is None or subject.i == anchor.trigger.i or subject.i > owner.i:
        return None
    p = POSSESSIVE_TO_PRONOUN[owner.lower_]
    if subject.lower_ in lx.PERSONAL_PRONOUNS:
        same = POSSESSIVE_TO_PRONOUN.get(subject.lower_, subject.lower_)
        return Actor(subject, [subject.i], f"'{owner.text}' is the subject of '{verb.text}'") if same == p else None
    if p in ("i", "we") or not is_agent(span, subject) or not agrees(p, subject, person_words([span]), lenient=True):
        several = subject.tag_ in ("NNS", "NNPS") or tree.child(span, subject, "conj") is not None  # "X and Y reaffirm our"
        if not (p == "we" and is_agent(span, subject) and several):
            return None  # "The Ministers remain united in our outrage": the ministers speak as we
    return Actor(subject, phrase(span, subject), f"'{owner.text}' is the subject of '{verb.text}'")


def _noun_by(span, noun) -> Actor | None:
    """The party of a commitment noun named after it with "by" or "from": "a pledge by X"."""
    if noun is None or noun.lower_ not in lx.COMMIT_NOUNS:
        return None
    for prep in tree.children(span, noun, "prep"):
        obj = tree.child(span, prep, "pobj") if prep.lower_ in ("by", "from") else None
        if obj is not None and is_agent(span, obj):
            return Actor(obj, phrase(span, obj), f"the party the '{noun.text}' is {prep.lower_}")
    return None


def _drop_possessive(span, indices: list[int]) -> list[int]:
    return [i for i in indices if span.doc[i].tag_ != "POS"] or indices
