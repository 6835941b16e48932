"""Importing: sources -> ingest -> nlp -> store, with a report of what happened to each input.

The parse (`parse_many`) is spaCy's (`reader.nlp`) and then, while each sentence's span is at
hand, the cold start's suggestion (`reader.suggest`) and, for a sentence suggested to be a
commitment, what the extractor finds in it (`reader.commitments`); `nlp` knows neither.

Articles already stored are recognised by id before anything is parsed, so re-importing costs
no spaCy time, and spaCy is not even imported when there is nothing new.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reader.ingest import Failed, Limits, ExportedArticle, Skipped, collect
from reader.model import COMMITMENT, SKIPPED, Article, ExportedLabel, Parsed, Suggestion
from reader.store import Store


@dataclass
class ImportReport:
    """What an import did, input by input."""

    imported: list[Article] = field(default_factory=list)
    already: list[Article] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    restored: list[ExportedArticle] = field(default_factory=list)
    # labels from reader's own exports: put back, refused (each also in `failed`, by file line),
    # and skipped (here already, or a record of a sentence without a label)
    labels_taken: int = 0
    labels_refused: int = 0
    labels_skipped: int = 0
    remarks_taken: int = 0  # notes and unsure marks put back
    suggestions_taken: int = 0  # stored suggestions put back
    order: list[str] = field(default_factory=list)  # article ids as the inputs named them

    @property
    def ids(self) -> list[str]:
        """Ids of every article the inputs named, new or not, in the order of the inputs."""
        return list(dict.fromkeys(self.order))


Event = Callable[[str, Any], None]


class _InOrder:
    """Passes an import's events on in the order of its inputs. The parser reads ahead, so an
    input after an article still being parsed (a file imported before, a failure) is met
    before that article is stored: its event waits for the articles queued before it."""

    def __init__(self, report: ImportReport, tell: Event) -> None:
        self.report = report
        self.tell = tell
        self.queued = 0  # articles handed to the parser
        self.stored = 0  # of those, stored and told
        self.waiting: deque[tuple[int, str, Any]] = deque()  # (articles queued before it, kind, item)

    def __call__(self, kind: str, item: Any) -> None:
        """An input that needed no parse (already there, failed, restored): told once the
        articles queued before it are."""
        if self.queued > self.stored:
            self.waiting.append((self.queued, kind, item))
            return
        self._pass(kind, item)

    def stored_one(self, kind: str, article: Any) -> None:
        """A queued article back from the parser, stored ("imported") or found stored meanwhile
        by another import ("already"): told, then what waited for it."""
        self._pass(kind, article)
        self.stored += 1
        while self.waiting and self.waiting[0][0] <= self.stored:
            self._pass(*self.waiting.popleft()[1:])

    def flush(self) -> None:
        """What still waits (an article the parser never gave back): told all the same."""
        while self.waiting:
            self._pass(*self.waiting.popleft()[1:])

    def _pass(self, kind: str, item: Any) -> None:
        if kind in ("imported", "already"):
            self.report.order.append(item.id)
        elif kind == "restored":
            self.report.order.append(item[0].article_id)
        self.tell(kind, item)


def import_targets(
    store: Store,
    targets: Iterable[str],
    *,
    load_model: Callable[[], Any],
    jobs: int = 1,
    limits: Limits = Limits(),
    on_event: Event | None = None,
    parse: bool = True,
    parser: Callable[[Iterable[Article]], Iterator[tuple[Article, Any]]] | None = None,
    labels: Collection[str] | None = None,
) -> ImportReport:
    """Import every article the targets name; one transaction per article.

    `labels`: the label set in force; a label of one of reader's own exports outside it is
    refused (by file and line), as a malformed record is. None takes any label.

    With parse=False the text is stored at once and parsed later (`parse_stored`): the UI
    shows an article before spaCy has even loaded.

    `on_event(kind, item)` is called as things happen ("imported", "already", "failed",
    "skipped", "restored"), in the order of the inputs, so a caller can print or show progress
    while a long import runs.

    `parser` parses elsewhere (`reader.cluster`): it takes the articles to parse and yields
    (article, parse) in the same order; by default they are parsed here, in `jobs` processes.
    """
    report = ImportReport()
    notify = _InOrder(report, on_event or (lambda kind, item: None))
    try:
        _import(store, targets, report, notify, load_model=load_model, jobs=jobs, limits=limits, parse=parse, parser=parser, labels=labels)
    finally:
        notify.flush()
    return report


def _import(store: Store, targets: Iterable[str], report: ImportReport, notify: _InOrder, *, load_model: Callable[[], Any], jobs: int,
            limits: Limits, parse: bool, parser: Callable[[Iterable[Article]], Iterator[tuple[Article, Any]]] | None,
            labels: Collection[str] | None) -> None:
    queued: set[str] = set()
    checked = False

    def before_writing() -> None:
        # Never write into a damaged database; checked once, and only when there is
        # something to write, since a quick_check reads the whole file.
        nonlocal checked
        if not checked:
            store.check()
            checked = True

    def fresh() -> Iterator[Article]:
        for outcome in collect(targets, limits):
            if isinstance(outcome, Failed):
                report.failed.append(outcome)
                notify("failed", outcome)
            elif isinstance(outcome, Skipped):
                report.skipped.append(outcome)
                notify("skipped", outcome)
            elif isinstance(outcome, ExportedArticle):
                outside: list[tuple[int, str]] = []
                if labels is not None:
                    outcome, outside = _outside_refused(outcome, labels)
                before_writing()
                restored = store.restore_export(outcome.article_id, outcome.article, outcome.parsed, list(outcome.labels),
                                                outcome.suggestions)
                report.restored.append(outcome)
                report.labels_taken += restored.taken
                report.remarks_taken += restored.remarks
                report.suggestions_taken += restored.suggestions
                given = sum(1 for item in outcome.labels if item.field is None)
                report.labels_skipped += restored.skipped + max(0, outcome.records - given - len(outcome.refused))
                report.labels_refused += len(outcome.refused) + len(restored.refused)
                file = outcome.source.rsplit(":", 1)[0]
                for line, reason in [*outside, *restored.refused]:
                    failed = Failed(f"{file}:{line}" if line else outcome.source, f"not a usable reader export record: {reason}")
                    report.failed.append(failed)
                    notify("failed", failed)
                notify("restored", (outcome, restored.added, restored.taken, restored.remarks, restored.suggestions))
            elif outcome.id in queued or (store.is_parsed(outcome.id) if parse else store.has_article(outcome.id)):
                report.already.append(outcome)
                notify("already", outcome)
            else:
                before_writing()
                queued.add(outcome.id)
                notify.queued += 1
                yield outcome

    articles = fresh()
    if not parse:
        for article in articles:
            _stored(report, notify, article, store.add_article(article))
        return
    first = next(articles, None)
    if first is None:
        return

    def chained() -> Iterator[Article]:
        yield first
        yield from articles

    if parser is None:
        model = load_model()
        parser = lambda todo: parse_many(model, todo, jobs=jobs)
    for article, parsed in parser(chained()):
        _stored(report, notify, article, store.add_article(article, parsed))


def _stored(report: ImportReport, notify: _InOrder, article: Article, added: bool) -> None:
    """Count an article written, or one that another process (a second `reader import` on the
    same database) stored while this one parsed it: that one was there already."""
    (report.imported if added else report.already).append(article)
    notify.stored_one("imported" if added else "already", article)


def parse_many(nlp: Any, articles: Iterable[Article], *, jobs: int = 1, rules_only: bool = False,
               refine: bool = False) -> Iterator[tuple[Article, Parsed]]:
    """Parse articles in order (`reader.nlp.parse_spans`), yielding each as soon as its parse is done.

    Every sentence gets the cold start's suggestion: the shipped learned model's, or the parse
    rules' alone (`rules_only`, or when the shipped model cannot be read: said once on stderr);
    with `refine`, mixed with the sentence encoder's (`reader suggest`; an import leaves that to
    the background, `reader.refine`). A sentence suggested to be a commitment gets what the
    extractor finds in it, looking back through the sentences before it (`reader.nlp.CONTEXT`)."""
    from reader import commitments, nlp as spacy_parse
    from reader.suggest import cold_start_suggester

    suggest = cold_start_suggester(rules_only)
    encoder = _encoder() if refine and not rules_only else None
    for article, parsed, spans in spacy_parse.parse_spans(nlp, articles, jobs=jobs):
        suggestions: dict[int, Suggestion] = {index: suggest(span) for index, span in enumerate(spans) if span is not None}
        if encoder is not None:
            scores = encoder.probabilities([spans[index].text for index in suggestions])
            suggestions = {index: s.refined(p, encoder.weight) for (index, s), p in zip(suggestions.items(), scores, strict=True)}
        found: dict[int, Any] = {}
        context: list[Any] = []
        date = None
        for index, span in enumerate(spans):
            if span is None:
                continue
            if suggestions[index].label == COMMITMENT:
                # who commits to what, by when, while the parse is at hand
                date = date or commitments.article_date(article.text, article.published)
                found[index] = (commitments.extract(span, context[-spacy_parse.CONTEXT:], date), date)
            context.append(span)
        yield article, replace(parsed, suggestions=suggestions, commitments=found)


def _encoder() -> Any:
    """The shipped sentence encoder, or None (said once on stderr) when it cannot be read."""
    import sys

    from reader.suggest import encoder, learned

    try:
        return encoder.shipped()
    except learned.ModelError as exc:
        print(f"reader: {exc}; the suggestions are the linear model's alone", file=sys.stderr)
        return None


def parse_stored(store: Store, article_ids: Iterable[str], *, load_model: Callable[[], Any]) -> Iterator[str]:
    """Parse articles stored without sentences; yield each id once its parse is committed."""
    todo = [i for i in article_ids if store.has_article(i) and not store.is_parsed(i)]
    if not todo:
        return
    model = load_model()
    articles = (store.article(i) for i in todo)
    for article, parsed in parse_many(model, (a for a in articles if a is not None)):
        store.save_parse(article.id, parsed)
        yield article.id


def import_unparsed(db: Path, targets: list[str], labels: Collection[str] | None = None) -> ImportReport:
    """Store the texts the targets name without parsing them, on a connection of its own (for
    a thread of the reader); a background job parses them next."""
    with Store(db) as store:
        return import_targets(store, targets, load_model=lambda: None, parse=False, labels=labels)


def _outside_refused(outcome: ExportedArticle, labels: Collection[str]) -> tuple[ExportedArticle, list[tuple[int, str]]]:
    """The export without the labels outside the label set, and (line, reason) of each: a
    "Commitment" would otherwise replace a stored label and surface only at a later export.
    They count among its refused records."""
    allowed = {*labels, SKIPPED}

    def outside(item: ExportedLabel) -> bool:
        return item.field is None and item.label not in allowed  # a note's or unsure mark's value is no label

    if not any(map(outside, outcome.labels)):
        return outcome, []
    names = ", ".join(labels)
    refused = [(item.line or 0, f"sentence {item.sentence_index}: the label {item.label!r} is not one of the labels in use "
                                f"({names}; --labels sets others)") for item in outcome.labels if outside(item)]
    kept = replace(outcome, labels=tuple(item for item in outcome.labels if not outside(item)), refused=(*outcome.refused, *refused))
    return kept, refused


def sample_dir() -> Path | None:
    """The bundled sample articles: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_articles", here.parent / "sample_articles"):
        if candidate.is_dir():
            return candidate
    return None
