"""Commands about suggestions: train, and the background work the reader starts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from reader.cli import Options, ReaderError, cli, open_store, output_console, shared


@cli.command("train")
@shared("db_path", "labels_spec", "model", "config_path")
@click.option("--annotator", "annotators", multiple=True, help="Learn only from this annotator's labels (repeatable; default: everyone's, resolved).")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Also write the trained spaCy pipeline to this folder.")
@click.option("--curve", is_flag=True, help="Also the held-out macro-F1 at 25/50/75/100 % of the labels.")
@click.option("--no-refresh", is_flag=True, help="Do not refresh the stored suggestions afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON, for scripts.")
@click.pass_context
def train_command(ctx: click.Context, annotators: tuple[str, ...], output: str | None, curve: bool, no_refresh: bool, as_json: bool, **given: Any) -> None:
    """Train the suggestion model on the stored labels, score it on articles it did not see, and
    keep it if it beats the current suggester."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from reader import learn
    from reader.store import StoreError

    opts = Options.of(ctx, given)
    if opts.annotator_typed and not annotators:
        annotators = (opts.annotator or "",)  # typed, so a string
    if output and Path(output).exists():
        raise ReaderError(f"{output} already exists: give -o a new folder for the pipeline")
    if output and not os.access(Path(output).absolute().parent, os.W_OK):
        raise ReaderError(f"cannot write {output}: its folder does not exist or is read-only")
    label_set = opts.label_set()
    with open_store(opts.db_path, readonly=True):
        pass  # a database that is not there is refused, never created empty (a typo in --db)
    err = Console(stderr=True, highlight=False)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True, disable=as_json or not err.is_terminal)
    task = progress.add_task("training", total=None)

    def tell(stage: str, done: int, total: int) -> None:
        progress.update(task, description=stage, completed=done, total=total)

    with open_store(opts.db_path) as store, progress:
        try:
            report = learn.train(store, label_set, annotators=annotators, model=opts.model, curve=curve,
                                 output=Path(output) if output else None, progress=tell)
        except learn.LearnError as exc:
            # `reader --annotator lead train` (who you are, as everywhere) counts lead's labels
            # only: "10 labelled sentences" of a team's hundreds must say whose they were
            raise ReaderError(f"{exc}{_whose(annotators)}") from None
        except OSError as exc:
            raise ReaderError(f"cannot write the model: {exc.strerror or exc}") from None
        refreshed = 0
        if not no_refresh and report.kept:
            suggester = learn.Suggester(store, label_set, opts.model)
            ids = store.article_ids()
            try:
                for n, _ in enumerate(suggester.refresh(ids), 1):
                    tell("refreshing suggestions", n, len(ids))
                    refreshed = n
            except StoreError as exc:
                # the model is registered and in use already: say so, not that nothing changed
                raise ReaderError(f"kept model {report.model_id} (it is in use now), but refreshing the stored suggestions "
                                  f"stopped after {refreshed} of {len(ids)} articles: {exc}") from None
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "refreshed_articles": refreshed, "output": output}, indent=2))
        return
    _print_report(report, refreshed, output, annotators)


def _whose(annotators: tuple[str, ...]) -> str:
    """What an --annotator filter left out, said where a figure would otherwise read as the team's."""
    if not annotators:
        return ""
    return f"; only the labels of {', '.join(annotators)} counted (--annotator): without it, train learns from everyone's"


def _print_report(report: Any, refreshed: int, output: str | None, annotators: tuple[str, ...] = ()) -> None:
    from rich.table import Table
    from rich.text import Text

    console = output_console()
    held, base = report.held_out, report.baseline
    table = Table("label", "precision", "recall", "F1", f"{report.baseline_name} F1", "sentences",
                  title=f"held out: {report.examples} labels{' of ' + ', '.join(annotators) if annotators else ''} in {report.articles} articles, "
                        "each scored by a model that never saw its article")
    for label, row in held.per_label.items():
        table.add_row(Text(label), f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                      f"{base.per_label.get(label, {}).get('f1', 0.0):.3f}", str(int(row["support"])))
    table.add_row(Text("macro", style="bold"), "", "", f"{held.macro:.3f}", f"{base.macro:.3f}", str(held.count))
    console.print(table)
    for share, macro in report.curve:
        console.print(Text(f"learning curve: {share:.0%} of the labels → macro-F1 {macro:.3f}"))
    if report.kept:
        console.print(Text(f"kept model {report.model_id}: it beats the {report.baseline_name} on the same held-out labels", style="bold green"))
        console.print(Text(f"refreshed the suggestions of {refreshed} articles" if refreshed else "suggestions not refreshed (--no-refresh)"))
    else:
        first, *rest = _why_not_kept(report)
        console.print(Text(first, style="bold yellow"))
        for line in rest:
            console.print(Text(line))
    if output:
        console.print(Text(f"wrote the spaCy pipeline to {output} (spacy.load works on it)"))
    console.print(Text(f"took {report.seconds:.1f} s", style="dim"))


