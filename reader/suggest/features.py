"""Linguistic features of one sentence, read off spaCy's parse: pure Python over its tokens.

`analyse(sentence)` takes a spaCy `Span` (a sentence inside a parsed paragraph) or a `Doc`
holding one sentence and returns an `Analysis`: named features that do not depend on any
label set (commissive predicates, futures and who controls them, hedges, attribution,
quotation, demands, schedules, opinion), the words that fired each one, and a few general
sparse string features (root lemma, tag and auxiliaries, subject type, modals, words of the
lexicon's classes) for a trained model.

A Span is read in its paragraph: a quotation opened in an earlier sentence and not yet
closed, a verb of saying that ends the sentence before on ":" or ",", and reported speech in
the sentence before (`quote_continued`, `speech_follows`, `prev_attributed`, ...). A bare
one-sentence Doc has no such context and is read on its own.

Lemmas come from spaCy's lemmatizer; without it a token's lower-case form stands in, which
misses inflected forms ("agreed"), so load the pipeline with the lemmatizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reader.suggest import lexicon as lx

# The dense features, in the order a trained model sees them.
FEATURES: tuple[str, ...] = (
    "fragment", "question", "commissive", "commissive_soft", "commissive_embedded",
    "commissive_noun", "commissive_noun_loose", "refusal", "intention", "desire", "future_agentive",
    "future_first_person", "future_reported", "future_other", "future_embedded",
    "negated_commissive", "hedged_commissive", "demand", "demand_on_commissive", "report_frame",
    "report_passive", "opinion_verb", "according_to", "quote", "quote_mostly", "first_person",
    "second_person", "deontic", "hedge", "forecast", "evaluative", "claim_noun", "schedule",
    "request", "procedure", "conditional", "past_root", "present_root", "number", "short",
    # Used by the trained model only (the cold start's rules predate them):
    "future_passive", "would_narrative", "future_thing_reported", "commissive_object",
    "futurate", "offer", "headline_plan", "quote_continued", "speech_follows", "prev_quote",
    "prev_attributed", "imperative", "speech_continues",
)

_EMBEDDING_DEPS = frozenset({"relcl", "acl", "advcl", "amod", "pcomp", "pobj", "csubj", "nsubj", "dobj", "appos", "npadvmod"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
_OPEN_QUOTES = frozenset("“‘«")
_CLOSE_QUOTES = frozenset("”’»")


@dataclass
class Analysis:
    """What `analyse` found: feature name -> value (0..1), and the words behind each."""

    values: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    sparse: list[str] = field(default_factory=list)

    def fire(self, name: str, token: Any = None, value: float = 1.0) -> None:
        if value > self.values.get(name, 0.0):
            self.values[name] = value
            if token is not None:
                self.evidence[name] = token.text if hasattr(token, "text") else str(token)

    def __getitem__(self, name: str) -> float:
        return self.values.get(name, 0.0)

    def dense(self) -> list[float]:
        return [self.values.get(name, 0.0) for name in FEATURES]


def lemma(token: Any) -> str:
    return (token.lemma_ or token.lower_).lower()


def analyse(sentence: Any) -> Analysis:
    """Features of a sentence (`Span`, or a `Doc` of one sentence)."""
    if not hasattr(sentence, "root"):
        sentence = sentence[:]  # a Doc: the whole of it is the sentence
    tokens = [t for t in sentence if not t.is_space]
    found = Analysis()
    words = [t for t in tokens if t.is_alpha]
    if not words or not any(t.pos_ in ("VERB", "AUX") for t in tokens):
        found.fire("fragment")
    if len(words) < 6:
        found.fire("short")
    if tokens and any(t.text == "?" for t in tokens[-3:]):
        found.fire("question")
    quoted, continued = _quoted(sentence, tokens)
    _quotes(found, tokens, quoted)
    if continued and quoted and quoted[0] and found["quote_mostly"]:
        found.fire("quote_continued")  # inside a quotation opened in an earlier sentence
    _persons(found, tokens, quoted)
    _context(found, sentence)
    for t in tokens:
        _commissive(found, t)
        _commissive_noun(found, t)
        _future(found, t)
        _attribution(found, t)
        _stance(found, t)
    _headline(found, tokens)
    _root(found, sentence)
    found.sparse = _sparse(found, tokens)
    return found


# ---- clause position -------------------------------------------------------------------

def _clause_kind(token: Any) -> str:
    """"main" for the root's own clause (and its conjuncts), "reported" under a verb of saying
    in the main clause, "opinion" under a verb or adjective of belief, fear or expectation
    (what follows is the speaker's forecast), "embedded" inside a relative, adverbial or
    nominal clause."""
    kind = "main"
    t = token
    while t.dep_ != "ROOT" and t.head is not t:
        dep = t.dep_
        head = t.head
        if dep in ("ccomp", "parataxis") and lemma(head) in lx.FORECAST_FRAMES:
            kind = "opinion"
        elif dep in ("ccomp", "parataxis") and lemma(head) in lx.REPORTING_VERBS:
            kind = "reported" if kind == "main" else kind
        elif dep in _EMBEDDING_DEPS or dep == "prep":
            return "embedded"
        t = head
    return kind


def _subject(token: Any) -> Any:
    """The subject of a predicate, looking through xcomp and conj to the controlling clause."""
    seen = 0
    t = token
    while seen < 6:
        for child in t.children:
            if child.dep_ in _SUBJECT_DEPS:
                return child
        if t.dep_ in ("xcomp", "conj", "acl", "advcl") and t.head is not t:
            t = t.head
            seen += 1
            continue
        return None
    return None


def _agentive(subject: Any) -> str:
    """"first", "agent", "thing" or "none": can this subject bind itself?"""
    if subject is None:
        return "none"
    low = subject.lower_
    if low in lx.FIRST_PERSON:
        return "first"
    if low in ("he", "she", "they", "you", "who"):
        return "agent"
    if low in ("it", "they") and subject.dep_ != "expl":
        frame = _reporting_head(subject.head)
        if frame is not None:
            # "The airline said it would refund...": the pronoun is the speaker itself.
            return "agent" if _agentive(_subject(frame)) in ("agent", "first") else "thing"
    if low in lx.NON_AGENT_PRONOUNS or subject.dep_ == "expl":
        return "thing"
    if subject.ent_type_ in lx.AGENT_ENTITY_TYPES:
        return "agent"
    if any(c.dep_ in ("det", "amod", "nummod") and c.lower_ in lx.GENERIC_DETERMINERS for c in subject.children):
        return "thing"  # "many schools", "some officials": generic, not a party
    if lemma(subject) in lx.AGENT_NOUNS or subject.lower_ in lx.AGENT_NOUNS:
        return "agent"
    if subject.pos_ == "PROPN":
        return "agent"  # a name the entity recogniser missed is still most often a party
    for child in subject.children:
        if child.dep_ in ("compound", "amod") and child.ent_type_ in lx.AGENT_ENTITY_TYPES and child.ent_type_ != "NORP":
            return "agent"
    return "thing"


def _reporting_head(token: Any) -> Any:
    """The verb of saying whose clause this predicate is, if any."""
    t = token
    for _ in range(3):
        if t.dep_ not in ("ccomp", "conj") or t.head is t:
            return None
        t = t.head
        if lemma(t) in lx.REPORTING_VERBS or lemma(t) in lx.COMMISSIVE_VERBS:
            return t
    return None


def _aux(token: Any) -> list[str]:
    return [c.lower_ for c in token.children if c.dep_ in ("aux", "auxpass")]


def _negated(token: Any) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in token.children)


def _passive(token: Any) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


def _hedged(token: Any) -> bool:
    """Is this predicate a possibility or a forecast rather than something asserted?"""
    aux = _aux(token)
    if any(a in lx.HEDGE_MODALS for a in aux):
        return True
    if "would" in aux and _clause_kind(token) != "reported":
        return True
    if _clause_kind(token) == "opinion":
        return True
    head = token.head
    if token.dep_ == "xcomp" and (lemma(head) in lx.FORECAST_VERBS or lemma(head) in lx.FORECAST_ADJECTIVES):
        return True
    return any(c.dep_ == "advmod" and c.lower_ in lx.HEDGE_ADVERBS for c in token.children)


def _under_directive(token: Any) -> bool:
    """Is this predicate what someone is urged, asked or called on to do?"""
    t = token
    for _ in range(3):
        dep = t.dep_
        if dep not in ("xcomp", "ccomp", "pcomp", "pobj", "conj") or t.head is t:
            return False
        t = t.head
        word = lemma(t)
        if word in lx.DIRECTIVE_VERBS or word == "call" or (word in lx.REQUEST_VERBS and dep != "ccomp"):
            return True
    return False


def _expects_to_act(t: Any) -> bool:
    """"The company expects to hire": a party's plan for its own action, not a forecast."""
    if _passive(t) or any(c.dep_ in ("dobj", "ccomp") for c in t.children):
        return False
    complement = next((c for c in t.children if c.dep_ == "xcomp"), None)
    if complement is None or any(c.dep_ in _SUBJECT_DEPS for c in complement.children):
        return False
    return lemma(complement) not in lx.NON_AGENTIVE_VERBS and _agentive(_subject(t)) in ("agent", "first")


def _has_to_complement(token: Any) -> Any:
    """The to-infinitive (or "to"/"on" + gerund/noun) a verb or noun governs, else None."""
    for child in token.children:
        if child.dep_ in ("xcomp", "acl") and child.pos_ in ("VERB", "AUX"):
            return child
        if child.dep_ == "prep" and child.lower_ in ("to", "on", "towards"):
            for grand in child.children:
                if grand.dep_ in ("pcomp", "pobj"):
                    return grand
    return None


def _future_in(token: Any) -> bool:
    """Does a clause (a ccomp) say what will happen?"""
    return any(a in lx.FUTURE_MODALS or a == "would" for a in _aux(token))


# ---- detectors ---------------------------------------------------------------------------

def _commissive(found: Analysis, t: Any) -> None:
    word = lemma(t)
    if t.pos_ not in ("VERB", "ADJ", "AUX"):
        return
    if word in lx.DESIRE_VERBS:
        if _has_to_complement(t) is not None and _clause_kind(t) in ("main", "reported"):
            found.fire("desire", t)
        return
    if (word not in lx.COMMISSIVE_VERBS and word not in lx.INTENTION_VERBS and word not in lx.REFUSAL_VERBS
            and word not in ("committed", "determined")):
        return
    if word == "rule" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in t.children):
        return  # a court "ruled": only "ruled out" refuses
    complement = _has_to_complement(t)
    strong = complement is not None
    if not strong and word in ("pledge", "promise", "vow", "guarantee", "swear", "undertake"):
        strong = any(c.dep_ in ("dobj", "ccomp") for c in t.children)
    if not strong and word == "agree":
        strong = any(c.dep_ == "dobj" for c in t.children)  # "agreed a ceasefire"
    if not strong and word in ("agree", "decide", "resolve", "announce"):
        strong = any(c.dep_ == "ccomp" and _future_in(c) for c in t.children)
    if not strong and word == "propose":
        strong = any(c.dep_ == "dobj" for c in t.children)
    if not strong and word in ("offer", "plan", "announce", "schedule", "unveil"):
        if any(c.dep_ == "dobj" for c in t.children) and not _passive(t) and not _negated(t):
            found.fire("commissive_object", t)
            # "The charity is offering free meals": an offer binds the party that makes it.
            offered = next(c for c in t.children if c.dep_ == "dobj")
            if (word in ("offer", "plan") and _clause_kind(t) in ("main", "reported") and not _hedged(t)
                    and not any(c.lower_ in ("no", "little") for c in offered.children)
                    and not _under_directive(t) and _agentive(_subject(t)) in ("agent", "first")):
                found.fire("offer", t)  # "plans a second launch": a plan announced, as an offer
    if not strong and word == "rule" and any(c.dep_ == "prt" and c.lower_ == "out" for c in t.children):
        strong = any(c.dep_ == "dobj" for c in t.children)  # "ruled out a referendum": a refusal
    if not strong:
        return
    if word in lx.JUDGING_VERBS and any(a in lx.FUTURE_MODALS for a in _aux(t)):
        found.fire("schedule", t)  # "the judge will decide next week": no decision yet
        return
    if _passive(t) and word not in ("commit", "committed", "determine", "determined", "resolve"):
        return  # "is scheduled to", "was planned for": a timetable, not a pledge
    if word in lx.INTENTION_VERBS:
        if word == "expect" and not _expects_to_act(t):
            return  # "expects prices to rise", "expects to see growth": a forecast
        if (not found["question"] and _agentive(_subject(t)) != "thing" and not _negated(t)
                and _clause_kind(t) in ("main", "reported")):
            found.fire("intention", t)
        return
    if _under_directive(t):
        found.fire("demand_on_commissive", t)
        return
    if _hedged(t):
        found.fire("hedged_commissive", t)
        return
    refusal = word in lx.REFUSAL_VERBS or (complement is not None and _negated(complement))
    if _negated(t) and word not in lx.REFUSAL_VERBS:
        found.fire("negated_commissive", t)
        return
    if refusal:
        found.fire("refusal", t)
    if _clause_kind(t) == "embedded":
        found.fire("commissive_embedded", t)
    elif word in lx.SOFT_COMMISSIVE_VERBS:
        found.fire("commissive_soft", t)
    else:
        found.fire("commissive", t)


