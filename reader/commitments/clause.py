"""Find the predicate of a commitment: the word that binds a party, and the words for the action.

Candidates, strongest first (`Anchor.rank`):

0. a commitment verb with a complement: "agreed to station ...", "committed to working ...",
   "pledged that it would ...", "promised a review", "made X a priority", "ruled out raising
   taxes"; or "is determined / committed / due / set / scheduled to ...";
1. a future construction that is itself a plan: "are to travel", "is going to", "Our goal /
   Labour's plan is to ..." (the owner of the goal commits); a headline
   infinitive ("City to close libraries", "New process to replace interviews"); an announced
   decision ("announced a ban on ...");
2. a future modal: "will carry on", "would publish" (would only in reported speech); the weak
   verbs of intention ("wants to", "hopes to", "expects to"); a party chosen for a task
   ("Leeds was chosen to host ...");
3. a commitment noun with an infinitive: "Labour's plan to cut fares", "an effort to clear";
4. a progressive reported as a plan: "said he was taking his family to ...";
5. otherwise the main verb of the sentence (the sentence was labelled a commitment, so its
   predicate is the best guess left).

A candidate inside a clause of reason, concession or condition that has a subject of its own
("..., because officials wanted to meet him") is someone else's, and is left out; so is one
under "if" / "unless". A promise in the past perfect inside a relative clause ("who had
pledged to ...") is background, ranked below the sentence's own predicates. Among candidates of
one rank the one fewest clauses from the root of the parse wins, then the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.grammar import lexicon as lx
from reader.grammar import tree, triggers
from reader.grammar.party import is_agent



@dataclass
class Anchor:
    """A commitment predicate found in a sentence."""

    rank: int
    kind: str  # "verb", "refusal", "adjective", "be-to", "headline", "future", "noun", "fallback"
    trigger: object  # the spaCy Token marking the commitment
    clause: object  # the Token whose subject is the actor
    heads: list = field(default_factory=list)  # Tokens whose subtrees make the action
    past: bool = False  # the trigger is a past event: its own time words date the promise
    owner: object = None  # for a noun: the possessor ("Labour's plan"), if any
    exclude: list = field(default_factory=list)  # Tokens whose subtrees are not part of the action


def find(span) -> Anchor | None:
    """The best commitment predicate in the sentence span, or None when it has no word at all."""
    best: tuple | None = None
    for tok in span:
        anchor = _candidate(span, tok)
        if anchor is None or _in_aside(span, tok):
            continue
        rank = anchor.rank + (3 if _earlier_promise(span, anchor) or _describes_thing(span, anchor) else 0)
        key = (rank, _passive_or_thing(span, anchor), _clause_depth(span, anchor.trigger), tok.i)
        if best is None or key < best[0]:
            best = (key, anchor)
    if best is not None:
        return best[1]
    return _fallback(span)


def _candidate(span, tok) -> Anchor | None:
    low = tok.lower_
    if tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB"):
        if triggers.at(tok, "ruled-out", span):
            comp = tree.children(span, tok, "xcomp", "dobj", "ccomp")
            if comp and tok.dep_ not in ("amod", "compound"):
                return Anchor(0, "refusal", tok, tok, comp[:1], past=_is_past(tok))  # "has ruled out raising taxes"
        if low in lx.COMMIT_VERB_FORMS or low in lx.REFUSAL_VERB_FORMS:
            found = _commit_verb(span, tok)
            if found:
                return found
        found = _make_priority(span, tok) or _passive_control(span, tok) or _announce(span, tok)
        if found:
            return found
        if low in lx.BE_FORMS:
            found = _be_to(span, tok)
            if found:
                return found
        if low == "going":
            found = _going_to(span, tok)
            if found:
                return found
        found = _headline(span, tok) or _future(span, tok) or _progressive(span, tok)
        if found:
            return found
    x = triggers.first(tok, "set-to", 2, span)  # "Apple is set to unveil ...", "is scheduled to", "is due to"
    if x is not None:
        return Anchor(0, "adjective", tok, tok, [x], past=False)
    if tok.pos_ == "ADJ" and low in lx.COMMIT_ADJECTIVES and tok.dep_ == "acomp":
        comp = _complement(span, tok)
        verb = tree.head(span, tok)
        if comp and verb is not None:
            return Anchor(0, "adjective", tok, verb, comp, past=_is_past(verb))
    if tok.pos_ in ("NOUN", "PROPN") and low in lx.COMMIT_NOUNS:
        return _noun(span, tok)
    if tok.pos_ == "VERB" and tok.dep_ in ("acl", "relcl"):
        return _headline_noun(span, tok)
    return None


def _commit_verb(span, tok) -> Anchor | None:
    if tok.dep_ in ("amod", "compound"):
        return None  # "the planned terminal", "the agreed minimum"
    if any(a.lower_ in lx.FUTURE_MODALS_AND_WOULD for a in tree.children(span, tok, "aux")):
        return None  # "will decide on the funding": a future act like any other, verb and all
    comp = _complement(span, tok)
    if not comp:
        return None
    weak = tok.lower_ in lx.WEAK_COMMIT_VERB_FORMS
    if weak and tree.child(span, tok, "auxpass", "nsubjpass") is not None:
        return None  # "is expected to cover": a forecast about the subject, not its promise
    if weak and (tree.child(span, tok, "dobj") is not None or comp[0].dep_ == "ccomp"):
        return None  # "expects prices to rise", "hopes that it rains": not the subject's own act
    if weak and _has_own_subject(span, comp[0]):
        return None
    kind = "refusal" if tok.lower_ in lx.REFUSAL_VERB_FORMS else "verb"
    if comp[0].dep_ == "dobj" and tok.lower_ in lx.PROPOSAL_VERB_FORMS:
        kind = "proposal"
    return Anchor(2 if weak else 0, kind, tok, tok, comp, past=_is_past(tok))


def _complement(span, tok) -> list:
    """What the commitment word governs: an infinitive, a that-clause, an object (with the
    phrases after it: "pledged $5 million to the fund"), or "to" + gerund / noun."""
    xcomp = tree.children(span, tok, "xcomp")
    if xcomp:
        return xcomp[:1]
    # "agreed late on Sunday to resume talks": the infinitive the parser hung as a clause
    later = [m[1] for m in triggers.at(tok, "commit-verb-to/later", span) if tree.child(span, m[1], "nsubj") is None]
    if later:
        return [min(later, key=lambda t: t.i)]
    ccomp = tree.children(span, tok, "ccomp")
    if ccomp:
        return ccomp[:1]
    dobj = tree.child(span, tok, "dobj")
    if dobj is not None:
        if dobj.lower_ in lx.COMMIT_NOUNS:
            acl = _infinitive_of(span, dobj)
            if acl is not None:
                return [acl]
        objs = tree.children(span, tok, "dobj")  # several when the parser split one phrase
        after = [p for p in tree.children(span, tok, "prep", "dative") if p.i > objs[-1].i and p.lower_ != "according"]
        return objs + after
    for prep in tree.children(span, tok, "prep"):
        if prep.lower_ in ("to", "on", "upon") and (tok.lower_ in lx.PREP_COMPLEMENT_VERB_FORMS or tok.pos_ == "ADJ"):
            obj = tree.child(span, prep, "pcomp", "pobj")
            if obj is not None:
                return [obj]
    return []


def _has_own_subject(span, verb) -> bool:
    return tree.child(span, verb, "nsubj", "nsubjpass") is not None


def _be_to(span, tok) -> Anchor | None:
    """"X is to begin ...": a plan announced for X ("be" + infinitive, no other verb)."""
    if tok.dep_ == "auxpass" or (tok.dep_ == "aux" and tok.head.i != tok.i):
        return None
    x = triggers.first(tok, "be-to", 1, span)  # the infinitive of "is to begin"
    if x is not None:
        subject = tree.child(span, tok, "nsubj")
        if subject is not None and subject.lower_ in lx.COMMIT_NOUNS | lx.PRIORITY_NOUNS | lx.PURPOSE_NOUNS:
            # "Our goal is to connect every school": the owner of the goal commits
            owner = tree.child(span, subject, "poss")
            return Anchor(1, "noun", subject, tok, [x], past=False, owner=owner)
        return Anchor(1, "be-to", tok, tok, [x], past=False)
    subject = tree.child(span, tok, "nsubj")
    if subject is not None and subject.lower_ in lx.COMMIT_NOUNS | lx.PRIORITY_NOUNS | lx.PURPOSE_NOUNS:
        for prep in tree.children(span, tok, "prep"):
            obj = tree.child(span, prep, "pobj", "pcomp")
            if prep.lower_ == "to" and prep.i == tok.i + 1 and obj is not None:
                # "its plan was to double output", with "to double" misread as a preposition
                return Anchor(1, "noun", subject, tok, [obj], past=False, owner=tree.child(span, subject, "poss"))
    return None


def _going_to(span, tok) -> Anchor | None:
    x = triggers.first(tok, "going-to", 2, span)  # the infinitive of "is going to hire"
    return None if x is None else Anchor(1, "be-to", tok, tok, [x], past=False)


def _headline(span, tok) -> Anchor | None:
    """A headline's "X to do Y": an infinitive at the root with a subject of its own."""
    if tree.head(span, tok) is not None or not triggers.at(tok, "headline-to", span):
        return None
    return Anchor(1, "headline", tok, tok, [tok], past=False)


