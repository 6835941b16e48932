"""Commands about articles: open the reader, import, list."""

from __future__ import annotations

import sys
from typing import Any

import click

from reader.cli import EXIT_OK, EXIT_SOME_FAILED, Options, cli, one_line, open_store, output_console, shared
from reader.cli.archive import Bar, cluster_options, cluster_parser
from reader.launch import open_reader, run_import
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
    open_reader(Options.of(ctx, given), targets, jobs=jobs, max_bytes=max_bytes, timeout=timeout, start=start)


@cli.command("commitments")
@shared("db_path", "model", "annotator", "labels_spec", "config_path")
@click.pass_context
def commitments_command(ctx: click.Context, **given: Any) -> None:
    """Open the commitment tracker: who promised what, by when, across every article."""
    ctx.invoke(open_command, targets=(), jobs=1, max_bytes=DEFAULT_MAX_BYTES, timeout=DEFAULT_TIMEOUT, start="commitments", **given)


@cli.command("import")
@click.argument("targets", nargs=-1, required=True)
@shared("db_path", "model", "labels_spec", "config_path")
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
    labels = opts.label_set()  # a label of one of reader's exports outside it is refused
    remote = cluster_parser(workers, scheduler, batch, jobs, opts.model)
    with open_store(opts.db_path) as store:
        report = run_import(store, targets, model=opts.model, jobs=jobs, max_bytes=max_bytes, timeout=timeout, quiet=False, cluster=remote,
                            progress=Bar, labels=labels)
    sys.exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


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
        table.add_row(Text(r.id[:12]), Text(r.title, no_wrap=True, overflow="ellipsis"), str(r.sentences), str(r.labelled), *cells, Text(r.source or ""))
    console.print(table)
