"""The word lists of both engines, read once at import from `words/*.txt` (package data).

One file per list: `#` lines say what the list is, who uses it and how it is matched; the
words are separated by white space. Each list is defined once. Where the suggester and the
commitment extractor had a list of the same name with different contents, each keeps its own
under a name that says what it holds:

* `AGENT_NOUNS` (the suggester: lemmas, matched on the lemma or the word) and
  `AGENT_NOUN_FORMS` (the extractor: singular and plural forms, matched on the word);
* `GENERIC_QUANTIFIERS` (the suggester: "many", "some": a subject that is a generic set, not a
  party) and `ANAPHORIC_DETERMINERS` (the extractor: "the", "both", "these": a noun phrase
  that points back to a party named before); the old name `GENERIC_DETERMINERS` meant opposite
  things in the two engines;
* `SPEECH_VERBS`, `REFUSAL_VERBS` (lemmas) and `SPEECH_VERB_FORMS`, `REFUSAL_VERB_FORMS` (forms);
* `FUTURE_MODALS` ("will shall 'll wo") and `FUTURE_MODALS_AND_WOULD` (also "would" and "’ll");
* `FUTURE_TIME_WORDS` / `PAST_TIME_WORDS` (the suggester) and `FORWARD_WORDS` /
  `BACKWARD_WORDS` (the extractor, a few words more each).

The extractor matches every list on the word's lower-case form, although the app's pipeline
does lemmatise. Its verb lists spell out inflections ("agree agrees agreed agreeing"): they are
named `*_FORMS` (COMMIT_VERB_FORMS, WEAK_COMMIT_VERB_FORMS, REFUSAL_VERB_FORMS,
PREP_COMPLEMENT_VERB_FORMS, PROPOSAL_VERB_FORMS, ANNOUNCE_VERB_FORMS, SPEECH_VERB_FORMS,
EVENT_VERB_FORMS, OBJECT_CONTROL_VERB_FORMS, FORECAST_WORD_FORMS, AGENT_NOUN_FORMS); several of
its noun lists hold plurals as well (COMMIT_NOUNS, THING_NOUNS, TEMPORAL_NOUNS, PRIORITY_NOUNS,
PURPOSE_NOUNS, MEANS_NOUNS, NOT_AGENT, UNITS). Turning them into lemma lists would change what
the extractor finds (a lemma also matches forms the lists leave out), so that is left for the
rewrite of the rules; the suggester's lists are lemmas already.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any


def lemma(token: Any) -> str:
    """What a lemma list is matched on: spaCy's lemma, or the lower-case form where there is none."""
    return (token.lemma_ or token.lower_).lower()


def _load(name: str) -> frozenset[str]:
    text = files("reader.grammar").joinpath("words").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.lstrip().startswith("#") for w in line.split())


# ---- the suggester's lists (reader.suggest) ----------------------------------------------
AGENT_NOUNS = _load("agent_nouns")
AGREEMENT_NOUNS = _load("agreement_nouns")
AGREEMENT_VERBS = _load("agreement_verbs")
ASPECTUAL_VERBS = _load("aspectual_verbs")
CHANGE_VERBS = _load("change_verbs")
COMMENT_VERBS = _load("comment_verbs")
FAILURE_WORDS = _load("failure_words")
CLAIM_ACT_VERBS = _load("claim_act_verbs")
CLAIM_NOUNS = _load("claim_nouns")
COMMISSIVE_NOUNS = _load("commissive_nouns")
COMMISSIVE_VERBS = _load("commissive_verbs")
COMMITMENT_NOUN_VERBS = _load("commitment_noun_verbs")
DEONTIC_MODALS = _load("deontic_modals")
DESIRE_VERBS = _load("desire_verbs")
DIRECTIVE_VERBS = _load("directive_verbs")
EVALUATIVE_NOUNS = _load("evaluative_nouns")
EVALUATIVE_WORDS = _load("evaluative_words")
EVENT_NOUNS = _load("event_nouns")
FIRST_PERSON = _load("first_person")
FORECASTER_NOUNS = _load("forecaster_nouns")
FORECAST_ADJECTIVES = _load("forecast_adjectives")
FORECAST_FRAMES = _load("forecast_frames")
FORECAST_VERBS = _load("forecast_verbs")
FUTURE_MODALS = _load("future_modals")
FUTURE_TIME_WORDS = _load("future_time_words")
GENERIC_QUANTIFIERS = _load("generic_quantifiers")
HEDGE_ADVERBS = _load("hedge_adverbs")
HEDGE_MODALS = _load("hedge_modals")
INTENSIFIERS = _load("intensifiers")
INTENTION_VERBS = _load("intention_verbs")
JUDGEMENT_PASSIVES = _load("judgement_passives")
JUDGING_VERBS = _load("judging_verbs")
NON_AGENTIVE_VERBS = _load("non_agentive_verbs")
NON_AGENT_PRONOUNS = _load("non_agent_pronouns")
OPINION_VERBS = _load("opinion_verbs")
OUTCOME_VERBS = _load("outcome_verbs")
PAST_TIME_WORDS = _load("past_time_words")
PROCEDURE_PASSIVES = _load("procedure_passives")
RECIPIENT_VERBS = _load("recipient_verbs")
REFUSAL_VERBS = _load("refusal_verbs")
REPORTING_VERBS = _load("reporting_verbs")
REQUEST_VERBS = _load("request_verbs")
SECOND_PERSON = _load("second_person")
SOFT_COMMISSIVE_VERBS = _load("soft_commissive_verbs")
SPEECH_VERBS = _load("speech_verbs")
STATEMENT_NOUNS = _load("statement_nouns")

