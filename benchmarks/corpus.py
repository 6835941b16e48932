"""Articles made by code, in our own words: templated news sentences about invented people,
organisations, places and dates, so spaCy's NER has something to find.

Nothing here comes from a real article. The generator also knows where each sentence and
each slot (person, place, organisation, date, amount) sits, so a parse can be built without
spaCy when only the database shape matters (the export benchmark).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

FIRST = (
    "Amara", "Tomas", "Leila", "Jonah", "Priya", "Mateo", "Ingrid", "Kwame", "Sofia", "Daniel",
    "Hana", "Rafael", "Elena", "Samuel", "Noor", "Victor", "Grace", "Olusegun", "Marta", "Ravi",
)
LAST = (
    "Okafor", "Lindqvist", "Haddad", "Moreau", "Castillo", "Brennan", "Nakamura", "Adeyemi",
    "Kowalski", "Ferreira", "Osei", "Larsen", "Mensah", "Duval", "Petrov", "Alvarez",
)
PLACES = (
    "Lisbon", "Nairobi", "Ottawa", "Manila", "Leeds", "Porto", "Accra", "Quito", "Tallinn",
    "Osaka", "Perth", "Cork", "Montreal", "Durban", "Bergen", "Valencia", "Gdansk", "Mombasa",
)
ORGS = (
    "Northgate Energy", "Calder Freight", "the National Water Board", "the Ministry of Transport",
    "the Regional Health Agency", "Harbourline Shipping", "the Coastal Fisheries Council",
    "Meridian Rail", "the Federal Audit Office", "Blue Ridge Mining", "the City Housing Trust",
    "Solent Telecom",
)
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
THINGS = ("water deal", "port expansion", "rail link", "housing plan", "fishing quota", "power line", "vaccine drive")

# {P} person, {O} organisation, {L} place, {D} date, {Y} year, {N} number.
TEMPLATES = (
    "{P} said on {D} that {O} would open a new office in {L} before {Y}.",
    "The agreement commits {O} to spend {N} million dollars on roads around {L} by {Y}.",
    "{P}, who has led {O} since {Y}, told reporters in {L} that the plan was fair.",
    "Officials in {L} claimed that {O} had ignored three warnings in {D}.",
    "Both sides agreed on {D} to meet again in {L} within six weeks.",
    "{O} was founded in {L} in {Y} and now employs about {N} hundred people.",
    "According to {P}, shipments to {L} fell sharply in {D}.",
    "{P} promised that {O} would publish the full report before {D}.",
    "The council in {L} voted on {D} to approve the new budget for {O}.",
    "Critics including {P} argued that the deal favoured {O} over smaller firms in {L}.",
    "{O} denied the allegations and said its staff in {L} had followed every rule.",
    "Under the accord, {O} will hire {N} engineers in {L} over the next two years.",
    "Residents of {L} have waited since {Y} for a decision on the project.",
    "{P} of {O} pledged to review the contracts with the mayor of {L} by {D}.",
    "The dispute began in {Y}, when {O} bought land near {L} without a public hearing.",
    "Speaking in {L} on {D}, {P} accused {O} of hiding the true cost.",
)


@dataclass(frozen=True)
class Generated:
    """A generated article: its text, and where its sentences and named slots are."""

    title: str
    text: str
    sentences: list[tuple[int, int]]
    entities: list[tuple[int, int, str]]  # start, end, spaCy-style label


_KINDS = {"P": "PERSON", "O": "ORG", "L": "GPE", "D": "DATE", "Y": "DATE", "N": "CARDINAL"}


def _slot(rng: random.Random, kind: str) -> str:
    if kind == "P":
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if kind == "O":
        return rng.choice(ORGS)
    if kind == "L":
        return rng.choice(PLACES)
    if kind == "D":
        return f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2026)}"
    if kind == "Y":
        return str(rng.randint(1990, 2027))
    return str(rng.randint(2, 90))


def _fill(rng: random.Random, template: str, offset: int, entities: list[tuple[int, int, str]]) -> str:
    """Fill one template; record where each slot landed (an article-level offset)."""
    out: list[str] = []
    length = 0
    for literal, field, _, _ in string.Formatter().parse(template):
        out.append(literal)
        length += len(literal)
        if field:
            value = _slot(rng, field)
            start = offset + length
            # "the Ministry of ..." : spaCy's entity does not include the article
            skip = 4 if value.startswith("the ") else 0
            entities.append((start + skip, start + len(value), _KINDS[field]))
            out.append(value)
            length += len(value)
    sentence = "".join(out)
    return sentence[0].upper() + sentence[1:]


def generate(sentences: int, seed: int = 0, per_paragraph: int = 4) -> Generated:
    """An article of `sentences` sentences: a headline line, then paragraphs of prose."""
    rng = random.Random(f"reader-bench-{sentences}-{seed}")
    org = rng.choice(ORGS).removeprefix("the ")
    title = f"{org[0].upper()}{org[1:]} and {rng.choice(PLACES)} settle the {rng.choice(THINGS)} dispute"
    parts = [title, ""]
    spans = [(0, len(title))]
    entities: list[tuple[int, int, str]] = []
    offset = len(title) + 2
    line: list[str] = []
    for i in range(sentences - 1):
        start = offset + sum(len(s) + 1 for s in line)
        sentence = _fill(rng, rng.choice(TEMPLATES), start, entities)
        spans.append((start, start + len(sentence)))
        line.append(sentence)
        if len(line) == per_paragraph or i == sentences - 2:
            paragraph = " ".join(line)
            parts.append(paragraph)
            parts.append("")
            offset += len(paragraph) + 2
            line = []
    text = "\n".join(parts).rstrip("\n") + "\n"
    return Generated(title, text, spans, entities)


if __name__ == "__main__":
    g = generate(12)
    print(g.text)
    for a, b, label in g.entities[:8]:
        print(label, repr(g.text[a:b]))