def _future(span, tok) -> Anchor | None:
    modals = [a for a in tree.children(span, tok, "aux") if a.lower_ in lx.FUTURE_MODALS_AND_WOULD]
    if not modals:
        return None
    if modals[0].lower_ in lx.CONDITIONAL_MODALS and not _reported(span, tok):
        return None  # "it would be a disaster": a conditional, not a promise
    if _in_condition(span, tok):
        return None
    return Anchor(2, "future", modals[0], tok, [tok], past=False)


def _reported(span, tok) -> bool:
    """Is the clause the content of a speech or commitment verb ("said it would ...")?"""
    for anc in tree.ancestors(span, tok):
        if anc.lower_ in lx.SPEECH_VERB_FORMS or anc.lower_ in lx.COMMIT_VERB_FORMS:
            return True
        if anc.dep_ not in ("ccomp", "conj", "xcomp", "parataxis", "advcl") and anc.pos_ != "VERB":
            return False
    for c in tok.children:
        if c.dep_ == "parataxis" and c.lower_ in lx.SPEECH_VERB_FORMS:
            return True
    return False


def _in_condition(span, tok) -> bool:
    """A clause under "if"/"unless" states a condition, not a commitment."""
    node = tok
    for _ in range(8):
        if any(m.lower_ in ("if", "unless", "whether") for m in tree.children(span, node, "mark")):
            return True
        parent = tree.head(span, node)
        if parent is None or node.dep_ != "conj":
            return False
        node = parent
    return False