# Entity types of a subject that can bind itself (the suggester).
AGENT_ENTITY_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP"})

# ---- the commitment extractor's lists (reader.commitments) ----------------------------------
AGENT_NOUN_FORMS = _load("agent_noun_forms")
ANAPHORIC_DETERMINERS = _load("anaphoric_determiners")
ANNOUNCE_VERB_FORMS = _load("announce_verb_forms")
ASIDE_SUBORDINATORS = _load("aside_subordinators")
BACKWARD_WORDS = _load("backward_words")
BE_FORMS = _load("be_forms")
COMMIT_ADJECTIVES = _load("commit_adjectives")
COMMIT_NOUNS = _load("commit_nouns")
COMMIT_VERB_FORMS = _load("commit_verb_forms")
COMPANY_NOUNS = _load("company_nouns")
CONDITIONAL_MODALS = _load("conditional_modals")
CONTROL_PASSIVES = _load("control_passives")
DEADLINE_PREPOSITIONS = _load("deadline_prepositions")
DOCUMENT_NOUNS = _load("document_nouns")
DROP_ADVERBS = _load("drop_adverbs")
DUAL_WORDS = _load("dual_words")
EVENT_PREPOSITIONS = _load("event_prepositions")
EVENT_TIME_NOUNS = _load("event_time_nouns")
EVENT_VERB_FORMS = _load("event_verb_forms")
FORECAST_WORD_FORMS = _load("forecast_word_forms")
FORWARD_WORDS = _load("forward_words")
FUTURE_MODALS_AND_WOULD = _load("future_modals_and_would")
MEANS_NOUNS = _load("means_nouns")
MEANS_VERBS = _load("means_verbs")
LIGHT_NOUNS = _load("light_nouns")
FRAME_NOUNS = _load("frame_nouns")
MONTHS_AND_DAYS = _load("months_and_days")
NOT_AGENT = _load("not_agent")
NOT_TIME_NOUNS = _load("not_time_nouns")
OBJECT_CONTROL_VERB_FORMS = _load("object_control_verb_forms")
ONSET_WORDS = _load("onset_words")
OPEN_TIME_NOUNS = _load("open_time_nouns")
PERSONAL_PRONOUNS = _load("personal_pronouns")
PERSON_NOUNS = _load("person_nouns")
PLACE_NOUNS = _load("place_nouns")
PREP_COMPLEMENT_VERB_FORMS = _load("prep_complement_verb_forms")
PRIORITY_NOUNS = _load("priority_nouns")
PROPOSAL_VERB_FORMS = _load("proposal_verb_forms")
PURPOSE_NOUNS = _load("purpose_nouns")
QUANTIFIERS = _load("quantifiers")
REFUSAL_VERB_FORMS = _load("refusal_verb_forms")
RELATIVE_PRONOUNS = _load("relative_pronouns")
SPATIAL_NOUNS = _load("spatial_nouns")
SPEAKING_DAY_WORDS = _load("speaking_day_words")
SPEECH_VERB_FORMS = _load("speech_verb_forms")
TEMPORAL_ADVERBS = _load("temporal_adverbs")
TEMPORAL_MODIFIERS = _load("temporal_modifiers")
TEMPORAL_NOUNS = _load("temporal_nouns")
THING_NOUNS = _load("thing_nouns")
TIME_PREPOSITIONS = _load("time_prepositions")
TIME_SUBORDINATORS = _load("time_subordinators")
TOPIC_NOUNS = _load("topic_nouns")
UNITS = _load("units")
WEAK_COMMIT_VERB_FORMS = _load("weak_commit_verb_forms")

# Entity labels that can name a party; a name with any other label (a product, an event, a
# law, a work) cannot commit (the extractor).
AGENT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
# Agent-noun endings: worker, director, scientist, politician, resident, participant.
AGENT_SUFFIXES = ("er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "ent", "ents", "ant", "ants")