def _why_not_kept(report: Any) -> list[str]:
    """Why nothing changed, in a line or two: both figures on the same held-out labels, what
    stays in use, and how many of those labels correct a suggestion (the ones it learns from)."""
    base, n = report.baseline, report.baseline.count
    mine = report.compared or report.held_out
    name = report.baseline_name
    figures = f"on your {n} held-out labels (macro-F1 {mine.macro:.3f} against {base.macro:.3f})"
    if name.startswith("always "):  # a label set of the user's own with no model kept yet
        return [f"not kept: the retrained model did not beat labelling everything {name.removeprefix('always ')} {figures}; "
                "these labels get suggestions once a model is kept"]
    current = "cold start" if name == "cold start" else f"model in use ({name.removeprefix('model ')})"
    corrected = n - round(base.accuracy * n)
    if corrected:
        why = f"{corrected} of those {n} labels {'corrects' if corrected == 1 else 'correct'} a suggestion of the {current}: those are what it learns from"
    else:
        why = f"all {n} agree with the suggestions of the {current}, so they give it nothing new to learn: it learns from labels that correct a suggestion"
    return [f"not kept: the retrained model did not beat the {current} {figures}; the suggestions stay as they are", why]


@cli.command("refresh")
@shared("db_path", "labels_spec", "model", "config_path")
@click.option("--all", "everything", is_flag=True, help="Every article, not only those without the current suggestions.")
@click.pass_context
def refresh_command(ctx: click.Context, everything: bool, **given: Any) -> None:
    """Store the suggestions of the model in use (the cold start when none is kept) for the
    articles that do not carry them yet: those imported after a model was kept."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from reader import learn
    from reader.wording import counted

    opts = Options.of(ctx, given)
    label_set = opts.label_set()
    with open_store(opts.db_path) as store:
        current, lacking = store.lacking_current(label_set.key)
        if current is None and not label_set.is_default:
            raise ReaderError(f"no model is kept for the label set {label_set.key}: `reader train` keeps one, "
                              "and its suggestions are stored then")
        ids = store.article_ids() if everything else lacking
        err = Console(stderr=True, highlight=False)
        progress = Progress(TextColumn("refreshing suggestions"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err, transient=True, disable=not err.is_terminal or not ids)
        done = 0
        with progress:
            task = progress.add_task("refresh", total=len(ids))
            for done, _ in enumerate(learn.Suggester(store, label_set, opts.model).refresh(ids) if ids else (), 1):
                progress.update(task, completed=done)
    whose = f"model {current.id}" if current else "the cold start"
    click.echo(f"stored the suggestions of {whose} for {counted(done, 'article')}" if ids else f"every article has the suggestions of {whose}")
    if label_set.is_default:
        refined = refine_stored(opts.db_path)
        if refined:
            click.echo(f"refined the suggestions of {counted(refined, 'article')} with the sentence encoder")


@cli.command("_work", hidden=True)
@click.argument("task", type=click.Choice(["parse", "suggest", "train", "extract", "refine"]))
@click.argument("ids", nargs=-1)
@shared("db_path", "model", "labels_spec", "config_path")
@click.pass_context
def work_command(ctx: click.Context, task: str, ids: tuple[str, ...], **given: Any) -> None:
    """Background work for the reader (reader.jobs): one JSON object per line on stdout."""
    from reader import learn, nlp
    from reader.jobs import NotTrained, Parsed, Suggested, Trained, Warned, encode
    from reader.pipeline import parse_stored

    opts = Options.of(ctx, given)
    label_set = opts.label_set()
    os.nice(10)  # background work yields the processor to the reader the user is typing in
    with open_store(opts.db_path) as store:
        if task == "parse":
            # The articles asked for first (the one on screen), then every other one not parsed yet.
            todo = list(dict.fromkeys([*ids, *store.unparsed()]))
            for article_id in parse_stored(store, todo, load_model=lambda: nlp.load(opts.model)):
                click.echo(encode(Parsed(article_id)))
            return
        if task in ("refine", "extract"):
            # refine: the sentence encoder knows the default labels only
            if task == "extract" or label_set.is_default:
                _refine_all(store, ids, lambda: nlp.load(opts.model), refine=task == "refine")
            return
        if task == "train":
            try:
                report = learn.train(store, label_set, model=opts.model)
            except learn.LearnError as exc:
                click.echo(encode(NotTrained(str(exc))))
                return
            except OSError as exc:
                click.echo(encode(NotTrained(f"cannot write the model: {exc.strerror or exc}")))
                return
            click.echo(encode(Trained(report.model_id, report.kept, round(report.held_out.macro, 4),
                                      report.baseline_name, round(report.baseline.macro, 4))))
            if not report.kept:
                return
        suggester = learn.Suggester(store, label_set, opts.model)
        if suggester.warning:
            click.echo(encode(Warned(suggester.warning)))
        if suggester.source is None:
            return
        # After training: the articles being worked on (others catch up when opened). Else:
        # the ones asked for and any stored before suggestions existed.
        others = store.worked_on() if task == "train" else store.unsuggested(label_set.key)
        for article_id in suggester.refresh(list(dict.fromkeys([*ids, *others]))):
            click.echo(encode(Suggested(article_id)))


def _refine_all(store: Any, first: tuple[str, ...], load_model: Any, refine: bool = True) -> None:
    """The background refinement (with `refine`): these articles first, then every sentence the
    encoder has not scored (again, until none is left: a parse may store more meanwhile); then
    the commitment sentences the extractor has not read (those it made, or labelled ones)."""
    from reader import tracker
    from reader.jobs import Extracted, Suggested, Warned, encode
    from reader.refine import refine as refined
    from reader.suggest.learned import ModelError

    try:
        for article_id in refined(store, list(first)) if refine and first else ():
            click.echo(encode(Suggested(article_id)))
        while refine:
            done = 0
            for article_id in refined(store):
                click.echo(encode(Suggested(article_id)))
                done += 1
            if not done:
                break
    except ModelError as exc:
        click.echo(encode(Warned(f"{exc}; the suggestions stay the linear model's")))
    if not refine or store.needing_extraction():
        click.echo(encode(Extracted(tracker.extract_missing(store, load_model()))))


def refine_stored(db_path: Any, say: str | None = None, article_ids: list[str] | None = None) -> int:
    """Refine with the sentence encoder every stored sentence it has not read (of these articles,
    when given: the foreground form of the reader's background job, for `reader refresh` and
    `export --suggestions`), with a progress bar on a terminal; `say` (formatted with the
    count) is told first on stderr.
    Returns how many articles it refined; a read-only database or an unreadable encoder is one
    note on stderr and leaves the suggestions as they are."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from reader.refine import refine
    from reader.store import StoreError
    from reader.suggest import encoder as encoders
    from reader.suggest.learned import ModelError

    with open_store(db_path, readonly=True) as store:
        missing = store.unencoded(encoders.shipped_id(), article_ids)
        writable = os.access(store.path, os.W_OK) and os.access(store.path.parent, os.W_OK)
    if not missing:
        return 0
    count = sum(map(len, missing.values()))
    if not writable:
        click.echo(f"reader: note: the database is read-only, so the suggestions of {count} sentences are not refined "
                   "by the sentence encoder", err=True)
        return 0
    try:
        enc = encoders.shipped()
    except ModelError as exc:
        click.echo(f"reader: {exc}; the suggestions stay the linear model's", err=True)
        return 0
    if say:
        click.echo(f"reader: {say.format(count=count)}", err=True)
    err = Console(stderr=True, highlight=False)
    progress = Progress(TextColumn("refining suggestions"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    done = 0
    try:
        with open_store(db_path) as store, progress:
            task = progress.add_task("refine", total=count)
            for _ in refine(store, article_ids, encoder=enc, progress=lambda n, total: progress.update(task, completed=n)):
                done += 1
    except StoreError as exc:
        raise ReaderError(f"refining the suggestions stopped after {done} articles: {exc}") from None
    return done
