"""What is committed to: the predicate and its complement, as a short phrase of the sentence.

From the words under the action's head(s) this drops: the subject, the marker of the future
("will", "to", "is going to"), the time expression, the attribution ("officials said"),
adjuncts in front of the subject ("Under the accord, ..."), and, at any depth, adverbial
clauses of purpose, reason or condition ("to streamline ...", "because ..."), asides
(", which ...", ", with X singled out") and conjoined clauses with a subject of their own
("... and the city will ..."): they say why, or something else, rather than what.

Also dropped: an infinitive after the object ("recall 12,000 vans to replace the brakes", unless
the verb hands the object the deed: "help farmers to sell"), a concession ("despite the
attacks"), and a comment on the whole act after a comma ("..., a decision that angered many").
A passive whose agent is the actor gives the clause from its subject, without the agent ("the
stadium will be rebuilt"); an expletive keeps its clause ("there would be no new taxes").

Kept: a refusal keeps its verb ("refused to pay the fine"), "has no plans to" its "no", and a
verb that puts something forward its verb ("proposing new bus routes"), so the action does
not read as its opposite or lose its act. A promised clause with a subject of its own ("promised
that the hospital would reopen") is kept whole; so is the clause when the actor had to be
taken from the quoted source or nobody acts ("each application will be reviewed").
"""

from __future__ import annotations

from reader.grammar import lexicon as lx
from reader.grammar import tree, triggers

MARKERS = lx.FUTURE_MODALS_AND_WOULD | {"to", "going", "gon", "na"}


