"""Word lists of general English that the suggester's rules look for.

Lemmas, lower case. Each set names one linguistic class; none is drawn from any corpus.
"""

from __future__ import annotations

# Verbs by which a party binds itself to a future action, usually with a to-infinitive
# ("agreed to", "vowed never to", "plans to", "refused to").
COMMISSIVE_VERBS = frozenset(
    """
    agree pledge promise vow commit plan intend decide resolve undertake aim propose offer
    refuse decline swear guarantee vote volunteer threaten determine opt elect
    """.split()
)
# Of those, the ones whose to-infinitive is weaker than a pledge (a proposal, an aim).
SOFT_COMMISSIVE_VERBS = frozenset("propose aim threaten offer opt elect".split())
# Intentions: a plan of one's own ("seeks to", "is preparing to", "expects to hire").
INTENTION_VERBS = frozenset("seek prepare expect".split())
# Desires: a wish is not yet a plan ("hopes to", "wants to").
DESIRE_VERBS = frozenset("hope want wish".split())
# Verbs of deciding: "will decide" announces a decision still to come, not one made.
JUDGING_VERBS = frozenset("decide vote determine elect opt choose rule judge".split())
# Verbs that refuse: the commitment is not to act.
REFUSAL_VERBS = frozenset("refuse decline reject rule".split())
# Nouns that name a commitment when a party has, makes or announces one ("plans to", "a pledge to").
COMMISSIVE_NOUNS = frozenset(
    """
    plan pledge promise commitment vow agreement deal decision intention intent proposal
    resolution undertaking guarantee accord pact treaty roadmap timetable strategy bid
    programme program initiative effort drive push move goal target aim mission offer
    """.split()
)
# Nouns of an agreement that binds the parties that make it: signing one is a commitment.
AGREEMENT_NOUNS = frozenset("agreement deal accord pact treaty contract ceasefire truce settlement memorandum compact".split())
AGREEMENT_VERBS = frozenset("sign reach strike conclude seal agree finalise finalize ink clinch settle renew extend".split())
# Verbs that put a commitment noun on record ("announced plans", "signed an agreement").
COMMITMENT_NOUN_VERBS = frozenset(
    """
    announce unveil sign reach make strike give have adopt approve set outline launch present
    finalise finalize conclude seal agree publish issue release settle decide
    """.split()
)
# Verbs of saying, thinking and evaluating that attribute the clause they govern to a source.
REPORTING_VERBS = frozenset(
    """
    say tell state add note explain report write announce confirm reply respond comment remark
    mention tweet post testify declare inform indicate reveal disclose quote stress emphasise
    emphasize reiterate repeat recall describe observe point insist maintain assert argue
    claim contend allege accuse charge deny dispute reject dismiss criticise criticize condemn
    blame praise welcome defend complain question doubt believe think feel consider suspect
    fear worry hope expect predict forecast estimate anticipate project warn caution suggest
    acknowledge admit concede agree disagree conclude find speculate guess imply
    characterise characterize label brand call dub
    """.split()
)
# Reporting verbs that carry a judgement or an opinion of their own.
OPINION_VERBS = frozenset(
    """
    believe think feel consider suspect fear worry hope doubt argue claim contend allege accuse
    deny dispute criticise criticize condemn blame praise welcome defend complain question
    insist maintain assert speculate guess characterise characterize label brand dub
    """.split()
)
# Verbs that place a demand on someone else ("urged Vietnam to", "called on the board to").
DIRECTIVE_VERBS = frozenset("urge demand press appeal implore exhort pressure push beg".split())
# Requests and instructions: also on someone else, but often a step in a procedure ("asked
# the council to help"), so weaker evidence of a claim than an exhortation.
REQUEST_VERBS = frozenset("ask request encourage advise recommend invite challenge order instruct direct tell petition lobby".split())
# Verbs whose object is itself a claim act: "accused the ministry", "denied the report".
CLAIM_ACT_VERBS = frozenset(
    "accuse allege deny dispute criticise criticize condemn blame praise dismiss reject defend welcome".split()
)
# Nouns of a statement made by a source: "in a statement", "in an interview".
STATEMENT_NOUNS = frozenset("statement interview letter tweet post briefing speech address remarks blog email message".split())
# Verbs of saying that can frame a quotation with no clause of their own ("he tweeted:").
SPEECH_VERBS = frozenset("say tell add write state tweet post announce declare explain comment reply respond".split())
# Predicates of opinion and fear: a future under them is the speaker's forecast, not a pledge.
FORECAST_FRAMES = frozenset(
    """
    believe think feel consider suspect fear worry hope doubt expect predict forecast estimate
    anticipate speculate guess concern concerned worried afraid confident sure certain optimistic
    pessimistic likely convinced
    """.split()
)
# Determiners that make a subject generic rather than a party: "many schools will...".
GENERIC_DETERMINERS = frozenset("many some most few several all any no every each".split())
# Words that intensify a judgement ("very emotional", "extremely dangerous").
INTENSIFIERS = frozenset("very extremely so too really incredibly highly deeply truly utterly absolutely most".split())
# Verbs of forecasting and of likelihood: the future they govern is a prediction.
FORECAST_VERBS = frozenset("expect predict forecast anticipate project estimate foresee".split())
FORECAST_ADJECTIVES = frozenset("likely unlikely expected possible probable certain sure poised bound".split())
HEDGE_ADVERBS = frozenset(
    "perhaps maybe possibly probably likely reportedly allegedly apparently presumably potentially supposedly seemingly".split()
)
HEDGE_MODALS = frozenset("may might could can".split())
DEONTIC_MODALS = frozenset("should must ought".split())
FUTURE_MODALS = frozenset("will shall 'll wo".split())
# Passive participles and adjectives of timetables nobody pledges ("set for Tuesday", "due to open").
SCHEDULE_WORDS = frozenset("scheduled due slated set timetabled expected planned".split())
# Verbs of events that happen on a timetable rather than by someone's decision.
SCHEDULE_VERBS = frozenset(
    "begin start open close end finish run take hold last continue resume conclude expire air premiere".split()
)
# Verbs whose subject does not choose to do them: with "will" they forecast, not pledge. By
# verb class: being and becoming, appearing and happening, inchoative change of amount or state
# ("prices rise"), perception and emotion, outcomes and fates, and the cost or effect of a thing.
NON_AGENTIVE_VERBS = frozenset(
    """
    be have become remain stay seem appear emerge arise exist happen occur
    rise fall increase decrease grow shrink drop decline climb soar surge plunge slump dip
    double triple halve reach exceed top total range vary fluctuate peak recover rebound
    see hear feel know learn notice realise realize remember forget understand like love hate
    fear suffer experience face endure undergo lack deserve need require
    die lose win get succeed fail survive collapse crash sink burn freeze melt flood
    cost mean affect depend include involve last hit result lead cause change improve worsen
    come go pass expire lapse mature
    """.split()
)
# Of those, changes and fates that a forecast predicts ("prices will rise", "the plan will fail").
CHANGE_VERBS = frozenset(
    """
    rise fall increase decrease grow shrink drop decline climb soar surge plunge slump dip double
    triple halve improve worsen recover rebound collapse fail succeed suffer lose win happen occur
    change die survive crash sink burn flood peak fluctuate vary deteriorate get
    """.split()
)
# Verbs whose subject receives what someone else gives: "every family will receive 500
# euros" reports that some party will give it, like the passive "will be given".
RECIPIENT_VERBS = frozenset("receive obtain".split())
# Verbs of a thing's own course (it begins, runs, stops): said by the party that runs it, a
# future of these is that party's decision; said by no one, a timetable.
ASPECTUAL_VERBS = frozenset(
    "begin start open reopen close shut continue resume end finish run operate stop cease launch return".split()
)
# Verbs of effect: a thing that "will create jobs", "would boost trade" or "will help
# families" is forecast to have an outcome, whoever says so.
OUTCOME_VERBS = frozenset(
    """
    create generate produce bring boost cut reduce raise lower save help benefit hurt harm damage
    threaten allow enable make give add attract draw encourage discourage prevent stop protect
    make take put keep ensure guarantee transform revolutionise revolutionize replace
    """.split()
)
# Passives of routine procedure: an event is held, a result announced, a case heard on a
# date. "Will be held on Tuesday" is a schedule, not a pledge.
PROCEDURE_PASSIVES = frozenset(
    """
    hold play stage host schedule set expect announce decide determine know reveal elect vote
    debate discuss hear try sentence judge award name televise broadcast
    """.split()
)
# Passives of judgement: "will be remembered as", "will be seen as" predict an opinion.
JUDGEMENT_PASSIVES = frozenset("see view remember call label describe regard treat consider judge hail".split())
# Nouns of events that take place on a timetable: whatever they "will" do is a schedule.
EVENT_NOUNS = frozenset(
    """
    meeting hearing match game election vote trial ceremony festival concert summit talks
    conference race tournament season event session debate funeral celebration parade
    exhibition show competition final round referendum inquest inquiry poll launch visit
    tour fair congress convention premiere screening auction
    """.split()
)
# Sources whose futures are predictions: what an analyst says will happen is a forecast.
FORECASTER_NOUNS = frozenset(
    """
    analyst analysts economist economists expert experts scientist scientists forecaster
    forecasters observer observers researcher researchers study studies report poll survey
    model models projection projections critic critics commentator commentators
    meteorologist meteorologists strategist strategists trader traders market markets
    investor investors pundit pundits academic academics
    """.split()
)
# Words that place a progressive ("is travelling") or a plan in the future.
FUTURE_TIME_WORDS = frozenset("tomorrow next coming upcoming later soon".split())
PAST_TIME_WORDS = frozenset("yesterday last ago earlier previous recently".split())
# Common nouns for parties that can bind themselves.
AGENT_NOUNS = frozenset(
    """
    government ministry minister department agency authority authorities council committee
    board company firm corporation business bank party union parliament congress senate
    assembly administration president premier chancellor mayor governor official officials
    spokesman spokeswoman spokesperson leader leaders side sides delegation delegations
    country countries nation nations state states city municipality police army military
    force forces court team club group organisation organization charity university school
    college hospital regulator commission cabinet coalition alliance partner partners owner
    operator developer manufacturer employer management executive director chief head
    campaign campaigners activists rebels bloc member members administration office
    airline carrier retailer insurer lender bank broker investor investors shareholder
    shareholders supplier manufacturer producer publisher broadcaster network studio
    landlord tenant employer employee employees workers staff union unions federation
    association league church diocese ministry prosecutor prosecutors judge lawyer lawyers
    regulator watchdog inspector inspectors agency trust foundation fund institute
    organiser organisers organizer organizers sponsor sponsors host hosts festival museum
    province region county district town village council ministers minister secretary
    spokesperson prime emperor king queen prince chairman chairwoman chair ceo founder
    """.split()
)
AGENT_ENTITY_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# Adjectives and adverbs of judgement: a sentence built on one is an opinion.
EVALUATIVE_WORDS = frozenset(
    """
    good bad better worse best worst great terrible awful excellent wonderful important crucial
    vital essential significant serious unacceptable acceptable outrageous shameful disgraceful
    absurd ridiculous wrong right unfair fair unjust just dangerous reckless irresponsible
    disappointing disappointed encouraging pleased happy proud sad unfortunate fortunate
    welcome remarkable impressive appalling shocking tragic devastating historic
    unprecedented controversial inappropriate appropriate necessary unnecessary clear obvious
    surprising regrettable deplorable hopeful optimistic pessimistic concerned grateful
    successful failed ineffective effective misleading false baseless unfounded
    """.split()
)
# Nouns that name an act of asserting ("the allegations", "his claim", "critics").
# Nouns of judgement that make a sentence an opinion as a predicate ("It is a disgrace that...").
EVALUATIVE_NOUNS = frozenset(
    "disgrace shame mistake scandal tragedy travesty outrage failure success triumph betrayal insult farce disaster".split()
)
CLAIM_NOUNS = frozenset(
    """
    allegation allegations accusation claim claims criticism critics statement opinion view
    belief argument denial warning concern concerns fear fears rumour rumor speculation
    """.split()
)
FIRST_PERSON = frozenset("i we me us my our mine ours myself ourselves".split())
SECOND_PERSON = frozenset("you your yours yourself yourselves".split())
NON_AGENT_PRONOUNS = frozenset("it this that there these those which what".split())