def _commissive_noun(found: Analysis, t: Any) -> None:
    """A party's plan, pledge or effort to act: "announced plans to", "the minister's effort to"."""
    if t.pos_ != "NOUN" or lemma(t) not in lx.COMMISSIVE_NOUNS:
        return
    complement = _has_to_complement(t)
    head = t.head
    if t.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("on", "upon", "to"):
        head = head.head  # "settled on a plan to", "agreed to a deal"
        announced = lemma(head) in lx.COMMITMENT_NOUN_VERBS
    else:
        announced = t.dep_ in ("dobj", "nsubjpass", "attr") and lemma(head) in lx.COMMITMENT_NOUN_VERBS
    owned = any(c.dep_ == "poss" for c in t.children)
    if (lemma(t) in lx.AGREEMENT_NOUNS and announced and lemma(head) in lx.AGREEMENT_VERBS and not _passive(head)
            and not _negated(head) and not _hedged(head) and _clause_kind(head) in ("main", "reported")
            and not _under_directive(head) and _agentive(_subject(head)) in ("agent", "first")):
        found.fire("commissive_noun", t, 0.9)  # "the two provinces signed an accord"
        return
    if complement is not None and (announced or owned) and lemma(complement) not in lx.NON_AGENTIVE_VERBS:
        if not _hedged(head) and not _negated(head) and not _under_directive(t):
            embedded = _clause_kind(head) == "embedded" or head.pos_ not in ("VERB", "AUX")
            found.fire("commissive_noun", t, 0.8 if embedded else 1.0)
            return
    if complement is not None or announced:
        found.fire("commissive_noun_loose", t)