def indices(span, anchor, actor, when_indices) -> list[int]:
    keep: set[int] = set()
    heads = list(anchor.heads)
    # the subject could not act (or nobody acts in a passive): the reported clause is the action
    passive = bool(heads) and (
        tree.child(span, heads[0], "nsubjpass") is not None
        or (anchor.kind == "be-to" and tree.child(span, heads[0], "auxpass") is not None)
    )
    whole = (actor.from_speaker or (actor.head is None and passive)) and anchor.kind in ("future", "headline", "fallback", "be-to")
    # a passive with its agent as the actor: the clause from its subject, less the agent ("the
    # stadium will be rebuilt", not "be rebuilt by the council")
    agent_phrase = [c for c in tree.children(span, heads[0], "agent") if tree.child(span, c, "pobj") is not None and
                    tree.child(span, c, "pobj").i == getattr(actor.head, "i", -1)] if passive and heads else []
    if agent_phrase and anchor.kind in ("future", "headline", "fallback", "be-to"):
        whole = True
    if anchor.kind in ("verb", "adjective") and heads and heads[0].dep_ == "ccomp":
        subject = tree.child(span, heads[0], "nsubj", "nsubjpass")
        whole = subject is not None and subject.lower_ not in lx.PERSONAL_PRONOUNS
    if heads and tree.child(span, heads[0], "expl") is not None and anchor.kind in ("verb", "adjective", "future"):
        whole = True  # "promised that there would be no new taxes": "there" and all
    if whole and anchor.kind == "be-to":
        heads = [anchor.clause]  # "The statue is to be displayed ...": from the subject on
    elif anchor.kind in ("future", "be-to") and len(heads) == 1 and heads[0].lower_ in lx.COMMIT_VERB_FORMS:
        heads = _promised(span, heads[0]) or heads  # "will seek to widen the road": widen the road
    if anchor.kind in ("refusal", "proposal"):
        keep.add(anchor.trigger.i)
        keep |= {p.i for p in tree.children(span, anchor.trigger, "prt")}  # "ruled out"
    negative = anchor.kind == "noun" and any(d.lower_ == "no" for d in tree.children(span, anchor.trigger, "det"))
    if negative:
        keep |= set(range(anchor.trigger.left_edge.i, anchor.trigger.i + 1))  # "no plans to ...": a refusal
    if anchor.kind == "proposal" and len(heads) > 1:
        keep |= set(range(heads[0].i, heads[-1].right_edge.i + 1))  # one object split in pieces
    for h in heads:
        keep |= tree.subtree(span, h)
    drop: set[int] = set(when_indices)
    deeds = _deeds(span)
    for a in agent_phrase:
        drop |= tree.subtree(span, a)
    for x in anchor.exclude:
        drop |= tree.subtree(span, x)
    for h in heads:
        for c in tree.children(span, h):
            if c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") and not whole:
                drop |= tree.subtree(span, c)
            elif c.dep_ == "advcl" and not _as_planned(span, c) and c.i not in deeds:
                drop |= tree.subtree(span, c)  # purpose, reason, condition, or the time clause
            elif c.dep_ == "xcomp" and _purpose(span, h, c) and c.i not in deeds:
                drop |= tree.subtree(span, c)  # "recall 12,000 vans to replace the brakes": why
            elif c.dep_ == "dobj" and h.lower_ not in lx.OBJECT_CONTROL_VERB_FORMS and _purpose_of_object(span, c, deeds):
                drop |= tree.subtree(span, _purpose_of_object(span, c))  # "examine the wreckage to find the cause"
            elif c.dep_ == "conj" and c.i > h.i and (tree.child(span, c, "nsubj", "nsubjpass") is not None or _own_marker(span, c)):
                drop |= tree.subtree(span, c)  # "... and the city will ...": a clause of its own
                drop |= {x.i for x in tree.children(span, h, "cc") if x.i < c.i}
            elif c.dep_ in ("parataxis",) or (c.dep_ in ("ccomp", "conj") and c.lower_ in lx.SPEECH_VERB_FORMS and c.i > h.i):
                drop |= tree.subtree(span, c)
            elif c.dep_ == "aux" and (c.lower_ in MARKERS or h.tag_ == "VBG") and not whole and anchor.kind != "refusal" and not negative:
                drop |= tree.subtree(span, c)
            elif c.dep_ == "advmod" and c.lower_ in lx.DROP_ADVERBS:
                drop.add(c.i)
            elif c.dep_ == "mark" and c.lower_ in ("that", "whether"):
                drop.add(c.i)
            elif c.tag_ in ("WDT", "WP", "WRB") and c.i < h.i:
                drop.add(c.i)  # "(an inquiry,) which the government refused to hold"
            elif c.dep_ == "prep" and c.lower_ == "according":
                drop |= tree.subtree(span, c)
        subjects = tree.children(span, h, "nsubj", "nsubjpass")
        subject = subjects[-1] if subjects else None  # a heading taken for a subject comes first
        if subject is not None:
            # adjuncts in front of the subject frame the sentence ("Under the accord, ...")
            for c in tree.children(span, h):
                if c.i < subject.left_edge.i and c.dep_ not in ("aux", "auxpass", "neg", "nsubj", "nsubjpass"):
                    drop |= tree.subtree(span, c)
        if h.dep_ == "ccomp" and not whole and anchor.kind in ("verb", "adjective"):
            subj = tree.child(span, h, "nsubj")
            if subj is not None and subj.lower_ not in lx.PERSONAL_PRONOUNS:
                drop -= tree.subtree(span, subj)  # "promised a review would follow": keep the clause
    # "going to" and "be to": the auxiliaries sit on the head's infinitive marker
    for h in heads:
        for a in tree.children(span, h, "aux", "auxpass"):
            if a.lower_ == "to" and not whole and anchor.kind != "refusal" and not negative:
                drop.add(a.i)
    drop -= {anchor.trigger.i} if anchor.kind in ("refusal", "proposal") else set()
    path = {anchor.trigger.i, anchor.clause.i} | {h.i for h in heads}
    for h in heads:
        path |= {a.i for a in tree.ancestors(span, h)}
    for i in sorted(keep - drop):
        tok = span.doc[i]
        if tok.tag_ == "WRB" and tok.head.i in path and tok.i < tok.head.i:
            drop.add(i)  # "where it plans to ...": the relative adverb belongs to the noun before
            continue
        if i in drop or i in path:
            continue
        if tok.dep_ == "prep" and tok.lower_ in ("despite", "notwithstanding", "regardless"):
            drop |= tree.subtree(span, tok)  # "despite the attacks": a concession, not what is done
        elif tok.dep_ == "advcl" and tok.i not in {h.i for h in heads} and not _as_planned(span, tok) and tok.i not in deeds:
            drop |= tree.subtree(span, tok)  # purpose, reason or condition, at any depth
        elif tok.dep_ == "appos" and _after_comma(span, tok) and tree.children(span, tok, "relcl", "acl"):
            drop |= tree.subtree(span, tok)  # ", a decision that angered families": a comment on it all
            drop.add(tok.left_edge.i - 1)
        elif tok.dep_ == "prep" and tok.head.pos_ == "VERB" and tok.i > tok.head.i and triggers.at(tok, "frame-phrase", span):
            drop |= tree.subtree(span, tok)  # "in line with the treaty": why or on what basis, not what
            if _after_comma(span, tok):
                drop.add(tok.left_edge.i - 1)
        elif tok.dep_ == "relcl" and _after_comma(span, tok):
            drop |= tree.subtree(span, tok)  # ", which ...": describes, is not the action
            drop.add(tok.left_edge.i - 1)
            after = tok.right_edge.i + 1
            if after < span.end and span.doc[after].text == ",":
                drop.add(after)
        elif tok.dep_ == "relcl" and tok.head.i not in {h.i for h in heads} and any(
                m[1].i == tok.i for m in triggers.at(tok.head, "modal-relative", span)):
            drop |= tree.subtree(span, tok)  # "a fund that will help farmers": what the thing will do
        elif tok.dep_ == "prep" and tok.lower_ in ("with", "without") and _after_comma(span, tok) and _absolute(span, tok):
            drop |= tree.subtree(span, tok)  # ", with fentanyl singled out": a circumstance
            drop.add(tok.left_edge.i - 1)
        elif tok.dep_ == "conj" and _as_well_as(span, tok):
            drop |= set(range(tok.left_edge.i - 4, tok.right_edge.i + 1))  # ", as well as Y": something besides
        elif _trailing_adjunct(span, tok, heads):
            drop |= set(range(tok.left_edge.i - 1, tok.right_edge.i + 1))  # ", after weeks of protests"
    out = _trim(span, _before_attribution(span, sorted(keep - drop)))
    # do not start on the quoted source or a dangling word
    return out


