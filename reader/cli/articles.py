"""Commands about articles: open the reader, import, list."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from reader.cli import EXIT_OK, EXIT_SOME_FAILED, Options, ReaderError, cli, one_line, open_store, output_console, say_error, served, shared
from reader.cli.archive import Bar, cluster_options, cluster_parser
from reader.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT


def import_options(func: Any) -> Any:
    func = click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes for parsing.")(func)
    func = click.option(
        "--max-bytes",
        type=click.IntRange(1),
        default=DEFAULT_MAX_BYTES,
        show_default=True,
        envvar="READER_MAX_BYTES",
        help="Largest input accepted, in bytes.",
    )(func)
    func = click.option("--timeout", type=click.FloatRange(0.1), default=DEFAULT_TIMEOUT, show_default=True, help="Seconds to wait for a URL.")(func)
    return func


@cli.command("open")
@click.argument("targets", nargs=-1)
@shared("db_path", "model", "annotator", "labels_spec", "config_path")
@import_options
@click.pass_context
def open_command(ctx: click.Context, targets: tuple[str, ...], jobs: int, max_bytes: int, timeout: float, start: str | None = None, **given: Any) -> None:
    """Open the reader: the library, or the first TARGET (file, folder, URL or - for stdin)."""
    opts = Options.of(ctx, given)
    settings = opts.settings()
    labels = opts.label_set()
    annotator = opts.who()
    piped = "-" in targets and not sys.stdin.isatty()
    if not served() and (not sys.stdout.isatty() or not (sys.stdin.isatty() or piped)):
        raise ReaderError("the reader needs a terminal; in scripts use `reader import` and `reader export`")
    store = open_store(opts.db_path)
    article_id = None
    status = EXIT_OK
    if targets:
        # Stored unparsed: the article shows at once and is parsed in the background.
        report = run_import(store, targets, model=opts.model, jobs=jobs, max_bytes=max_bytes, timeout=timeout, quiet=True, parse=False)
        if not report.ids:
            store.close()
            sys.exit(EXIT_SOME_FAILED)
        article_id = report.ids[0]
        status = EXIT_SOME_FAILED if report.failed else EXIT_OK
    if piped:
        _keyboard_from_terminal()
    from reader.tui.app import run

    run(store, labels=labels, annotator=annotator, article_id=article_id, model=opts.model, keymap=settings.keymap,
        retrain_every=settings.retrain_every, theme=settings.theme, start=start)
    sys.exit(status)


@cli.command("commitments")
@shared("db_path", "model", "annotator", "labels_spec", "config_path")
@click.pass_context
def commitments_command(ctx: click.Context, **given: Any) -> None:
    """Open the commitment tracker: who promised what, by when, across every article."""
    ctx.invoke(open_command, targets=(), jobs=1, max_bytes=DEFAULT_MAX_BYTES, timeout=DEFAULT_TIMEOUT, start="commitments", **given)


def _keyboard_from_terminal() -> None:
    """After an article came in on stdin (`echo text | reader -`), read keys from the terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise ReaderError("the article was read from stdin, but there is no terminal to read keys from") from None
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - fd 0 lives as long as we do


@cli.command("import")
@click.argument("targets", nargs=-1, required=True)
@shared("db_path", "model")
@import_options
@cluster_options
@click.pass_context
def import_command(ctx: click.Context, targets: tuple[str, ...], jobs: int, max_bytes: int, timeout: float,
                   workers: int | None, scheduler: str | None, batch: int | None, **given: Any) -> None:
    """Import articles: .txt, .md, .html/.htm, .jsonl files, folders, http(s) URLs, or - for stdin.

    With --workers N (a local Dask cluster) or --scheduler ADDRESS (a running one) the articles
    are parsed on the cluster's workers and stored here, as a plain import stores them.
    """
    opts = Options.of(ctx, given)
    remote = cluster_parser(workers, scheduler, batch, jobs, opts.model)
    with open_store(opts.db_path) as store:
        report = run_import(store, targets, model=opts.model, jobs=jobs, max_bytes=max_bytes, timeout=timeout, quiet=False, cluster=remote)
    sys.exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


def _load_model(model: str | None) -> Any:
    # reader.nlp only when a text is parsed: opening an article stores it unparsed.
    from reader import nlp

    return nlp.load(model)