def _future(found: Analysis, t: Any) -> None:
    """will/shall/'ll, be going to, be to, set to, would under a verb of saying, and the
    futurate progressive ("is travelling next week"); then who controls what will happen."""
    if t.pos_ not in ("VERB", "AUX") or t.dep_ in ("aux", "auxpass"):
        return
    kind = _future_kind(found, t)
    if kind is None:
        return
    word = lemma(t)
    subject = _subject(t) if kind not in ("going to", "be to", "set to") else _subject(t.head)
    who = _agentive(subject)
    if kind == "would" and found["speech_continues"] and subject is not None and subject.lower_ in ("it", "they"):
        who = "agent"  # the speaker of the sentence before, still speaking
    where = _clause_kind(t)
    passive = _passive(t)
    speaker = _speaker(t) if where == "reported" else None
    if kind == "would" and where == "main":
        found.fire("would_narrative", t)
    if where == "opinion" or speaker == "forecaster":
        found.fire("future_other", t)  # a future someone believes, fears or predicts: a forecast
        return
    if any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in t.sent) and who != "first":
        found.fire("conditional", t)
        return
    if any(c.dep_ == "advmod" and c.lower_ in lx.HEDGE_ADVERBS for c in t.children) or _under_directive(t):
        found.fire("future_other", t)
        return
    strength = 0.6 if kind == "set to" else 1.0
    if where == "embedded":
        found.fire("future_embedded", t, strength)
        return
    if (subject is not None and lemma(subject) in lx.EVENT_NOUNS) or (passive and word in lx.PROCEDURE_PASSIVES):
        found.fire("schedule", t)  # "the hearing will resume", "will be held on Tuesday"
        return
    if word in lx.RECIPIENT_VERBS and not passive and any(c.dep_ == "dobj" for c in t.children):
        # "Each family will receive a grant": the giver has undertaken to give it.
        found.fire("future_passive", t, strength * (1.0 if speaker or who != "thing" else 0.8))
        return
    if passive and (word in lx.NON_AGENTIVE_VERBS or word in lx.JUDGEMENT_PASSIVES):
        found.fire("future_other", t)  # "homes will be affected", "he will be remembered as"
        return
    if passive:
        # "The families will be given housing": a party's decision with the party left implicit.
        found.fire("future_passive", t, strength)
        if where == "reported":
            found.fire("future_reported", t, 0.8 * strength)
        return
    if who in ("thing", "none") or passive:
        if speaker == "party" and not passive and (word in lx.ASPECTUAL_VERBS or _settable(t, subject) or (
                word not in lx.OUTCOME_VERBS and word not in lx.NON_AGENTIVE_VERBS)):
            # "the service will continue", "the new flag will feature a fern", says who runs it
            found.fire("future_thing_reported", t, 1.0 if word in lx.ASPECTUAL_VERBS else 0.8)
        elif word in lx.CHANGE_VERBS or word in lx.OUTCOME_VERBS or speaker is not None:
            found.fire("future_other", t)  # "prices will rise", "the project will create jobs": a forecast
        else:
            found.fire("schedule", t)  # "the mission will last six months": a plan stated as fact
        return
    if word in lx.NON_AGENTIVE_VERBS:
        found.fire("future_other", t)  # "we will see", "the party will lose": not in its power
        return
    if word in lx.JUDGING_VERBS:
        found.fire("schedule", t)  # "the judge will decide next week": a decision still to come
        return
    if kind == "progressive":
        found.fire("futurate", t)
    elif kind == "would" or where == "reported":
        found.fire("future_reported", t, strength)
    elif who == "first":
        found.fire("future_first_person", t, strength)
    else:
        found.fire("future_agentive", t, strength)