def _promised(span, verb) -> list:
    """What a commitment verb under a future marker commits to: its infinitive ("will seek to
    widen"), or the gerund or noun after "to" ("will commit to building")."""
    for x in tree.children(span, verb, "xcomp"):
        if _infinitive(span, x):
            return [x]
    for prep in tree.children(span, verb, "prep"):
        obj = tree.child(span, prep, "pcomp", "pobj")
        if prep.lower_ == "to" and obj is not None and prep.i == verb.i + 1:
            return [obj]
    return []


def _own_marker(span, verb) -> bool:
    """"... and would send two specialists", "... and to open a clinic": a second predicate with a
    marker of its own is a commitment of its own."""
    return verb.pos_ in ("VERB", "AUX") and any(a.lower_ in MARKERS for a in tree.children(span, verb, "aux"))


def _as_planned(span, verb) -> bool:
    """"as planned", "as promised": two words that say how, part of the act."""
    return verb.tag_ == "VBN" and [t.lower_ for t in tree.children(span, verb)] == ["as"]


def _purpose_of_object(span, obj, deeds=frozenset()):
    """The infinitive hung on an object that is no plan or means: the purpose of the act."""
    if obj.lower_ in lx.COMMIT_NOUNS | lx.MEANS_NOUNS:
        return None
    return next((a for a in tree.children(span, obj, "acl") if _infinitive(span, a) and a.i not in deeds), None)


