"""What the default labels mean, in reader's own words: shown by the help screen (and given
in the README), so that everyone who labels reads the same definitions."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "commitment": (
        "A party binds itself to do (or never to do) something in the future that is in its own "
        "power: it promises, pledges, agrees with another party, decides, announces a plan, or "
        "says it will act. It stays a commitment when someone else reports it or the party says "
        "it in a quotation. A forecast of what others will do, a timetable nobody pledged, or a "
        "demand made of someone else is not one."
    ),
    "claim": (
        "An assertion that rests on a source or a view rather than on established fact: what "
        "someone said, alleged, denied, warned, predicted or urged, quotations, opinions and "
        "judgements. Attribution is the usual sign; whether the claim is true does not matter. "
        "When what is said is a commitment, the label is commitment."
    ),
    "background": (
        "Everything else: events reported as facts without attribution, history and context, "
        "descriptions of people, places and organisations, figures stated as fact, and "
        "schedules or procedures."
    ),
}

HARD_CASES = (
    "Headlines, datelines and captions get a label by what they say (or skip them with s).",
    "\"We will rebuild every home,\" the mayor said: commitment (the speaker binds herself).",
    "Analysts expect prices to rise: claim (a forecast nobody controls).",
    "The hearing is set for Tuesday: background (a schedule, not a pledge).",
    "He urged the ministry to act: claim (a demand on someone else).",
)
