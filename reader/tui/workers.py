"""Background work for the screens: threads that wait on the core and post typed messages.

Parsing runs in a separate process (`reader.jobs`), never in the UI's: a thread here only
reads what the process reports and posts `ArticleParsed`; any failure becomes one
`WorkFailed`, which the app shows once. One parse process runs at a time: the app keeps it
(`ReaderApp.adopt_job`) and stops it when replaced or on exit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.dom import DOMNode

from reader.jobs import Job, JobFailed
from reader.store import StoreError
from reader.tui.messages import ArticleParsed, ArticlesImported, WorkFailed


def _follow(app: Any, job: Job) -> None:
    """Report a parse job's progress to the app (in a worker thread)."""
    try:
        for event in job.events():
            if "parsed" in event:
                app.post_message(ArticleParsed(str(event["parsed"])))
    except (JobFailed, OSError) as exc:
        app.post_message(WorkFailed(str(exc)))


def parse(app: Any, article_ids: list[str]) -> None:
    """Parse these articles in a background process, then every other one not parsed yet."""
    job = Job(app.store.path, "parse", *article_ids, model=app.model)
    app.adopt_job(job)
    app.run_worker(lambda: _follow(app, job), thread=True, group="parse", exit_on_error=False)


def import_texts(target: DOMNode, targets: list[str]) -> None:
    """Store files or URLs unparsed (`target` receives `ArticlesImported`), then parse them."""
    from reader.pipeline import import_unparsed

    app = target.app

    def run() -> None:
        try:
            report = import_unparsed(app.store.path, targets)
        except StoreError as exc:
            target.post_message(WorkFailed(str(exc)))
            return
        failed = [f"{f.source}: {f.reason}" for f in report.failed]
        target.post_message(ArticlesImported(len(report.imported), len(report.already), failed))
        job = Job(app.store.path, "parse", model=app.model)
        app.adopt_job(job)
        _follow(app, job)

    target.run_worker(run, thread=True, group="import", exit_on_error=False)