def _deeds(span) -> set[int]:
    """Infinitives that say what is done, not why (patterns in triggers.jsonl): one after a verb
    with no object ("work with the regions to widen the roads": the verb alone says little), or
    after a verb whose object is the means ("use the grant to build a clinic")."""
    out: set[int] = set()
    for verb in span:
        if verb.pos_ != "VERB":
            continue
        out |= {m[1].i for m in triggers.at(verb, "deed-infinitive/means", span)}
        out |= {m[2].i for m in triggers.at(verb, "deed-infinitive/means-object", span)}
        if tree.child(span, verb, "dobj") is None:
            out |= {m[1].i for m in triggers.at(verb, "infinitive-adjunct", span) if m[1].i > verb.i}
    return {i for i in out if tree.child(span, span.doc[i], "nsubj", "nsubjpass") is None}


def _infinitive(span, verb) -> bool:
    return any(a.lower_ == "to" for a in tree.children(span, verb, "aux"))


def _purpose(span, verb, xcomp) -> bool:
    """An infinitive after the verb's object is its purpose, unless the verb hands the object
    the deed ("help farmers to sell")."""
    obj = tree.child(span, verb, "dobj")
    return (
        obj is not None and obj.i < xcomp.i and verb.lower_ not in lx.OBJECT_CONTROL_VERB_FORMS
        and any(a.lower_ == "to" for a in tree.children(span, xcomp, "aux"))
    )


def _as_well_as(span, tok) -> bool:
    """A conjunct after ", as well as"."""
    first = tok.left_edge.i
    words = [t.lower_ for t in span.doc[max(span.start, first - 4):first]]
    return words == [",", "as", "well", "as"]


def _trailing_adjunct(span, tok, heads) -> bool:
    """A phrase set off by a comma after the words of the act, saying why, when, how or what
    else: ", after weeks of protests", ", including X", ", particularly Y", ", in line with Z",
    ", based on ...". It runs to the end of its clause: nothing of the act follows it."""
    if not _after_comma(span, tok) or not any(tok.i > h.i for h in heads):
        return False
    if tok.dep_ == "prep" and tok.lower_ != "of":
        pass
    elif tok.dep_ in ("acl", "advcl") and tok.tag_ in ("VBG", "VBN") and tree.child(span, tok, "nsubj", "nsubjpass") is None:
        pass  # ", based on ...", ", building on ..."
    elif tok.dep_ == "advmod" and any(c.dep_ in ("prep", "pobj", "advmod") for c in tok.children):
        pass  # ", particularly in rural areas"
    else:
        return False
    after = tok.right_edge.i + 1
    return after >= span.end or span.doc[after].is_punct


def _after_comma(span, tok) -> bool:
    first = tok.left_edge.i
    return first > span.start and span.doc[first - 1].text == ","


def _absolute(span, prep) -> bool:
    """"with + noun + participle": a clause of circumstance, not part of the action."""
    obj = tree.child(span, prep, "pobj", "pcomp")
    if obj is None:
        return False
    if obj.tag_ in ("VBG", "VBN") or any(c.tag_ in ("VBG", "VBN") and c.dep_ in ("acl", "relcl") for c in obj.children):
        return True
    # "with the first to go in next April": a noun and its infinitive
    return any(c.dep_ in ("acl", "relcl", "xcomp") and any(a.lower_ == "to" for a in c.children if a.dep_ == "aux") for c in obj.children)


def _before_attribution(span, out: list[int]) -> list[int]:
    """'"We will reopen the ward," the director said': a quote that opens the sentence ends
    where it closes, wherever the parser hung the words of attribution after it."""
    doc = span.doc
    quotes = [i for i in range(span.start, span.end) if doc[i].text in ('"', "“", "”")]
    if len(quotes) < 2 or quotes[0] != span.start:
        return out
    close = quotes[1]
    return [i for i in out if i < close] if out and out[0] < close else out


def _trim(span, out: list[int]) -> list[int]:
    doc = span.doc
    while out and (doc[out[0]].dep_ in ("cc", "punct", "mark") or doc[out[0]].lower_ in ("and", "but", "or")):
        out.pop(0)
    while out and (doc[out[-1]].dep_ in ("cc", "punct") or doc[out[-1]].lower_ in ("and", "but", "or", ",")):
        out.pop()
    return out