def _settable(t: Any, subject: Any) -> bool:
    """A state the speaking party can set for a thing of its own: "the museum will be free",
    "the road will remain closed" (not "it would be difficult", "prices will be higher")."""
    if lemma(t) not in ("be", "remain", "stay", "have") or subject is None:
        return False
    if subject.lower_ in lx.NON_AGENT_PRONOUNS or subject.pos_ == "PRON":
        return False
    for c in t.children:
        if c.dep_ in ("acomp", "attr", "oprd") and (lemma(c) in lx.EVALUATIVE_WORDS or lemma(c) in lx.FORECAST_ADJECTIVES
                                                    or c.tag_ in ("JJR", "JJS", "RBR") or lemma(c) in ("able", "difficult", "easy", "hard")):
            return False
    return True


def _future_kind(found: Analysis, t: Any) -> str | None:
    aux = _aux(t)
    if any(a in lx.FUTURE_MODALS for a in aux):
        return "will"
    if "would" in aux and "have" in aux:
        return None  # "would have been possible": a counterfactual, not a future
    if "would" in aux:
        where = _clause_kind(t)
        if where == "reported":
            return "would"
        if where == "main" and not any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in t.sent):
            if found["prev_attributed"] and not any(c.lower_ == "later" for c in t.children):
                # "The airline said it had apologised. It would refund every ticket.": the
                # reported speech of the sentence before goes on, its "would" still reported.
                found.fire("speech_continues", t)
                return "would"
            found.fire("would_narrative", t)
        return None
    if t.dep_ == "xcomp" and "to" in aux:
        head = t.head
        if lemma(head) == "go" and head.tag_ == "VBG" and any(lemma(a) == "be" for a in head.children if a.dep_ == "aux"):
            return "going to"
        if lemma(head) == "be" and head.dep_ in ("ROOT", "ccomp", "conj") and not any(c.dep_ in ("acomp", "attr") for c in head.children):
            if _agentive(_subject(head)) not in ("agent", "first"):
                return None  # "its goal is to ...": a description, not a future
            return "be to"
        if head.lower_ == "set" and (_aux(head) or _passive(head)):
            return "set to"
        if head.lower_ in ("due", "scheduled", "slated"):
            found.fire("schedule", head)
        return None
    be = [c for c in t.children if c.dep_ == "aux" and lemma(c) == "be"]
    if t.tag_ == "VBG" and be and _future_time(t, present=be[0].tag_ in ("VBZ", "VBP")):
        return "progressive"
    return None


