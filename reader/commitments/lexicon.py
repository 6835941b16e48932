"""Word lists the rules rely on: general English, lower-case word forms.

The app's pipeline runs without a lemmatizer, so verbs are listed with their inflections.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs by which a party binds itself to a future action ("agreed to", "pledged that ...").
COMMIT_VERBS = words("""
    agree agrees agreed agreeing  pledge pledges pledged pledging
    promise promises promised promising  vow vows vowed vowing
    commit commits committed committing  decide decides decided deciding
    resolve resolves resolved resolving  undertake undertakes undertook undertaken undertaking
    plan plans planned planning  intend intends intended intending
    aim aims aimed aiming  swear swears swore sworn swearing
    guarantee guarantees guaranteed guaranteeing  offer offers offered offering
    propose proposes proposed proposing  seek seeks sought seeking
    prepare prepares prepared preparing  threaten threatens threatened threatening
    volunteer volunteers volunteered volunteering  opt opts opted opting
    choose chooses chose chosen choosing  elect elects elected electing
    expect expects expected expecting  hope hopes hoped hoping
    want wants wanted wanting  mean means meant meaning
    vote votes voted voting  schedule schedules scheduled  slate slated
""")
# Refusals: the verb itself belongs in the action ("refused to pay the fine").
REFUSAL_VERBS = words("refuse refuses refused refusing decline declines declined declining")
# Weak commitment verbs: they count only when their subject is also the doer (an infinitive
# with no object of its own: "expects to hire", not "expects prices to rise").
WEAK_COMMIT_VERBS = words("""
    expect expects expected expecting hope hopes hoped hoping want wants wanted wanting
    mean means meant meaning seek seeks sought seeking prepare prepares prepared preparing
    offer offers offered offering choose chooses chose chosen choosing elect elects elected electing
""")
# Verbs whose "to" / "on" phrase is the commitment: "agreed to a ceasefire", "decided on a plan".
PREP_COMPLEMENT_VERBS = words("""
    agree agrees agreed agreeing commit commits committed committing decide decides decided deciding
    resolve resolves resolved resolving settle settles settled settling pledge pledges pledged pledging
""")
# Verbs whose object is what they put forward, so the verb is part of the action
# ("proposing new bus routes"); after "promised" / "agreed" the object alone is the action.
PROPOSAL_VERBS = words("""
    propose proposes proposed proposing offer offers offered offering seek seeks sought seeking
    guarantee guarantees guaranteed guaranteeing
""")
# Subordinators of clauses that give a reason, a concession or a condition: a commitment
# reported inside one with its own subject belongs to someone else ("because they wanted to").
ASIDE_SUBORDINATORS = words("because since as although though while whilst whereas if unless")
# Nouns that, as the predicate of "make X a ...", turn X into a commitment.
PRIORITY_NOUNS = words("priority priorities goal goals aim aims mission target targets focus")
# Passives whose infinitive the subject will carry out: "Leeds was chosen to host the games".
CONTROL_PASSIVES = words("""
    chosen selected picked named appointed tapped designated commissioned hired contracted
    mandated tasked charged authorised authorized
""")
# Adjectives after "be" that commit the subject: "is determined to", "are committed to".
COMMIT_ADJECTIVES = words("determined committed ready willing set poised prepared keen resolved due scheduled slated")
# Verbs whose complement is announced as the party's own plan: "announced (that) it would ...".
ANNOUNCE_VERBS = words("""
    announce announces announced announcing  unveil unveils unveiled unveiling
    confirm confirms confirmed confirming
""")
# Nouns that name a commitment; their infinitive is the action ("a plan to cut fares").
COMMIT_NOUNS = words("""
    plan plans pledge pledges promise promises commitment commitments effort efforts
    intention intentions decision decisions vow vows bid bids proposal proposals
    undertaking undertakings agreement agreements deal deals push drive campaign move
    goal goals aim aims target targets strategy programme program scheme initiative
    offer offers determination resolve guarantee guarantees
