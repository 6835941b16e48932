"""Large archives: parsing on a Dask cluster (`reader import --workers N / --scheduler ADDRESS`)
and `reader suggest`, the model applied to a corpus without storing it."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from reader.cli import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    Options,
    ReaderError,
    cli,
    one_line,
    say_error,
    shared,
)
from reader.wording import counted


def cluster_options(func: Any) -> Any:
    """--workers, --scheduler and --batch, for the commands that parse many articles."""
    func = click.option("--batch", type=click.IntRange(1, 10_000), default=None,
                        help="Articles per task sent to a worker (default 8).")(func)
    func = click.option("--scheduler", metavar="ADDRESS", default=None,
                        help="Parse on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786).")(func)
    func = click.option("--workers", "-w", type=click.IntRange(1, 512), default=None,
                        help="Parse on a local Dask cluster of N worker processes.")(func)
    return func


def cluster_parser(workers: int | None, scheduler: str | None, batch: int | None, jobs: int, model: str | None,
                   refine: bool = False) -> Any:
    """A ClusterParser when --workers or --scheduler was given, else None (parse here); `refine`
    as `pipeline.parse_many` takes it (`reader suggest`)."""
    if workers is None and scheduler is None:
        if batch is not None:
            raise ReaderError("--batch goes with --workers or --scheduler")
        return None
    if workers is not None and scheduler is not None:
        raise ReaderError("--workers starts a local cluster and --scheduler uses another: give one of them")
    if jobs != 1:
        raise ReaderError("--jobs parses in processes of this machine; with a cluster use --workers")
    from reader.cluster import BATCH, ClusterParser

    return ClusterParser(workers=workers, scheduler=scheduler, model=model, batch=batch or BATCH, refine=refine)


class Bar:
    """A progress bar on stderr when it is a terminal: articles done of an estimated total,
    articles per second and the time left."""

    def __init__(self, targets: tuple[str, ...], verb: str, *, enabled: bool) -> None:
        self.progress = None
        self.task = None
        self.started = time.monotonic()
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        from reader.ingest.count import count_articles

        class Speed(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(f"{task.speed:.1f} articles/s" if task.speed else "… articles/s")

        err = Console(stderr=True, highlight=False, soft_wrap=True)
        if not err.is_terminal:
            return
        self.progress = Progress(SpinnerColumn(), TextColumn(verb), BarColumn(), MofNCompleteColumn(), Speed(),
                                 TimeRemainingColumn(), TimeElapsedColumn(), console=err, transient=True)
        self.progress.start()
        self.task = self.progress.add_task(verb, total=count_articles(targets) or None)

    def advance(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()

    def rate(self, done: int) -> str:
        seconds = max(time.monotonic() - self.started, 1e-6)
        return f"{done / seconds:.1f} articles/s"


@cli.command("suggest")
@click.argument("targets", nargs=-1, required=True)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write: .jsonl (one sentence a line) or .parquet.")
@shared("model")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes for parsing (without a cluster).")
@click.option("--max-bytes", type=click.IntRange(1), default=None, envvar="READER_MAX_BYTES", help="Largest input accepted, in bytes.")
@click.option("--timeout", type=click.FloatRange(0.1), default=None, help="Seconds to wait for a URL.")
@cluster_options
@click.pass_context
def suggest_command(ctx: click.Context, targets: tuple[str, ...], output: Path, jobs: int, max_bytes: int | None, timeout: float | None,
                    workers: int | None, scheduler: str | None, batch: int | None, **given: Any) -> None:
    """Write every sentence of the TARGETS with its suggestion and commitment slots, storing nothing.

    TARGETS are what `reader import` takes (files, folders, URLs, - for stdin). Each sentence is
    one record of OUTPUT (.jsonl or .parquet): article id, title, source, offsets, text, the
    suggested label with its score and scores, and for a suggested commitment its actor, action
    and time. Add --workers N or --scheduler ADDRESS to parse on a Dask cluster.
    """
    from reader import apply
    from reader.cluster import ClusterError
    from reader.ingest import Limits
    from reader.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

    opts = Options.of(ctx, given)
    try:
        kind = apply.output_format(output)
    except ValueError as exc:
        raise ReaderError(str(exc)) from None
    _say_which_labels(opts)
    remote = cluster_parser(workers, scheduler, batch, jobs, opts.model, refine=True)
    limits = Limits(max_bytes=max_bytes or DEFAULT_MAX_BYTES, timeout=timeout or DEFAULT_TIMEOUT)
    report = apply.SuggestReport()
    bar = Bar(targets, "suggesting", enabled=True)

    def notify(kind_: str, item: Any) -> None:
        if kind_ == "failed":
            say_error(f"{item.source}: {item.reason}")
        elif kind_ == "skipped":
            click.echo(f"reader: note: skipped {one_line(item.source)}: {one_line(item.reason)}", err=True)
            return
        bar.advance()

    def parsed(articles: Any) -> Any:
        return _parsed(articles, remote, opts.model, jobs)

    try:
        with remote if remote is not None else nullcontext():
            apply.write(output, kind, parsed(apply.articles_of(targets, limits, report, notify)), report, notify)
            size = remote.size if remote is not None else 0
    except ClusterError as exc:
        raise ReaderError(str(exc)) from None
    except OSError as exc:
        raise ReaderError(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        bar.stop()
    click.echo(_summary(report, output, size, bar), err=True)
    sys.exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


def _say_which_labels(opts: Options) -> None:
    """`reader suggest` applies the shipped model, whatever label set is in force: a config.toml
    of one's own labels got commitment, claim and background back, and not a word said."""
    from reader.model import LabelSet

    try:
        label_set = opts.label_set()
    except ReaderError:
        return  # suggest does not use the label set: a bad one is for the commands that do
    if not label_set.is_default:
        click.echo(f"reader: note: reader suggest applies the shipped model, whose labels are {LabelSet().key}, "
                   f"not your label set ({label_set.key}): the suggestions of a model `reader train` kept for "
                   "yours are in the reader, and `reader export --suggestions` writes them", err=True)


def _parsed(articles: Any, remote: Any, model: str | None, jobs: int) -> Any:
    """The articles' parses, on the cluster or here; nothing is started when there are none."""
    first = next(articles, None)
    if first is None:
        return iter(())

    def chained() -> Any:
        yield first
        yield from articles

    if remote is not None:
        return remote(chained())
    from reader import nlp
    from reader.pipeline import parse_many

    return parse_many(nlp.load(model), chained(), jobs=jobs, refine=True)


def _summary(report: Any, output: Path, size: int, bar: Bar) -> str:
    parts = [f"{counted(report.sentences, 'sentence')} of {counted(report.articles, 'article')} written to {one_line(str(output))}"]
    if report.already:
        parts.append(f"{report.already} repeated")
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    if size:
        parts.append(f"{bar.rate(report.articles)} on {size} worker{'s' if size != 1 else ''}")
    return ", ".join(parts)