def _future_time(t: Any, present: bool = False) -> bool:
    """Does a time adverbial of this predicate point ahead ("next week", "tomorrow", "by
    the end of the year")? In the present progressive any date but a past one does: "is
    meeting them on Thursday"."""
    for child in t.children:
        if child.dep_ not in ("npadvmod", "advmod", "prep", "tmod"):
            continue
        words = list(child.subtree)
        for w in words:
            low = w.lower_
            if low in ("tomorrow", "soon") or (low in lx.FUTURE_TIME_WORDS and w.ent_type_ in ("DATE", "TIME")):
                return True
        if present and any(w.ent_type_ == "DATE" for w in words) and not any(
                w.lower_ in lx.PAST_TIME_WORDS or w.lower_ in ("today", "now", "currently") for w in words):
            return True
        if child.lower_ == "by" and any(g.dep_ == "pobj" and (g.lower_ == "end" or g.ent_type_ == "DATE") for g in child.children):
            return True
    return False


def _speaker(t: Any) -> str | None:
    """Who reports this future: "forecaster" (analysts, a study), "party" (someone who can
    act on it), or None."""
    frame = _reporting_head(t)
    if frame is None:
        return None
    subject = _subject(frame)
    if subject is None:
        return None
    if subject.lower_ in lx.FORECASTER_NOUNS or lemma(subject) in lx.FORECASTER_NOUNS:
        return "forecaster"
    if lemma(frame) in lx.FORECAST_VERBS:
        return "forecaster"
    if _agentive(subject) in ("agent", "first") or (subject.pos_ in ("NOUN", "PROPN") and subject.ent_type_ not in ("DATE", "CARDINAL")):
        return "party"  # whoever speaks for itself: "the station said", "the statement said"
    return None