""")
# Verbs of saying and reporting: their subject is the source, their clause the content.
SPEECH_VERBS = words("""
    say says said saying  tell tells told telling  state states stated stating
    announce announces announced announcing  add adds added adding
    confirm confirms confirmed confirming  report reports reported reporting
    write writes wrote written writing  claim claims claimed claiming
    insist insists insisted insisting  explain explains explained explaining
    note notes noted noting  declare declares declared declaring
    assure assures assured assuring  indicate indicates indicated indicating
    signal signals signalled signaled signalling signaling
    reveal reveals revealed revealing  disclose discloses disclosed disclosing
    suggest suggests suggested suggesting  argue argues argued arguing
    warn warns warned warning  reply replies replied replying  respond responds responded
    continue continues continued  stress stresses stressed  emphasise emphasised emphasize emphasized
    tweet tweets tweeted  post posts posted  believe believes believed  think thinks thought
    promise promises promised  pledge pledges pledged  vow vows vowed
""")

# Future markers.
FUTURE_MODALS = words("will shall 'll wo would ’ll")
CONDITIONAL_MODALS = words("would")

# Common nouns that name a party that can commit (heads of actor noun phrases).
AGENT_NOUNS = words("""
    government governments ministry ministries minister ministers department departments
    official officials officer officers authority authorities agency agencies council councils
    board boards committee committees commission commissions parliament congress senate
    administration administrations cabinet court courts police army military navy force forces
    company companies firm firms corporation corporations business businesses group groups
    organisation organisations organization organizations association associations union unions
    party parties side sides country countries nation nations state states city cities town towns
    province provinces region regions county counties municipality municipalities
    delegation delegations team teams club clubs league school schools university universities
    bank banks hospital hospitals charity charities church churches museum museums airline airlines
    operator operators network networks body bodies institution institutions office offices
    president presidents premier premiers mayor mayors governor governors chief chiefs
    leader leaders spokesperson spokesman spokeswoman spokespeople director directors
    secretary secretaries chair chairman chairwoman chairs executive executives manager managers
    owner owners employer employers worker workers staff member members people residents
    partner partners ally allies coalition coalitions alliance regulator regulators
    prosecutor prosecutors lawmaker lawmakers legislator legislators politician politicians
    candidate candidates campaigners activists activist family families parent parents
    father mother son daughter brother sister wife husband man woman men women
    group organisers organizers developer developers retailer retailers supplier suppliers
    insurer insurers manufacturer manufacturers producer producers publisher publishers
    site sites platform platforms service services provider providers foundation foundations
    federation federations ministry junta regime kingdom republic embassy embassies
    negotiator negotiators envoy envoys diplomat diplomats adviser advisers advisor advisors
    trust trusts fund funds bureau bureaus institute institutes academy academies consortium
    cooperative cooperatives assembly assemblies tribunal tribunals panel panels forum
    secretariat directorate inspectorate watchdog watchdogs treasury utility utilities carrier
    carriers broadcaster broadcasters studio studios chain chains volunteers voters crew crews
    rebel rebels militant militants insurgent insurgents troops soldier soldiers fighters
    protester protesters protestor protestors demonstrators militia militias guerrillas
    citizen citizens student students farmer farmers police policeman policemen
    authorities opposition tories democrats republicans
    faction factions tribe tribes clan clans community communities
    scientists researchers engineers doctors nurses teachers players athletes fans
    organisers organizers sponsors donors investors shareholders creditors lenders buyers
    bidder bidders hosts host judge judges jury mp mps senator senators
    congressman congresswoman congressmen councillor councillors councilor councilors
    king queen prince princess pope bishop bishops clergy monarch emperor
    astronauts astronaut cosmonauts crew pilots pilot experts lawyers firefighters rescuers
    paramedics inspectors investigators detectives staffers
    zoo zoos library libraries college colleges clinic clinics orchestra choir band bands
    theatre theater troupe newspaper newspapers magazine channel channels
""")
# Common nouns for things, events, places, documents and measures: a subject that cannot commit
# ("The festival will return", "The new bridge will open", "The report will be published").
THING_NOUNS = words("""
    festival festivals event events match matches game games race races tournament election elections
    vote referendum ceremony concert show exhibition fair conference summit meeting meetings talks
    season series tour launch
    bridge bridges road roads railway line lines tunnel station stations airport port stadium
    terminal terminals hub centre center facility facilities mine mines well wells reactor
    building buildings tower plant factory site project projects scheme pipeline dam canal route
    system network service services programme program product products model models device car cars
    train trains bus buses plane planes ship ships rocket probe satellite shuttle mission vehicle
    law laws bill bills rule rules policy policies plan plans deal deals agreement treaty report
    reports study survey inquiry review budget tax taxes fee fees price prices rate rates ban
    change changes move decision work works construction repairs cost costs money funding fund
    number numbers figure figures supply water power electricity weather storm virus disease
    application applications claim claims case cases list data record records book film album
    story website app page version update feature features edition issue process scheme reform
    increase cut cuts rise fall growth output production sales market markets economy