def _progressive(span, tok) -> Anchor | None:
    """"said he was taking his family to ...": a reported arrangement, the weakest plan."""
    if tok.tag_ != "VBG" or not any(a.lower_ in lx.BE_FORMS for a in tree.children(span, tok, "aux")):
        return None
    if tok.dep_ not in ("ccomp", "conj", "parataxis") or not _reported(span, tok):
        return None
    return Anchor(4, "future", tok, tok, [tok], past=False)


def _headline_noun(span, tok) -> Anchor | None:
    """A verbless headline "New process to replace interviews": the noun's infinitive is a plan."""
    if not any(a.lower_ == "to" for a in tree.children(span, tok, "aux")):
        return None
    if any(t.tag_ in ("VBZ", "VBP", "VBD", "MD") for t in span):
        return None  # a finite verb: an ordinary sentence, where "a way to do" is no plan
    noun = tree.head(span, tok)
    if noun is None:
        return None
    return Anchor(1, "headline", tok, tok, [tok], past=False, owner=None)


def _passive_control(span, tok) -> Anchor | None:
    """"Leeds was chosen to host the games": the chosen party will do it."""
    x = triggers.first(tok, "chosen-to", 2, span)  # the infinitive "to host"
    return None if x is None else Anchor(2, "control", tok, tok, [x], past=False)