def _finite(t: Any) -> bool:
    """A verb that heads a clause of its own (not a participle or gerund modifier)."""
    if t.tag_ in ("VBD", "VBZ", "VBP"):
        return True
    return any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") and c.lower_ != "to" for c in t.children)


def _attribution(found: Analysis, t: Any) -> None:
    word = lemma(t)
    if t.lower_ == "according" and any(c.lower_ == "to" for c in t.children):
        found.fire("according_to", t)
        return
    if (t.dep_ == "pobj" and lemma(t) in lx.STATEMENT_NOUNS and t.head.lower_ in ("in", "during") and t.tag_ == "NN"
            and any(c.dep_ in ("det", "poss") for c in t.children)
            and t.head.head.pos_ in ("VERB", "AUX") and _clause_kind(t.head.head) == "main"):
        found.fire("according_to", t)  # "In a statement, the company apologised": attributed
        return
    if t.pos_ != "VERB":
        return
    children = list(t.children)
    deps = {c.dep_ for c in children}
    if not _finite(t):
        # "a petition asking the government to act": a demand made in a participle
        if t.tag_ == "VBG" and t.dep_ in ("acl", "advcl") and not _passive(t) and "xcomp" in deps and (
                word in lx.DIRECTIVE_VERBS or word in lx.REQUEST_VERBS):
            found.fire("request", t)
        return
    # "called on the board to", "called for the minister to resign" (where "for" marks the clause)
    calls_on = word == "call" and any(c.lower_ in ("on", "for", "upon") for c in children) or (
        word == "call" and any(c.dep_ == "advcl" and any(m.lower_ == "for" for m in c.children) for c in children))
    if (word in lx.DIRECTIVE_VERBS or calls_on) and not _passive(t):
        if deps & {"xcomp", "ccomp"} or calls_on or (word in ("urge", "demand") and "dobj" in deps):
            found.fire("demand", t)
            return
    if word in lx.REQUEST_VERBS and not _passive(t) and deps & {"xcomp", "ccomp"}:
        found.fire("request", t)
        if word != "tell":
            return
    if word not in lx.REPORTING_VERBS:
        return
    if word in lx.FORECAST_VERBS and "xcomp" in deps and not (word == "expect" and _expects_to_act(t)):
        found.fire("forecast", t)
        if _passive(t):
            return
    clause = bool(deps & {"ccomp", "parataxis"}) or t.dep_ == "parataxis"
    if _passive(t):
        if clause or "xcomp" in deps or any(c.dep_ == "expl" or c.lower_ == "it" for c in children):
            found.fire("report_passive", t)
        elif word in lx.CLAIM_ACT_VERBS and _clause_kind(t) == "main" and "dobj" not in deps:
            found.fire("report_passive", t)  # "was widely praised", "were accused of": a judgement reported
        return
    if word in lx.CLAIM_ACT_VERBS and deps & {"dobj", "prep", "ccomp", "oprd"}:
        found.fire("opinion_verb", t)
        found.fire("report_frame", t)
    elif word in lx.OPINION_VERBS and (clause or deps & {"oprd", "xcomp"}):
        found.fire("opinion_verb", t)
        found.fire("report_frame", t)
    elif clause or (t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "as" for m in children)):
        found.fire("report_frame", t)  # "... said that ...", "As the minister told reporters, ..."
    elif word in lx.SPEECH_VERBS and t.dep_ in ("ROOT", "parataxis", "conj"):
        ending = [c for c in t.sent if not c.is_space][-2:]
        if any(c.text in (":", ",") for c in ending) or any(c.is_quote for c in t.sent):
            found.fire("report_frame", t)
    elif word in ("call", "describe", "label", "brand", "dub") and deps & {"oprd", "xcomp"} | ({"prep"} if word == "describe" else set()):
        found.fire("report_frame", t)


