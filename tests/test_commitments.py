"""Commitment extraction (reader.commitments) with the real spaCy model.

The sample articles are the project's own; every other sentence here was written for these
tests. The GUM check at the end runs only when ../shared is present.

The sentence cases are data: `data/commitment_cases.jsonl`, one case a line, each its own test
(`test_sentence_case[<id>]`), so that one failure hides no other. A case is either
    {"sentence": ..., "context": ... (optional), "day": "YYYY-MM-DD" or null (optional, default
     2026-02-08)}: extract from the sentence after its context, on that day; or
    {"article": "sample:<file in sample_articles>" or "story:<name in data/commitment_stories>",
     "find": words of one sentence}: extract from that sentence of the article, as the app does;
with "expect": {field: value} (null: the field must be empty), "checks": [[field, "contains" |
"lacks" | "startswith" | "is not", value]], "article_date" (the date the article speaks from)
and "why" (what the case is about). The ids are the name of the test the case came from and
its number there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from reader.commitments import Commitment, article_date, extract, extract_article, parse_article, resolve_when

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_articles"
SHARED = ROOT.parent / "shared"


class Article:
    """An article parsed the way the app parses it, with lookup of a sentence by its words."""

    def __init__(self, nlp, text: str, published: str | None = None):
        self.text = text
        self.sentences = parse_article(nlp, text)
        self.spans = [span for _, _, span in self.sentences]
        self.date = article_date(text, published)

    def commitment(self, words: str) -> Commitment:
        found = [k for k, span in enumerate(self.spans) if words in span.text]
        assert len(found) == 1, f"{words!r} is in {len(found)} sentences"
        k = found[0]
        return extract(self.spans[k], self.spans[:k], self.date)


def sample(nlp, name: str) -> Article:
    return Article(nlp, (SAMPLES / name).read_text(encoding="utf-8"))


def parse_one(nlp, sentence: str, context: str = "", day: dt.date | None = dt.date(2026, 2, 8)) -> Commitment:
    """Extract from the last sentence of `context + sentence`, dated `day`."""
    text = f"{context} {sentence}".strip()
    spans = [span for _, _, span in parse_article(nlp, text)]
    return extract(spans[-1], spans[:-1], day)


# ----------------------------------------------------------------------------------------------
# The sentence cases (data/commitment_cases.jsonl)
# ----------------------------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"
CASES = [json.loads(line) for line in (DATA / "commitment_cases.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
CHECKS = {
    "contains": lambda got, want: got is not None and want in got,
    "lacks": lambda got, want: got is not None and want not in got,
    "startswith": lambda got, want: got is not None and got.startswith(want),
    "is not": lambda got, want: got is not want,
}


@pytest.fixture(scope="module")
def articles(nlp):
    """Articles by case name ("sample:<file>", "story:<name>"), each parsed once."""
    parsed: dict[str, Article] = {}

    def get(name: str) -> Article:
        if name not in parsed:
            kind, _, which = name.partition(":")
            path = SAMPLES / which if kind == "sample" else DATA / "commitment_stories" / f"{which}.txt"
            parsed[name] = Article(nlp, path.read_text(encoding="utf-8"))
        return parsed[name]

    return get


def test_the_cases_are_well_formed():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)) and len(CASES) >= 171
    for case in CASES:
        assert ("sentence" in case) != ("article" in case), case["id"]
        assert case.get("expect") or case.get("checks") or "article_date" in case, f"{case['id']} checks nothing"
        assert {op for _, op, _ in case.get("checks", [])} <= set(CHECKS), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_sentence_case(case, nlp, articles):
    if "article" in case:
        art = articles(case["article"])
        if "article_date" in case:
            assert art.date == dt.date.fromisoformat(case["article_date"])
        if "find" not in case:
            return
        c = art.commitment(case["find"])
    else:
        day = case.get("day", "2026-02-08")
        c = parse_one(nlp, case["sentence"], context=case.get("context", ""), day=day and dt.date.fromisoformat(day))
    want = case.get("expect", {})
    assert {field: getattr(c, field) for field in want} == want, case.get("why", "")
    for field, op, value in case.get("checks", []):
        assert CHECKS[op](getattr(c, field), value), f"{field} {op} {value!r}: got {getattr(c, field)!r}. {case.get('why', '')}"


# ----------------------------------------------------------------------------------------------
# The India-Canada sample: entities of the actor
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def india(nlp):
    return sample(nlp, "india-canada-security-talks.txt")


def test_carney_intends_to_travel_in_march_2026(india):
    c = india.commitment("intends to travel")
    assert c.actor == "Carney"
    assert "stands for the noun before it" in c.actor_note
    assert c.action == "travel to India"
    assert c.when == "in March 2026"
    assert c.when_iso == "2026-03-01/2026-03-31"
    assert [e[0] for e in c.actor_entities] == ["Carney"]


def test_actor_entities_are_offsets_into_the_sentence(india):
    k = next(i for i, s in enumerate(india.spans) if s.text.startswith("India and Canada have settled"))
    c = extract(india.spans[k], india.spans[:k], india.date)
    assert c.actor == "India and Canada"
    assert [(e[0], e[1]) for e in c.actor_entities] == [("India", "GPE"), ("Canada", "GPE")]
    for text, _label, start, end in c.actor_entities:
        assert india.spans[k].text[start:end] == text


# ----------------------------------------------------------------------------------------------
# The other samples: resolution, deadlines and refusals in running text
# ----------------------------------------------------------------------------------------------

def test_brennmoor_deadline_and_not_the_day_of_the_pledge(nlp):
    art = sample(nlp, "brennmoor-measles-campaign.txt")
    assert art.date == dt.date(2025, 11, 3)
    c = art.commitment("pledged on Monday")
    assert c.actor == "The Northern Valleys Health Board"
    assert c.actor_entities and c.actor_entities[0][1] == "ORG"
    # "on Monday" dates the pledge, not the vaccinations
    assert c.when == "by the end of January"
    assert c.when_iso == "2025-11-03/2026-01-31"
    assert c.action.startswith("offer free measles vaccinations") and "Monday" not in c.action


# ----------------------------------------------------------------------------------------------
# A scored set of hand-written news sentences (our own words; each expected answer written before
# the extractor was run on it), in the style of the gold: actor as written, the nearest name in
# the sentence for a pronoun; action without the marker of the future, the attribution, the time
# and a purpose; when as written. The first 50 were written to develop the rules, the next 60 and
# then 20 more to check them (each batch scored before any rule it led to), then kept: their
# token F1, averaged as the GUM scorer does, must not fall back.
# ----------------------------------------------------------------------------------------------

OWN_SENTENCES = [
    ('', "The province's health minister promised on Thursday to hire 400 nurses by the end of next year.",
     "The province's health minister", 'hire 400 nurses', 'by the end of next year'),
    ('', 'Harland Rail said it would restore the night trains in time for the summer season.',
     'Harland Rail', 'restore the night trains', 'in time for the summer season'),
    ('', 'The two clubs agreed to play the postponed match behind closed doors on 14 April.',
     'The two clubs', 'play the postponed match behind closed doors', 'on 14 April'),
    ('', 'Doctors at the clinic have refused to perform the procedure until the inquiry reports.',
     'Doctors at the clinic', 'refused to perform the procedure', 'until the inquiry reports'),
    ('', '"We will reopen the library as soon as the roof is safe," the town clerk said.',
     'the town clerk', 'reopen the library', 'as soon as the roof is safe'),
    ('', "The festival's organisers plan to move the event to a larger park next summer.",
     "The festival's organisers", 'move the event to a larger park', 'next summer'),
    ('', 'In a letter to staff, the chief executive pledged that no branch would close this year.',
     'the chief executive', 'no branch would close', 'this year'),
    ('', "The teachers' union, which represents 30,000 staff, has vowed to strike every Monday in March.",
     "The teachers' union", 'strike', 'every Monday in March'),
    ('', "Mayor Ellen Park, who took office in January, said she would publish the city's contracts online.",
     'Mayor Ellen Park', "publish the city's contracts online", None),
    ('', 'The bank will cut its lending rate from next month, a spokesman confirmed.',
     'The bank', 'cut its lending rate', 'from next month'),
    ('', 'Kestrel Airways is to resume flights to the island after the volcano calms down.',
     'Kestrel Airways', 'resume flights to the island', 'after the volcano calms down'),
    ('', 'The regulator has given the company 30 days to fix the fault and said it would fine the firm if it failed.',
     'The regulator', 'fine the firm', None),
    ('', 'Officials said the road would reopen following a safety inspection on Monday.',
     'Officials', 'the road would reopen', 'following a safety inspection on Monday'),
    ('', 'The board announced plans to sell the stadium to a housing developer.',
     'The board', 'sell the stadium to a housing developer', None),
    ('', 'Nordvik and Estmark signed a pact under which each will share weather data daily.',
     'each', 'share weather data', 'daily'),
    ('', 'The ministry will review the exam results at the conclusion of the appeals process.',
     'The ministry', 'review the exam results', 'at the conclusion of the appeals process'),
    ('', 'Police promised to release the footage within 24 hours of the hearing.',
     'Police', 'release the footage', 'within 24 hours of the hearing'),
    ('', 'The retailer has committed to paying all its workers a living wage by 2028.',
     'The retailer', 'paying all its workers a living wage', 'by 2028'),
    ('', "The prime minister's plan to raise the pension age has been delayed.",
     'The prime minister', 'raise the pension age', None),
    ('', 'The charity said that it intends to open two more shelters before winter.',
     'The charity', 'open two more shelters', 'before winter'),
    ('The Ostra Water Company was fined last week.', 'It has promised to replace the old pipes in the village.',
     'It', 'replace the old pipes in the village', None),
    ('', 'Both parties have agreed to a televised debate on 2 May.',
     'Both parties', 'a televised debate', 'on 2 May'),
    ('', 'The mining company, Tellus Resources, agreed to clean up the river at its own expense.',
     'The mining company, Tellus Resources', 'clean up the river at its own expense', None),
    ('', 'The government will hold a public consultation on the plans, the environment secretary announced on Wednesday.',
     'The government', 'hold a public consultation on the plans', None),
    ('', 'Residents were told the water supply would be restored by Sunday evening.',
     None, 'the water supply would be restored', 'by Sunday evening'),
    ('', 'The coach said his team would not travel to the tournament unless the players were paid.',
     'his team', 'not travel to the tournament', None),
    ('', 'The university will offer free tuition to refugees starting in September.',
     'The university', 'offer free tuition to refugees', 'starting in September'),
    ('', 'Fenwick Motors said on Tuesday it would recall 12,000 vans to replace faulty brakes.',
     'Fenwick Motors', 'recall 12,000 vans', None),
    ('', 'The council has decided to close the bridge to cars for three months while it is repaired.',
     'The council', 'close the bridge to cars', 'while it is repaired'),
    ('', 'The senator vowed never to vote for a tax rise.',
     'The senator', 'never vote for a tax rise', None),
    ('', "The airline's owners have pledged to invest $200 million in new aircraft over the next five years.",
     "The airline's owners", 'invest $200 million in new aircraft', 'over the next five years'),
    ('', 'Under the ceasefire, the rebels will withdraw from the town within a week.',
     'the rebels', 'withdraw from the town', 'within a week'),
    ('', 'The committee is expected to publish its report in the autumn.',
     None, 'publish its report', 'in the autumn'),
    ('', 'The league said every club would be tested weekly for the rest of the season.',
     'The league', 'every club would be tested weekly', 'for the rest of the season'),
    ('', 'The foundation, led by former judge Ruth Alder, will fund scholarships for 50 students each year.',
     'The foundation', 'fund scholarships for 50 students', 'each year'),
    ('', 'The new owners promised fans that the club would stay in the city.',
     'The new owners', 'the club would stay in the city', None),
    ('', 'The government of Velmar and the rebel alliance agreed to exchange prisoners at the end of the month.',
     'The government of Velmar and the rebel alliance', 'exchange prisoners', 'at the end of the month'),
    ('', 'A spokeswoman for the hospital said it would investigate the complaint.',
     'the hospital', 'investigate the complaint', None),
    ('', 'The museum will return the mask to its country of origin, its director said.',
     'The museum', 'return the mask to its country of origin', None),
    ('', 'After weeks of talks, the union agreed to suspend the strike.',
     'the union', 'suspend the strike', None),
    ('', "Grayson, the team's captain, said he will retire at the end of the season.",
     'Grayson', 'retire', 'at the end of the season'),
    ('', 'The company will build the plant in two phases, with the first expected to open in 2029.',
     'The company', 'build the plant in two phases', None),
    ('', 'The city plans to plant 10,000 trees, with the first to go in on Arbor Day next April.',
     'The city', 'plant 10,000 trees', 'on Arbor Day next April'),
    ('', 'Ministers have promised to answer the petition before parliament rises for the summer.',
     'Ministers', 'answer the petition', 'before parliament rises for the summer'),
    ('', 'The school said it would not reopen until the heating was fixed.',
     'The school', 'not reopen', 'until the heating was fixed'),
    ('', 'The federation will announce the host city after a vote of its members in June.',
     'The federation', 'announce the host city', 'after a vote of its members in June'),
    ('', 'Local leaders have pledged to rebuild the market upon the end of the rainy season.',
     'Local leaders', 'rebuild the market', 'upon the end of the rainy season'),
    ('', 'The agency announced that it will launch the probe in late 2027.',
     'The agency', 'launch the probe', 'in late 2027'),
    ('', 'Tomorrow the president will sign the bill into law.',
     'the president', 'sign the bill into law', 'Tomorrow'),
    ('', 'The ferry operator has agreed to run an extra service on weekends.',
     'The ferry operator', 'run an extra service', 'on weekends'),
    ('', 'Officials at the Department of Transport said on Friday that the new timetable would take effect on 1 June.',
     'Officials at the Department of Transport', 'the new timetable would take effect', 'on 1 June'),
    ('', 'The opposition leader, Marta Quill, vowed to repeal the law if her party wins the next election.',
     'The opposition leader, Marta Quill', 'repeal the law', None),
    ('', 'Veranta Pharmaceuticals has agreed to pay $40 million to settle the lawsuit, the company announced.',
     'Veranta Pharmaceuticals', 'pay $40 million', None),
    ('', '"We are going to get to the bottom of this," Police Chief Dana Morrow told a news conference.',
     'Police Chief Dana Morrow', 'get to the bottom of this', None),
    ('', 'The space agency intends to send a second rover to the crater in 2031.',
     'The space agency', 'send a second rover to the crater', 'in 2031'),
    ('', 'Lawmakers from both parties promised to pass a budget before the government runs out of money.',
     'Lawmakers from both parties', 'pass a budget', 'before the government runs out of money'),
    ('', 'The zoo will release the two eagles back into the wild once they have recovered.',
     'The zoo', 'release the two eagles back into the wild', 'once they have recovered'),
    ('', "North Brenland's government has pledged to dismantle its missile sites under a deal reached in Vienna.",
     "North Brenland's government", 'dismantle its missile sites', None),
    ('', 'The airline announced it will stop flying to the city at the end of October.',
     'The airline', 'stop flying to the city', 'at the end of October'),
    ('', 'In response, the council decided to suspend parking charges for the rest of the month.',
     'the council', 'suspend parking charges', 'for the rest of the month'),
    ('', 'The two leaders agreed to meet again following the release of the report.',
     'The two leaders', 'meet again', 'following the release of the report'),
    ('', 'A spokesperson for the festival said organisers would refund all tickets within 14 days.',
     'organisers', 'refund all tickets', 'within 14 days'),
    ('', 'The church will hold a memorial service for the victims on Sunday afternoon.',
     'The church', 'hold a memorial service for the victims', 'on Sunday afternoon'),
    ('', 'The committee chair, who has led the inquiry since 2019, promised a final report by the spring.',
     'The committee chair', 'a final report', 'by the spring'),
    ('', 'Solar firm Brightwave plans to build three factories in the region over the next decade.',
     'Solar firm Brightwave', 'build three factories in the region', 'over the next decade'),
    ('', 'The ministers have committed to meeting every six months to review progress.',
     'The ministers', 'meeting', 'every six months'),
    ('', 'Police said they would step up patrols in the area during the holiday weekend.',
     'Police', 'step up patrols in the area', 'during the holiday weekend'),
    ('', 'The broadcaster has refused to apologise for the documentary.',
     'The broadcaster', 'refused to apologise for the documentary', None),
    ('', "The developer's proposal to build 500 homes on the site will go before the planning board next week.",
     None, "The developer's proposal to build 500 homes on the site will go before the planning board", 'next week'),
    ('', 'Under the new rules, every restaurant will have to display calorie counts from January.',
     None, 'every restaurant will have to display calorie counts', 'from January'),
    ('The Halden Institute published its annual survey on Monday.', 'It said it would repeat the survey every two years.',
     'It', 'repeat the survey', 'every two years'),
    ('', 'Both countries agreed to reopen the border crossing at the start of the harvest season.',
     'Both countries', 'reopen the border crossing', 'at the start of the harvest season'),
    ('', 'The coach confirmed that the striker will miss the next three matches.',
     'The coach', 'the striker will miss the next three matches', None),
    ('', 'Protest leaders said they would continue their sit-in until the minister resigns.',
     'Protest leaders', 'continue their sit-in', 'until the minister resigns'),
    ('', 'The company says it will double its workforce in the city by 2030, creating about 2,000 jobs.',
     'The company', 'double its workforce in the city', 'by 2030'),
    ('', 'The city of Marlow and the rail operator Trenta signed an agreement to electrify the line by 2029.',
     'The city of Marlow and the rail operator Trenta', 'electrify the line', 'by 2029'),
    ('', 'The president is due to address the nation on Wednesday evening.',
     'The president', 'address the nation', 'on Wednesday evening'),
    ('', 'Scientists at the observatory hope to photograph the comet when it passes the Sun in August.',
     'Scientists at the observatory', 'photograph the comet', 'when it passes the Sun in August'),
    ('', 'Fans were promised that the stadium would be ready for the opening game.',
     None, 'the stadium would be ready for the opening game', None),
    ('', 'The foreign minister told parliament that the embassy would remain closed until further notice.',
     'The foreign minister', 'the embassy would remain closed', 'until further notice'),
    ('', 'Speaking after the meeting, Finance Minister Olu Adeyemi said the government would publish the audit in full.',
     'the government', 'publish the audit in full', None),
    ('', 'The Korean Peninsula Energy Group, a consortium of five firms, has agreed to supply the fuel by the end of March.',
     'The Korean Peninsula Energy Group', 'supply the fuel', 'by the end of March'),
    ('', 'Carla Benz, the director of the opera house, said she intends to stage the production again next season.',
     'Carla Benz', 'stage the production again', 'next season'),
    ('', "The transport authority and the drivers' union agreed late on Sunday to resume negotiations on Wednesday.",
     "The transport authority and the drivers' union", 'resume negotiations', 'on Wednesday'),
    ('', '"We won\'t rest until every family has a roof over its head," said the housing minister.',
     'the housing minister', "n't rest", 'until every family has a roof over its head'),
    ('', 'Officials in Tarsen province have promised to rebuild the schools destroyed by the earthquake.',
     'Officials in Tarsen province', 'rebuild the schools destroyed by the earthquake', None),
    ('', "The company's board voted unanimously to accept the takeover offer.",
     "The company's board", 'accept the takeover offer', None),
    ('', 'Greenleaf, which runs 40 care homes, has pledged to raise staff pay in April.',
     'Greenleaf', 'raise staff pay', 'in April'),
    ('', 'The government, facing mounting criticism, announced it would set up an independent inquiry.',
     'The government', 'set up an independent inquiry', None),
    ('', 'Astronauts aboard the station will attempt a spacewalk on Tuesday to repair a solar panel.',
     'Astronauts aboard the station', 'attempt a spacewalk', 'on Tuesday'),
    ('', 'The hospital trust says it plans to recruit 200 nurses from overseas over the coming year.',
     'The hospital trust', 'recruit 200 nurses from overseas', 'over the coming year'),
    ('', 'Ostland and Varia have pledged to cooperate on border security, the two foreign ministers said in a joint statement.',
     'Ostland and Varia', 'cooperate on border security', None),
    ('', 'Activists say they will keep protesting outside the embassy until the journalist is freed.',
     'Activists', 'keep protesting outside the embassy', 'until the journalist is freed'),
    ('', 'The European Commission is to propose new rules on plastic packaging later this month.',
     'The European Commission', 'propose new rules on plastic packaging', 'later this month'),
    ('', 'The singer has promised fans a new album before the end of the year.',
     'The singer', 'a new album', 'before the end of the year'),
    ('', 'It was agreed that the two teams would share the trophy.',
     None, 'the two teams would share the trophy', None),
    ('', 'The United Nations has vowed to continue delivering aid despite the attacks.',
     'The United Nations', 'continue delivering aid', None),
    ('', 'Her lawyer said she would appeal the sentence.',
     'she', 'appeal the sentence', None),
    ('', "The theatre's owners intend to demolish the building and replace it with flats.",
     "The theatre's owners", 'demolish the building and replace it with flats', None),
    ('', 'At a rally in the capital, the candidate pledged to double the minimum wage within four years.',
     'the candidate', 'double the minimum wage', 'within four years'),
    ('', 'Each member state will contribute 2 per cent of its budget to the fund from 2027 onwards.',
     'Each member state', 'contribute 2 per cent of its budget to the fund', 'from 2027 onwards'),
    ('', 'The firm told investors it expects to complete the merger by the third quarter.',
     'The firm', 'complete the merger', 'by the third quarter'),
    ('', 'Both the prime minister and the opposition leader have said they will attend the funeral on Friday.',
     'Both the prime minister and the opposition leader', 'attend the funeral', 'on Friday'),
    ('', 'The agency, whose budget was cut last year, will close four regional offices in the spring.',
     'The agency', 'close four regional offices', 'in the spring'),
    ('', "The school's headteacher has offered to meet parents to discuss their concerns.",
     "The school's headteacher", 'meet parents', None),
    ('', 'Engineers are scheduled to inspect the dam next Thursday after heavy rain.',
     'Engineers', 'inspect the dam', 'next Thursday'),
    ('', 'The club said it would donate the proceeds of the match to the flood appeal.',
     'The club', 'donate the proceeds of the match to the flood appeal', None),
    ('', 'Following talks with the unions, the rail company has decided to postpone the timetable change until December.',
     'the rail company', 'postpone the timetable change', 'until December'),
    ('', 'Pelham and its partners will invest a further $300 million in the mine, the company said on Thursday.',
     'Pelham and its partners', 'invest a further $300 million in the mine', None),
    ('', 'The minister has ruled out raising taxes before the election.',
     'The minister', 'ruled out raising taxes', 'before the election'),
    ('', 'Dalvik Airlines to cut 2,000 jobs by next summer',
     'Dalvik Airlines', 'cut 2,000 jobs', 'by next summer'),
    ('', '"I will not seek a second term," the governor told a packed hall in the state capital on Friday.',
     'the governor', 'not seek a second term', None),
    ('', 'According to the ministry, the new hospital wing will open to patients in November.',
     'the ministry', 'the new hospital wing will open to patients', 'in November'),
    ('', 'Councillor Ruth Baines, who chairs the housing committee, has promised to publish the waiting list figures every quarter.',
     'Councillor Ruth Baines', 'publish the waiting list figures', 'every quarter'),
    ('', "The mayor's plan to close three fire stations was approved by the council on Tuesday.",
     'The mayor', 'close three fire stations', None),
    ('', 'Both the club and the league have agreed to cooperate with the investigation.',
     'Both the club and the league', 'cooperate with the investigation', None),
    ('', "A new stadium will be built on the site of the old gasworks, the city's planning chief announced.",
     "the city's planning chief", 'A new stadium will be built on the site of the old gasworks', None),
    ('', 'The rebels, who control much of the north, said they would observe the ceasefire for as long as the army did.',
     'The rebels', 'observe the ceasefire', 'for as long as the army did'),
    ('', 'The publisher said it will stop printing the magazine after the March issue.',
     'The publisher', 'stop printing the magazine', 'after the March issue'),
    ('', 'Officials say the vaccine will be offered to all adults over 50 starting next month.',
     'Officials', 'the vaccine will be offered to all adults over 50', 'starting next month'),
    ('', 'Following the crash, the operator has pledged to install new safety barriers along the line.',
     'the operator', 'install new safety barriers along the line', None),
    ('', 'Mining company Ardent Metals said it plans to reopen the Kolby mine once copper prices recover.',
     'Mining company Ardent Metals', 'reopen the Kolby mine', 'once copper prices recover'),
    ('', 'The new coalition has vowed to hold a referendum on the constitution within its first 100 days.',
     'The new coalition', 'hold a referendum on the constitution', 'within its first 100 days'),
    ('', "Doctors' leaders have threatened to walk out unless the pay offer is improved by the end of the week.",
     "Doctors' leaders", 'walk out', 'by the end of the week'),
    ('', 'The prince will visit the flood-hit villages on Thursday, the palace said in a statement.',
     'The prince', 'visit the flood-hit villages', 'on Thursday'),
    ('', 'Tech giant Lumora says it will make its software free for schools from September.',
     'Tech giant Lumora', 'make its software free for schools', 'from September'),
    ('', 'The organisers of the marathon said the race would go ahead as planned.',
     'The organisers of the marathon', 'the race would go ahead as planned', None),
    ('', 'Under the proposals, landlords would have to register every property with the council by 2028.',
     None, 'landlords would have to register every property with the council', 'by 2028'),
    ('', 'The band is set to headline the festival in July, its manager confirmed.',
     'The band', 'headline the festival', 'in July'),
    ('', "The city's two hospitals have committed to cutting waiting times by a third over the next year.",
     "The city's two hospitals", 'cutting waiting times by a third', 'over the next year'),
]
# just under the last run (actor 0.968, action 0.974, when 0.984)
OWN_FLOOR = {"actor": 0.93, "action": 0.94, "when": 0.95}


def _token_f1(pred, want) -> float:
    import collections
    import re

    a = collections.Counter(re.findall(r"\w+", pred.lower()) if pred else [])
    b = collections.Counter(re.findall(r"\w+", want.lower()) if want else [])
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return 2 * p * r / (p + r)


def test_own_sentences_score(nlp):
    totals = dict.fromkeys(OWN_FLOOR, 0.0)
    for context, sentence, actor, action, when in OWN_SENTENCES:
        c = parse_one(nlp, sentence, context=context)
        for slot, want in (("actor", actor), ("action", action), ("when", when)):
            totals[slot] += _token_f1(getattr(c, slot), want)
    for slot, floor in OWN_FLOOR.items():
        score = totals[slot] / len(OWN_SENTENCES)
        assert score >= floor, f"{slot}: {score:.3f} < {floor}"


# ----------------------------------------------------------------------------------------------
# Hostile input: never raises, and says nothing it does not know
# ----------------------------------------------------------------------------------------------

def test_empty_and_letterless_input(nlp):
    for text in ("", "   ", "!!! ???", "2026", "—"):
        c = extract(nlp(text)[:], (), None)
        assert c == Commitment() or (c.actor is None and c.action is None and c.when is None), repr(text)
    assert extract(nlp(""), (), None) == Commitment()  # a Doc as well as a Span


def test_odd_context_is_ignored(nlp):
    doc = nlp("They will publish the figures on Friday.")
    c = extract(doc[:], ["not a span", None, nlp("")[:]], dt.date(2026, 2, 8))
    assert c.actor == "They" and c.actor_resolved is None
    assert c.when_iso == "2026-02-13"
    whole = extract(doc, [nlp("The two unions met.")], dt.date(2026, 2, 8))  # Docs for Spans
    assert (whole.actor, whole.actor_resolved, whole.action) == ("They", "The two unions", "publish the figures")


def test_five_thousand_words(nlp):
    resolve_when("by March", dt.date(2026, 2, 8))  # dateparser's first call loads its data
    rng = random.Random(7)
    words = "the council will review plans and residents said officials agreed to build homes by March".split()
    jumble = " ".join(rng.choice(words) for _ in range(5000)) + "."
    chain = " and ".join(["the council will build homes by March"] * 700) + "."
    for text in (jumble, chain):
        doc = nlp(text)
        assert len(doc) >= 5000
        # (how long it takes is the benchmarks' business: no timing assertion in the suite)
        c = extract(doc[:], [doc[:]] * 3, dt.date(2026, 2, 8))
        assert c.actor_note is None or "failed" not in c.actor_note
    # each "... and the council will ..." is a clause of its own, not part of the first action
    assert (c.actor, c.action, c.when) == ("the council", "build homes", "by March")


def test_unusual_characters(nlp):
    for text in ("We will — “definitely” — act 🚀 by 2027.", "\u200b\u200b will", "[Reuters] will will will", "(" * 300):
        c = extract(nlp(text)[:], (), dt.date(2026, 2, 8))
        assert c.actor_note is None or "failed" not in c.actor_note, text


def test_no_sentence_of_the_samples_falls_into_the_guard(nlp):
    # extract() catches everything so the app keeps going; no real sentence may need that
    count = 0
    for path in sorted(SAMPLES.glob("*.txt")):
        art = Article(nlp, path.read_text(encoding="utf-8"))
        for k, span in enumerate(art.spans):
            c = extract(span, art.spans[:k], art.date)
            assert "failed" not in (c.actor_note or ""), span.text
            count += 1
    assert count > 80


def test_result_is_frozen_and_serialisable(nlp):
    c = parse_one(nlp, "The board will meet next month.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.actor = "someone"  # type: ignore[misc]
    assert json.loads(json.dumps(c.as_dict()))["when_iso"] == "2026-03-01/2026-03-31"


# ----------------------------------------------------------------------------------------------
# Dates alone (no spaCy needed)
# ----------------------------------------------------------------------------------------------

def test_article_date_rules():
    assert article_date("x", published="2026-02-08T10:00:00Z") == dt.date(2026, 2, 8)
    assert article_date("Title\nOTTAWA, 8 February 2026\n\nBody.") == dt.date(2026, 2, 8)
    assert article_date("Title\n\nFriday, July 21, 2017\n\nBody.") == dt.date(2017, 7, 21)
    assert article_date("Title\nThursday, May 7, 2015 On Tuesday, the council voted.") == dt.date(2015, 5, 7)
    assert article_date("Title\nWASHINGTON (Wire) - March 3, 2024 - Body.") == dt.date(2024, 3, 3)
    # a date inside a sentence is not a dateline; nor is a line far down the article
    assert article_date("Title\n\nThe council met on 8 February 2026 to vote.") is None
    assert article_date("A\nB\nC\nD\nE\n8 February 2026") is None
    assert article_date("", published="not a date") is None
    # a line that says when it was published (a Markdown article's "*Published 12 January 2026*")
    assert article_date("Kestrel cuts diesel\n\nPublished 12 January 2026\n\nThe firm said ...") == dt.date(2026, 1, 12)
    assert article_date("Title\n\nUpdated: May 3, 2025\n\nText") == dt.date(2025, 5, 3)


def test_resolve_when_rules():
    base = dt.date(2026, 2, 8)
    assert resolve_when("in February", base) == "2026-02-01/2026-02-28"  # this month, not next year's
    assert resolve_when("later this month", base) == "2026-02-01/2026-02-28"
    assert resolve_when("before 20 February", base) == "2026-02-08/2026-02-19"
    assert resolve_when("before the end of the year", base) == "2026-02-08/2026-12-31"
    assert resolve_when("every year", base) is None
    assert resolve_when("after the deadline", base) is None
    assert resolve_when("soon", base) is None
    assert resolve_when("x" * 500, base) is None
    assert resolve_when(None, base) is None


def test_resolve_parts_of_a_year_and_of_a_month():
    """"by mid-2027" was a deadline at the end of 2027 and "the first quarter of 2027" had no
    date, so an analyst's register counted such pledges overdue months late, or never."""
    base = dt.date(2026, 12, 7)
    assert resolve_when("by mid-2027", base) == "2026-12-07/2027-08-31"
    assert resolve_when("in early 2027", base) == "2027-01-01/2027-04-30"
    assert resolve_when("in late 2027", base) == "2027-09-01/2027-12-31"
    assert resolve_when("in mid-January", base) == "2027-01-11/2027-01-20"
    assert resolve_when("by the end of the first quarter of 2027", base) == "2026-12-07/2027-03-31"
    assert resolve_when("in the second half of next year", base) == "2027-07-01/2027-12-31"
    assert resolve_when("by Q3", base) == "2026-12-07/2027-09-30"  # the next third quarter to end
    assert resolve_when("by the fourth quarter", base) == "2026-12-07/2026-12-31"  # this one, not ended yet
    assert resolve_when("later this year", base) == "2026-01-01/2026-12-31"  # "later": all of it
    assert resolve_when("in the third half of 2027", base) is None


