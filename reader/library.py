"""Importing: sources -> ingest -> nlp -> store, with a report of what happened to each input.

Articles already stored are recognised by id before anything is parsed, so re-importing costs
no spaCy time, and spaCy is not even imported when there is nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reader.ingest import Failed, Limits, Skipped, collect
from reader.model import Article
from reader.store import Store


@dataclass
class ImportReport:
    """What an import did, input by input."""

    imported: list[Article] = field(default_factory=list)
    already: list[Article] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        """Ids of every article the inputs named, new or not, in order."""
        seen: dict[str, None] = {}
        for article in self.imported + self.already:
            seen.setdefault(article.id, None)
        return list(seen)


Event = Callable[[str, Any], None]


def import_targets(
    store: Store,
    targets: Iterable[str],
    *,
    load_model: Callable[[], Any],
    jobs: int = 1,
    limits: Limits = Limits(),
    on_event: Event | None = None,
) -> ImportReport:
    """Import every article the targets name; one transaction per article.

    `on_event(kind, item)` is called as things happen ("imported", "already", "failed",
    "skipped"), so a caller can print or show progress while a long import runs.
    """
    report = ImportReport()
    notify = on_event or (lambda kind, item: None)
    queued: set[str] = set()

    def fresh() -> Iterator[Article]:
        for outcome in collect(targets, limits):
            if isinstance(outcome, Failed):
                report.failed.append(outcome)
                notify("failed", outcome)
            elif isinstance(outcome, Skipped):
                report.skipped.append(outcome)
                notify("skipped", outcome)
            elif outcome.id in queued or store.is_parsed(outcome.id):
                report.already.append(outcome)
                notify("already", outcome)
            else:
                queued.add(outcome.id)
                yield outcome

    articles = fresh()
    first = next(articles, None)
    if first is None:
        return report

    from reader import nlp

    model = load_model()

    def chained() -> Iterator[Article]:
        yield first
        yield from articles

    for article, parsed in nlp.parse_many(model, chained(), jobs=jobs):
        store.add_article(article, parsed)
        report.imported.append(article)
        notify("imported", article)
    return report