def _stance(found: Analysis, t: Any) -> None:
    low = t.lower_
    if t.dep_ == "aux" and low in lx.DEONTIC_MODALS:
        # "It must be returned within a month" is a procedure; "they must act" an opinion.
        found.fire("procedure" if _passive(t.head) else "deontic", t)
    elif t.dep_ == "aux" and low in ("may", "might", "could", "would") and _clause_kind(t.head) in ("main", "reported", "opinion"):
        later = any(c.lower_ == "later" for c in t.head.children)  # "would later become": narrative
        if not _negated(t.head) and not (low == "would" and (later or _clause_kind(t.head) == "reported")):
            found.fire("hedge", t)
    elif low in lx.HEDGE_ADVERBS and t.pos_ == "ADV" and _clause_kind(t.head) != "embedded":
        found.fire("hedge", t)
    elif t.pos_ in ("ADJ", "ADV") and (lemma(t) in lx.EVALUATIVE_WORDS or _intensified(t)) and t.dep_ in ("acomp", "amod", "attr", "oprd", "ROOT", "conj"):
        found.fire("evaluative", t, 1.0 if t.dep_ != "amod" or _intensified(t) else 0.5)
    elif t.pos_ == "NOUN" and t.dep_ in ("attr", "oprd") and lemma(t) in lx.EVALUATIVE_NOUNS:
        found.fire("evaluative", t)
    elif t.pos_ == "ADJ" and lemma(t) in lx.FORECAST_ADJECTIVES and any(c.dep_ == "xcomp" for c in t.children):
        found.fire("forecast", t)
    elif t.pos_ == "NOUN" and low in lx.CLAIM_NOUNS:
        found.fire("claim_noun", t, 1.0 if t.dep_ in ("nsubj", "dobj") and t.head.dep_ == "ROOT" else 0.5)
    elif t.like_num or t.ent_type_ in ("CARDINAL", "PERCENT", "MONEY", "QUANTITY"):
        found.fire("number", t)


def _intensified(t: Any) -> bool:
    """An adjective of judgement marked as such: "very emotional", "the most successful"."""
    return t.pos_ == "ADJ" and any(c.dep_ == "advmod" and c.lower_ in lx.INTENSIFIERS for c in t.children)


def _root(found: Analysis, sentence: Any) -> None:
    root = sentence.root
    if (root.tag_ == "VB" and root.i == sentence.start + _first_word(sentence)
            and not any(c.dep_ in _SUBJECT_DEPS or c.dep_ in ("aux", "auxpass") for c in root.children)):
        found.fire("imperative", root)  # "Wait until the third day": advice to the reader
    tags = {root.tag_} | {c.tag_ for c in root.children if c.dep_ in ("aux", "auxpass")}
    if tags & {"VBD"} or (root.tag_ == "VBN" and "VBD" in tags):
        found.fire("past_root", root)
    elif tags & {"VBZ", "VBP"}:
        found.fire("present_root", root)


def _first_word(sentence: Any) -> int:
    """Offset of the first word of the sentence (past quotes and punctuation)."""
    for i, t in enumerate(sentence):
        if t.is_alpha:
            return i
    return 0


def _quoted(sentence: Any, tokens: list[Any]) -> tuple[list[bool], bool]:
    """Which tokens stand inside quotation marks, and whether the sentence opens inside a
    quotation begun before it (a Span inherits an open quote from its paragraph)."""
    inside = False
    start_char = getattr(sentence, "start_char", 0)
    doc = getattr(sentence, "doc", sentence)
    before = doc.text[:start_char] if start_char else ""
    if before.count('"') % 2 == 1 or before.count("“") > before.count("”"):
        inside = True
    marks = []
    for t in tokens:
        text = t.text
        if text in _OPEN_QUOTES or (text == '"' and not inside):
            inside = True
            marks.append(False)
        elif text in _CLOSE_QUOTES and t.tag_ != "POS" or (text == '"' and inside):
            inside = False
            marks.append(False)
        else:
            marks.append(inside)
    opened_before = bool(marks) and marks[0]
    if not any(marks) and any(t.text in ('"', "”") for t in tokens):
        # A closing mark with no opening one: the sentence began inside a quotation.
        for i, t in enumerate(tokens):
            if t.text in ('"', "”"):
                return [True] * i + [False] * (len(tokens) - i), True
    return marks, opened_before


def _quotes(found: Analysis, tokens: list[Any], quoted: list[bool]) -> None:
    """A quotation of four words or more is speech; a shorter one, or one in title case (the
    name of a work, a website, a campaign), is a name or a scare quote."""
    words = [(t, q) for t, q in zip(tokens, quoted) if t.is_alpha]
    share = sum(q for _, q in words) / len(words) if words else 0.0
    longest = 0
    run: list[Any] = []
    for t, q in words + [(None, False)]:
        if q:
            run.append(t)
            continue
        if run and not _title_case(run):
            longest = max(longest, len(run))
        elif run:
            found.fire("quote", None, 0.3)
        run = []
    if longest >= 4:
        found.fire("quote", None, 1.0)
    elif longest:
        found.fire("quote", None, 0.3)
    if share >= 0.5 and longest >= 4:
        found.fire("quote_mostly")