def run_import(store: Any, targets: tuple[str, ...], *, model: str | None, jobs: int, max_bytes: int, timeout: float, quiet: bool,
               parse: bool = True, cluster: Any = None) -> Any:
    """Import and report; `cluster` (a reader.cluster.ClusterParser) parses on a Dask cluster."""
    from contextlib import nullcontext

    from rich.console import Console

    from reader.cluster import ClusterError
    from reader.ingest import Limits
    from reader.pipeline import import_targets

    out = Console(highlight=False, soft_wrap=True)
    bar = Bar(targets, "importing", enabled=not quiet)

    def on_event(kind: str, item: Any) -> None:
        from rich.text import Text

        if kind == "failed":
            say_error(f"{item.source}: {item.reason}")
        elif kind == "skipped":
            click.echo(f"reader: note: skipped {one_line(item.source)}: {one_line(item.reason)}", err=True)
        elif kind == "restored" and not quiet:
            restore, added, labels = item
            word = "restored" if added else "already imported,"
            out.print(Text(f"{word} {restore.article_id} {restore.article.title or ''}: {labels} labels added"))
        elif not quiet:
            word = "imported" if kind == "imported" else "already imported, nothing added:"
            out.print(Text(f"{word} {item.id} {item.title or item.source or ''}"))
        if kind != "skipped":  # a skipped file is no article, and the total counts none
            bar.advance()

    try:
        with cluster if cluster is not None else nullcontext():
            report = import_targets(
                store,
                targets,
                load_model=lambda: _load_model(model),
                jobs=jobs,
                limits=Limits(max_bytes=max_bytes, timeout=timeout),
                on_event=on_event,
                parse=parse,
                parser=cluster,
            )
            size = cluster.size if cluster is not None else 0
    except ClusterError as exc:
        raise ReaderError(str(exc)) from None
    finally:
        bar.stop()
    if size and not quiet:
        n = len(report.imported)
        click.echo(f"parsed {n} article{'s' if n != 1 else ''} on {size} worker{'s' if size != 1 else ''}, {bar.rate(n)}", err=True)
    if not quiet:
        parts = [f"{len(report.imported)} imported", f"{len(report.already)} already there"]
        if report.restored:
            parts.append(f"{len(report.restored)} restored from reader exports (labels: {report.labels_taken} taken, "
                         f"{report.labels_refused} refused, {report.labels_skipped} skipped: here already or none given)")
        if report.failed:
            parts.append(f"{len(report.failed)} failed")
        if report.skipped:
            parts.append(f"{len(report.skipped)} skipped")
        click.echo(", ".join(parts), err=True)
    return report


@cli.command("list")
@shared("db_path", "annotator", "config_path")
@click.pass_context
def list_command(ctx: click.Context, **given: Any) -> None:
    """List stored articles: id, title, sentences, labelled (by you), source; with several
    annotators also team_labelled (by anyone), disagreements and reviewed."""
    from rich.table import Table
    from rich.text import Text

    opts = Options.of(ctx, given)
    annotator = opts.who()
    with open_store(opts.db_path, readonly=True) as store:
        rows = store.summaries(annotator)
        # With several annotators (a lead after `reader merge`), the team's figures follow yours.
        several = store.several_annotators()
        team = store.team_progress() if several else {"per_article": {}}
    blank = {"labelled": 0, "disagreements": 0, "reviewed": 0}
    teams = {r.id: team["per_article"].get(r.id, blank) for r in rows}
    console = output_console()
    if not console.is_terminal:
        click.echo("id\ttitle\tsentences\tlabelled\tsource" + ("\tteam_labelled\tdisagreements\treviewed" if several else ""))
        for r in rows:
            extra = "".join(f"\t{teams[r.id][k]}" for k in ("labelled", "disagreements", "reviewed")) if several else ""
            click.echo(f"{r.id}\t{one_line(r.title)}\t{r.sentences}\t{r.labelled}\t{one_line(r.source or '')}{extra}")
        return
    columns = ["labelled by anyone", "disagreements", "reviewed"] if several else []
    table = Table("id", "title", "sentences", f"labelled by {annotator}", *columns, "source", title=f"{len(rows)} article{'s' if len(rows) != 1 else ''}")
    for r in rows:
        cells = [str(teams[r.id][k]) for k in ("labelled", "disagreements", "reviewed")] if several else []
        table.add_row(Text(r.id[:12]), Text(r.title), str(r.sentences), str(r.labelled), *cells, Text(r.source or ""))
    console.print(table)