def _announce(span, tok) -> Anchor | None:
    """"The government announced a ban on plastics": the announced decision is the commitment.
    (An announced clause, "announced it will ...", is found through its own future.)"""
    if tok.lower_ not in lx.ANNOUNCE_VERB_FORMS or tok.dep_ in ("amod", "compound"):
        return None
    if any(a.lower_ in lx.FUTURE_MODALS_AND_WOULD or a.lower_ == "to" for a in tree.children(span, tok, "aux")):
        return None  # "will unveil its budget", "is set to announce": the act to come, verb and all
    objs = tree.children(span, tok, "dobj")
    if not objs or objs[0].pos_ == "PRON" or objs[0].tag_ in ("WDT", "WP"):
        return None  # "the deal, which they announced on Monday": not what is announced here
    if objs[0].lower_ in lx.COMMIT_NOUNS and _infinitive_of(span, objs[0]) is not None:
        return None  # "announced plans to ...": the noun's own infinitive says it better
    after = [p for p in tree.children(span, tok, "prep", "dative") if p.i > objs[-1].i and p.lower_ != "according"]
    return Anchor(1, "verb", tok, tok, objs + after, past=_is_past(tok))


def _make_priority(span, tok) -> Anchor | None:
    """"X has made cutting waste a priority": the object is X's commitment."""
    if tok.lower_ not in ("make", "makes", "made", "making"):
        return None
    for pred in tree.children(span, tok, "oprd", "ccomp", "xcomp", "dobj"):
        priority = next((t for t in pred.subtree if t.lower_ in lx.PRIORITY_NOUNS and tree.inside(span, t)), None)
        if priority is None:
            continue
        # the object: a second object of "make", the subject of the small clause, or (when
        # the parser hung the priority under the object) the object without that branch
        objs = [c for c in tree.children(span, tok, "dobj") if c.i != pred.i and c.i > tok.i]
        objs = objs or tree.children(span, pred, "nsubj", "nsubjpass", "csubj")
        if objs:
            return Anchor(0, "verb", tok, tok, objs[:1], past=_is_past(tok))
        if pred.i != priority.i and pred.i < priority.i:
            branch = next(c for c in pred.children if c.left_edge.i <= priority.i <= c.right_edge.i)
            return Anchor(0, "verb", tok, tok, [pred], past=_is_past(tok), exclude=[branch])
    return None


def _noun(span, tok) -> Anchor | None:
    verb = _infinitive_of(span, tok)
    if verb is None:
        return None
    owner = tree.child(span, tok, "poss")
    clause = tree.head(span, tok)
    while clause is not None and clause.pos_ == "ADP" and tree.head(span, clause) is not None:
        clause = tree.head(span, clause)  # "settled on a plan to ...": the verb, through "on"
    clause = clause if clause is not None else tok
    past = clause.pos_ in ("VERB", "AUX") and _is_past(clause)
    return Anchor(3, "noun", tok, clause, [verb], past=past, owner=owner)


def _infinitive_of(span, noun):
    verb = triggers.first(noun, "noun-to", 1, span)  # "a plan to cut fares"
    if verb is not None:
        return verb
    for prep in tree.children(span, noun, "prep"):
        # "a plan to fast-track cases" misread as "to" + noun: what follows is still the plan
        obj = tree.child(span, prep, "pobj", "pcomp")
        if prep.lower_ == "to" and obj is not None and prep.i == noun.i + 1:
            return obj
    return None