def _title_case(run: list[Any]) -> bool:
    """"The Internet Explorer 6 Countdown": most content words capitalised, no finite verb."""
    content = [t for t in run if not t.is_stop]
    if len(content) < 2 or any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in run):
        return False
    return sum(t.text[0].isupper() for t in content) >= 0.8 * len(content)


def _persons(found: Analysis, tokens: list[Any], quoted: list[bool]) -> None:
    for t, q in zip(tokens, quoted):
        if t.pos_ == "PRON" or t.tag_ == "PRP$":
            if t.lower_ in lx.FIRST_PERSON:
                found.fire("first_person", t, 0.5 if q else 1.0)
            elif t.lower_ in lx.SECOND_PERSON:
                found.fire("second_person", t, 0.5 if q else 1.0)


def _headline(found: Analysis, tokens: list[Any]) -> None:
    """A headline's "X to do Y" (no finite verb) announces what X is to do: "Council to close
    two libraries"."""
    if any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in tokens):
        return
    for t in tokens:
        if t.pos_ != "VERB" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children):
            continue
        head = t.head
        if t.dep_ == "ROOT" or (t.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN")
                                and (head.dep_ == "ROOT" or head.head.dep_ == "ROOT" and head.dep_ in ("appos", "dep"))):
            if lemma(t) not in lx.NON_AGENTIVE_VERBS and lemma(t) not in lx.REPORTING_VERBS:
                found.fire("headline_plan", t)
            return


def _context(found: Analysis, sentence: Any) -> None:
    """What the sentence before, in the same paragraph, says about this one: a verb of saying
    that ends on ":" or "," introduces it as speech; attributed speech may continue into it."""
    start = getattr(sentence, "start", 0)
    if not start:
        return
    doc = sentence.doc
    before = doc[doc[start - 1].sent.start:start]
    words = [t for t in before if not t.is_space]
    if not words:
        return
    speech = [t for t in words if t.pos_ == "VERB" and lemma(t) in lx.REPORTING_VERBS]
    if speech and words[-1].text in (":", ","):
        found.fire("speech_follows", speech[-1])
    if any(t.is_quote for t in words):
        found.fire("prev_quote")
    if any(c.dep_ in ("ccomp", "parataxis") for t in speech for c in t.children) or any(
            t.lower_ == "according" for t in words):
        found.fire("prev_attributed")


# ---- sparse features for a trained model ---------------------------------------------------

_CLASS_VERBS = (lx.COMMISSIVE_VERBS | lx.INTENTION_VERBS | lx.DESIRE_VERBS | lx.REPORTING_VERBS | lx.DIRECTIVE_VERBS
                 | lx.REQUEST_VERBS | lx.FORECAST_VERBS)
_CLASS_NOUNS = lx.COMMISSIVE_NOUNS | lx.AGREEMENT_NOUNS | lx.CLAIM_NOUNS


def _sparse(found: Analysis, tokens: list[Any]) -> list[str]:
    """Few, general string features: the root's lemma, tag and auxiliaries, its subject's
    entity type and agentivity, the modals, and the words of the lexicon's classes (verbs of
    commitment, saying, demanding; plan and claim nouns) that occur."""
    out = []
    root = None
    for t in tokens:
        if t.dep_ == "ROOT" and root is None:
            root = t
        word = lemma(t)
        if t.pos_ in ("VERB", "AUX") and word in _CLASS_VERBS:
            out.append(f"V:{word}")
        elif t.pos_ == "NOUN" and word in _CLASS_NOUNS:
            out.append(f"N:{word}")
        elif t.tag_ == "MD":
            out.append(f"M:{t.lower_}")
        if t.ent_type_ and t.ent_iob_ == "B":
            out.append(f"E:{t.ent_type_}")
    if root is not None:
        out.append(f"R:{lemma(root)}")
        out.append(f"RT:{root.tag_}")
        for a in _aux(root):
            out.append(f"A:{a}+{lemma(root)}")
        subject = next((c for c in root.children if c.dep_ in _SUBJECT_DEPS), None)
        if subject is not None:
            out.append(f"S:{subject.ent_type_ or subject.pos_}")
            out.append(f"SA:{_agentive(subject)}")
    return sorted(set(out))