# ----------------------------------------------------------------------------------------------
# Architecture
# ----------------------------------------------------------------------------------------------

def test_core_imports_neither_textual_nor_spacy_nor_dateparser():
    code = (
        "import sys, reader.commitments\n"
        "bad = [m for m in ('textual', 'spacy', 'dateparser') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == ""


# ----------------------------------------------------------------------------------------------
# GUM news (only with ../shared): the benchmark's figures must not fall back
# ----------------------------------------------------------------------------------------------

# just under the figures of the last run (all 24 articles: actor 0.875, action 0.838, when 0.950)
GUM_FLOOR = {"actor": 0.85, "action": 0.81, "when": 0.92}


def _commitments_gum(*args: str) -> subprocess.CompletedProcess:
    """The benchmark, run as its users run it (tests never import `benchmarks`)."""
    return subprocess.run([sys.executable, "-m", "benchmarks.commitments_gum", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


def test_gum_commitments_score(tmp_path):
    if not (SHARED / "corpus" / "gum-news" / "labels.jsonl").exists() or not (SHARED / "tools" / "score_commitments.py").exists():
        pytest.skip(f"GUM gold data not found under {SHARED}")
    done = _commitments_gum("--json", "--out", str(tmp_path / "records.jsonl"))
    assert done.returncode == 0, done.stderr[-2000:]
    scores = json.loads(done.stdout)
    for slot, floor in GUM_FLOOR.items():
        assert scores["all"][slot] >= floor, f"{slot}: {scores['all'][slot]:.3f} < {floor}"


def test_benchmark_skips_without_the_shared_data(tmp_path):
    done = _commitments_gum("--labels", str(tmp_path / "absent" / "labels.jsonl"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("skipped:")


def test_extract_article_matches_by_overlap(nlp):
    text = (SAMPLES / "india-canada-security-talks.txt").read_text(encoding="utf-8")
    start = text.index("each country agreed")
    out = extract_article(nlp, text, [(start, start + 10), (10**6, 10**6 + 5)])
    (target, used, c), (_, missing, empty) = out
    assert used is not None and used[0] <= start < used[1]
    assert c.actor == "each country" and c.actor_resolved == "India and Canada"
    assert missing is None and empty == Commitment()


def test_pronoun_actor_is_the_pronoun_alone(nlp):
    """A personal pronoun's words are the pronoun: a list the parser hung on it as an
    apposition ("we — the guards, the police — will ...") is not part of the actor."""
    from spacy.tokens import Doc

    from reader.commitments import actor

    words = ["We", "—", "the", "guards", "and", "the", "police", "—", "will", "clear", "the", "wrecks", "."]
    heads = [9, 3, 3, 0, 3, 6, 3, 3, 9, 9, 11, 9, 9]
    deps = ["nsubj", "punct", "det", "appos", "cc", "det", "conj", "punct", "aux", "ROOT", "det", "dobj", "punct"]
    pos = ["PRON", "PUNCT", "DET", "NOUN", "CCONJ", "DET", "NOUN", "PUNCT", "AUX", "VERB", "DET", "NOUN", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    assert actor.phrase(doc[:], doc[0]) == [0]