""")
# Agent-noun endings: worker, director, scientist, politician, resident, participant.
AGENT_SUFFIXES = ("er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "ent", "ents", "ant", "ants")
# Nouns with those endings that are not parties.
NOT_AGENT = words("""
    number numbers order orders border borders water paper papers letter letters
    matter matters centre center power cover quarter quarters summer winter
    amount amounts statement statements agreement agreements payment payments
    event events element elements moment moments comment comments content incident incidents
    percent point points filter filters chapter chapters register layer layers
""")
# Words for a company, which news text varies for style ("the company" ... "the firm").
COMPANY_NOUNS = words("""
    company firm business corporation group carmaker automaker manufacturer maker operator
    airline bank lender retailer insurer supplier producer developer conglomerate
""")
# Nouns for a place: "the city" is a place named before.
PLACE_NOUNS = words("city town village country nation state province region county capital municipality")
# Common nouns for a single person: what "he" or "she" can stand for.
PERSON_NOUNS = words("""
    minister president premier mayor governor chief leader spokesperson spokesman spokeswoman
    director secretary chair chairman chairwoman executive manager owner official officer
    adviser advisor negotiator envoy diplomat prosecutor lawmaker legislator politician
    candidate activist campaigner councillor councilor senator judge ambassador founder head
    coach player teacher doctor nurse scientist researcher professor student resident worker
    member father mother son daughter brother sister wife husband man woman boy girl
    undersecretary commissioner superintendent chancellor king queen prince princess
    cleric bishop priest pope ceo chef author writer editor reporter lawyer attorney
""")

# Entity labels that can name a party; a name with any other label (a product, an event, a
# law, a work) cannot commit.
AGENT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
QUANTIFIERS = words("each all both some none many most several either neither one two three four five")

PERSONAL_PRONOUNS = words("i we he she they it you")
# Determiners that make a noun phrase generic, pointing back to a party named earlier.
GENERIC_DETERMINERS = words("the both each this these that those either neither all")

# Head nouns of temporal noun phrases ("the end of the year", "that date", "next week").
TEMPORAL_NOUNS = words("""
    day days week weeks weekend weekends month months year years decade decades century
    hour hours minute minutes morning mornings afternoon evening evenings night nights
    tonight today tomorrow date dates deadline deadlines end start beginning middle
    time quarter quarters season seasons spring summer autumn fall winter term period
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec midnight noon
""")
MONTHS_AND_DAYS = words("""
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
""")
# Adverbs that time an action by themselves.
TEMPORAL_ADVERBS = words("""
    today tomorrow tonight soon shortly immediately later eventually annually yearly
    monthly weekly daily nightly hourly afterwards afterward thereafter imminently
""")
# Prepositions that open a time expression when their object is temporal.
TIME_PREPOSITIONS = words("""
    by before until till within in on at after during from over through throughout
    around about ahead starting beginning from for following prior upon
""")
# Prepositions that make any event a time: "after the election", "ahead of the summit".
EVENT_PREPOSITIONS = words("before after until till during following pending ahead prior upon")
# Nouns that turn any event into a time: "at the conclusion of the hearings", "in the wake of
# the fire", "on completion of the works", "by the end of the talks".
EVENT_TIME_NOUNS = words("""
    conclusion end close start beginning outset completion wake aftermath eve run-up runup
    height onset resumption expiry expiration opening launch conclusion finish lead-up leadup
    middle midst course
""")
# Words that point a time forward: on a past promise ("agreed last week to meet next month")
# they still time the action, wherever the parser hung them.
FUTURE_WORDS = words("next coming tomorrow later upcoming soon forthcoming")
DEADLINE_PREPOSITIONS = words("by within until till before")
# Words that put a time in the past: it cannot be when a promised action happens.
PAST_WORDS = words("last past ago previous previously yesterday earlier recent recently former")
# Subordinators that open a time clause ("until the outbreak is over").
TIME_SUBORDINATORS = words("until till before after once when whenever")
# Words that may stand in a time expression before its temporal head ("next", "early").
TEMPORAL_MODIFIERS = words("""
    the this that next last coming following same early earlier late later mid every each
    a an end start beginning middle first second third fourth few several
    of couple within by before until till in on at after during from over
""")