def _earlier_promise(span, anchor) -> bool:
    """A promise in the past perfect inside a relative clause ("The minister, who had pledged to
    resign, said he would stay"): background to the sentence's own predicate, which is preferred
    when it has one. (A relative clause in the present, "which the council has refused to
    hold", is often the very commitment.)"""
    if not any(a.lower_ == "had" for a in tree.children(span, anchor.trigger, "aux")):
        return False
    node = anchor.trigger
    for _ in range(24):
        if node.dep_ == "relcl":
            return True
        parent = tree.head(span, node)
        if parent is None:
            return False
        node = parent
    return False


def _describes_thing(span, anchor) -> bool:
    """A predicate inside a clause that describes a noun and has no party of its own: "a fund
    that is to be launched next year", "groups volunteering to lead": the noun's description,
    ranked below the sentence's own predicates (but "a plant where it plans to ..." and "Ruiz,
    who intends to ..." keep their rank: a party is their subject)."""
    node = anchor.trigger
    for _ in range(24):
        relative = node.dep_ == "advcl" and tree.child(span, node, "mark") is None and any(
            c.lower_ in ("that", "which") and c.dep_ in ("nsubj", "nsubjpass") for c in node.children)  # ", that is to be ..."
        if (node.dep_ in ("relcl", "acl") or relative) and tree.head(span, node) is not None and (
            relative or tree.head(span, node).pos_ in ("NOUN", "PROPN")
        ):
            subject = tree.child(span, node, "nsubj", "nsubjpass")
            if subject is None:
                return node.tag_ in ("VBG", "VBN")  # "groups volunteering to ...", not "a plan to ..."
            passive = subject.dep_ == "nsubjpass" or any(a.dep_ == "auxpass" for x in [node, *tree.children(span, node, "xcomp")]
                                                          for a in tree.children(span, x))
            return subject.lower_ in ("that", "which") and (passive or not is_agent(span, tree.head(span, node)))
        parent = tree.head(span, node)
        if parent is None:
            return False
        node = parent
    return False


def _in_aside(span, tok) -> bool:
    """Is tok inside a reason / concession / condition clause with its own subject?"""
    node = tok
    for _ in range(24):
        if node.dep_ == "advcl" and tree.child(span, node, "nsubj", "nsubjpass") is not None:
            if any(m.lower_ in lx.ASIDE_SUBORDINATORS for m in tree.children(span, node, "mark")):
                return True
        parent = tree.head(span, node)
        if parent is None:
            return False
        node = parent
    return False


def _fallback(span) -> Anchor | None:
    verbs = [t for t in span if t.pos_ in ("VERB", "AUX")]
    roots = tree.roots(span)
    pick = next((r for r in roots if r.pos_ in ("VERB", "AUX")), None) or (verbs[0] if verbs else None)
    if pick is None:
        return None
    if pick.lower_ in lx.SPEECH_VERB_FORMS:
        said = tree.child(span, pick, "ccomp", "parataxis")
        if said is not None and said.pos_ in ("VERB", "AUX"):
            pick = said  # '"We want ...," she said': what was said is the commitment
    return Anchor(5, "fallback", pick, pick, [pick], past=_is_past(pick))


def _is_past(tok) -> bool:
    """The promise itself lies in the past: "agreed", "has pledged", headline "agree"."""
    if tok.tag_ in ("VBD", "VBN"):
        return True
    if any(a.lower_ in lx.FUTURE_MODALS_AND_WOULD or a.lower_ == "to" for a in tok.children if a.dep_ == "aux"):
        return False  # "will decide", "to agree": still to come
    return tok.lower_ in lx.EVENT_VERB_FORMS


def _passive_or_thing(span, anchor) -> bool:
    """A future whose subject is passive or a thing ("no jobs would be cut") is a weaker reading
    than one whose subject can act ("its members would call off the strike")."""
    if anchor.kind != "future":
        return False
    subject = tree.child(span, anchor.clause, "nsubj", "nsubjpass")
    return subject is None or subject.dep_ == "nsubjpass" or not is_agent(span, subject)


def _clause_depth(span, tok) -> int:
    """Depth counted in clauses, so a long noun phrase does not push a verb down."""
    return sum(1 for a in tree.ancestors(span, tok) if a.pos_ in ("VERB", "AUX"))
