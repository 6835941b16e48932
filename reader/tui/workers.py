"""Background work for the screens: threads that wait on the core and post typed messages.

Parsing, suggesting and training run in separate processes (`reader.jobs`), never in the UI's:
a thread here only reads what the process reports and posts `ArticleParsed`,
`SuggestionsUpdated` or `ModelTrained`; any failure becomes one `WorkFailed`, which the app
shows once. One process of each kind runs at a time: the app keeps them
(`ReaderApp.adopt_job`) and stops them when replaced or on exit.
"""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode

from reader.jobs import Extracted, Job, JobFailed, NotTrained, Parsed, Suggested, Trained, Warned
from reader.store import StoreError
from reader.tui.messages import ArticleParsed, ArticlesImported, ModelTrained, Notice, RefineWanted, SuggestionsUpdated, WorkFailed


# Jobs that store sentences or suggestions: once one ends, the sentence encoder refines them.
REFINED_AFTER = ("parse", "suggest", "train")


def _follow(app: Any, job: Job) -> None:
    """Report a job's progress to the app (in a worker thread)."""
    try:
        for event in job.events():
            match event:
                case Parsed(article_id):
                    app.post_message(ArticleParsed(article_id))
                case Suggested(article_id):
                    app.post_message(SuggestionsUpdated(article_id))
                case Extracted():
                    pass  # the commitments screen sees the rows through DatabaseChanged
                case Trained():
                    app.post_message(ModelTrained(event))
                case Warned(text):
                    app.post_message(Notice(text, job.task))
                case NotTrained(reason):
                    app.post_message(Notice(f"not trained: {reason}"))
    except (JobFailed, OSError) as exc:
        app.post_message(WorkFailed(str(exc), job.task))
    except Exception as exc:  # noqa: BLE001 - the thread's error would vanish (exit_on_error=False), leaving the screen waiting
        app.post_message(WorkFailed(f"background {job.task} failed: {type(exc).__name__}: {exc}", job.task))
    else:
        if job.task in REFINED_AFTER and not job.cancelled:
            app.post_message(RefineWanted())


def start(app: Any, task: str, article_ids: list[str]) -> None:
    """Run `reader _work TASK` for these articles (then the others that need it)."""
    job = Job(app.store.path, task, *article_ids, model=app.model, labels=app.label_set.key)
    app.adopt_job(task, job)
    app.run_worker(lambda: _follow(app, job), thread=True, group=task, exit_on_error=False)


def import_texts(target: DOMNode, targets: list[str]) -> None:
    """Store files or URLs unparsed (`target` receives `ArticlesImported`), then parse them."""
    from reader.pipeline import import_unparsed

    app = target.app

    def run() -> None:
        try:
            report = import_unparsed(app.store.path, targets, app.label_set.names)
        except StoreError as exc:
            target.post_message(WorkFailed(str(exc)))
            return
        failed = [f"{f.source}: {f.reason}" for f in report.failed]
        first = next((a.id for a in report.imported + report.already), None)
        target.post_message(ArticlesImported(len(report.imported), len(report.already), failed, first))
        job = Job(app.store.path, "parse", model=app.model, labels=app.label_set.key)
        app.adopt_job("parse", job)
        _follow(app, job)

    target.run_worker(run, thread=True, group="import", exit_on_error=False)
