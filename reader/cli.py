"""The command line: parse, call the core, print with rich.

Exit codes: 0 all good; 1 some inputs failed (each named on one stderr line, the rest still
imported); 2 a usage or environment error (one stderr line); 130 interrupted.
Nothing here imports textual or spaCy unless the command needs them.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

import click

from reader import __version__
from reader.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class ReaderError(Exception):
    """A user-facing error: one line, exit code 2."""


def say_error(message: str) -> None:
    click.echo(f"reader: {_one_line(message)}", err=True)


def _one_line(message: str) -> str:
    from reader.sanitize import clean_field

    return clean_field(message) or "error"


class DefaultGroup(click.Group):
    """`reader [TARGET...]` opens; anything that is not a command name is a target."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["open", *args]
        return super().parse_args(ctx, args)


def db_option(func: Any) -> Any:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="READER_DB",
        help="Database file (default: reader.db in your user-data folder; env READER_DB).",
    )(func)


def import_options(func: Any) -> Any:
    func = click.option("--model", envvar="READER_MODEL", help="spaCy pipeline to parse with (env READER_MODEL).")(func)
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


def open_store(db_path: Path | None, *, readonly: bool = False) -> Any:
    from reader.store import Store, default_path

    path = db_path or default_path()
    # Reading commands leave an existing database untouched; a missing one starts empty.
    return Store(path, readonly=readonly and path.exists())


def default_annotator() -> str:
    try:
        return getpass.getuser() or "anonymous"
    except (KeyError, OSError):
        return "anonymous"


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reader")
def cli() -> None:
    """Read news articles in the terminal and label every sentence as a dataset.

    With no command, `reader [TARGET...]` opens the reader: the library with no target,
    otherwise the first target (imported first if needed).
    """


@cli.command("open")
@click.argument("targets", nargs=-1)
@db_option
@import_options
@click.option("--annotator", envvar="READER_ANNOTATOR", help="Name recorded with every label (env READER_ANNOTATOR; default: login name).")
@click.option("--labels", "labels_spec", envvar="READER_LABELS", help="Comma-separated labels, keys 1-9 in order (default: commitment,claim,background).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Config file (default: config.toml in your user-config folder; env READER_CONFIG).")
def open_command(targets: tuple[str, ...], db_path: Path | None, model: str | None, jobs: int, max_bytes: int, timeout: float, annotator: str | None, labels_spec: str | None, config_path: Path | None) -> None:
    """Open the reader: the library, or the first TARGET (file, folder, URL or -)."""
    from reader import config
    from reader.model import LabelSet

    try:
        settings = config.load(config_path)
        labels = LabelSet.parse(labels_spec) if labels_spec else settings.labels or LabelSet()
        annotator = config.check_annotator(annotator or settings.annotator or default_annotator())
    except ValueError as exc:
        raise ReaderError(str(exc)) from None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ReaderError("the reader needs a terminal; in scripts use `reader import` and `reader export`")
    store = open_store(db_path)
    article_id = None
    status = EXIT_OK
    if targets:
        # Stored unparsed: the article shows at once and is parsed in the background.
        report = _run_import(store, targets, model=model, jobs=jobs, max_bytes=max_bytes, timeout=timeout, quiet=True, parse=False)
        if not report.ids:
            store.close()
            sys.exit(EXIT_SOME_FAILED)
        article_id = report.ids[0]
        status = EXIT_SOME_FAILED if report.failed else EXIT_OK
    from reader.tui.app import run

    run(
        store,
        labels=labels,
        annotator=annotator,
        article_id=article_id,
        model=model,
        keymap=settings.keymap,
    )
    sys.exit(status)


@cli.command("import")
@click.argument("targets", nargs=-1, required=True)
@db_option
@import_options
def import_command(targets: tuple[str, ...], db_path: Path | None, model: str | None, jobs: int, max_bytes: int, timeout: float) -> None:
    """Import articles: .txt, .md, .html/.htm, .jsonl files, folders, http(s) URLs, or - for stdin."""
    with open_store(db_path) as store:
        report = _run_import(store, targets, model=model, jobs=jobs, max_bytes=max_bytes, timeout=timeout, quiet=False)
    sys.exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


def _run_import(store: Any, targets: tuple[str, ...], *, model: str | None, jobs: int, max_bytes: int, timeout: float, quiet: bool, parse: bool = True) -> Any:
    from reader import nlp
    from reader.ingest import Limits
    from reader.pipeline import import_targets
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    progress = None
    task = None
    if err.is_terminal and not quiet:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(SpinnerColumn(), TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True)
        progress.start()
        task = progress.add_task("import", total=None)

    def on_event(kind: str, item: Any) -> None:
        from rich.text import Text

        if kind == "failed":
            say_error(f"{item.source}: {item.reason}")
        elif kind == "skipped":
            click.echo(f"reader: note: skipped {_one_line(item.source)}: {_one_line(item.reason)}", err=True)
        elif kind == "restored" and not quiet:
            restore, added, labels = item
            word = "restored" if added else "already imported,"
            out.print(Text(f"{word} {restore.article_id} {restore.article.title or ''}: {labels} labels added"))
        elif not quiet:
            word = "imported" if kind == "imported" else "already imported, nothing added:"
            out.print(Text(f"{word} {item.id} {item.title or item.source or ''}"))
        if progress is not None and kind in ("imported", "already"):
            progress.advance(task)

    try:
        report = import_targets(
            store,
            targets,
            load_model=lambda: nlp.load(model),
            jobs=jobs,
            limits=Limits(max_bytes=max_bytes, timeout=timeout),
            on_event=on_event,
            parse=parse,
        )
    finally:
        if progress is not None:
            progress.stop()
    if not quiet:
        parts = [f"{len(report.imported)} imported", f"{len(report.already)} already there"]
        if report.restored:
            parts.append(f"{len(report.restored)} restored from reader exports")
        if report.failed:
            parts.append(f"{len(report.failed)} failed")
        if report.skipped:
            parts.append(f"{len(report.skipped)} skipped")
        click.echo(", ".join(parts), err=True)
    return report


@cli.command("list")
@db_option
def list_command(db_path: Path | None) -> None:
    """List stored articles: id, title, sentences, labelled, source."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    with open_store(db_path, readonly=True) as store:
        rows = store.summaries()
    console = Console(highlight=False)
    if not console.is_terminal:
        click.echo("id\ttitle\tsentences\tlabelled\tsource")
        for r in rows:
            click.echo(f"{r.id}\t{_one_line(r.title)}\t{r.sentences}\t{r.labelled}\t{_one_line(r.source or '')}")
        return
    table = Table("id", "title", "sentences", "labelled", "source", title=f"{len(rows)} articles")
    for r in rows:
        table.add_row(Text(r.id[:12]), Text(r.title), str(r.sentences), str(r.labelled), Text(r.source or ""))
    console.print(table)


@cli.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "prodigy", "spacy", "csv"]), default="jsonl", show_default=True, help="jsonl, Prodigy's textcat records, a spaCy DocBin, or CSV.")
@click.option("--unit", type=click.Choice(["sentence", "article"]), default="sentence", show_default=True, help="One record per labelled sentence, or per article (jsonl only).")
@click.option("-o", "--output", default="-", show_default=True, help="Output file, or - for stdout.")
@click.option("--label", "labels", multiple=True, help="Only sentences with this label (repeatable).")
@click.option("--annotator", "annotators", multiple=True, help="Only this annotator's labels (repeatable).")
@click.option("--article", "articles", multiple=True, help="Only this article (id or unique id prefix; repeatable).")
@click.option("--all", "include_all", is_flag=True, help='Also unlabelled sentences, with "label": null.')
@click.option("--context", type=click.IntRange(0, 50), default=0, help="Add N sentences before and after each one.")
@click.option("--resolve", type=click.Choice(["majority", "latest"]), help="One record per sentence when several annotators labelled it.")
@click.option("--labels", "labels_spec", envvar="READER_LABELS", help="The label set (options for Prodigy, cats for spaCy).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Config file with the label set.")
def export_command(db_path: Path | None, fmt: str, unit: str, output: str, labels: tuple[str, ...], annotators: tuple[str, ...], articles: tuple[str, ...], include_all: bool, context: int, resolve: str | None, labels_spec: str | None, config_path: Path | None) -> None:
    """Export labelled sentences as a dataset (JSONL by default, one sentence per line)."""
    from reader import config
    from reader.export import Selection, export
    from reader.model import LabelSet

    if unit == "article" and fmt != "jsonl":
        raise ReaderError(f"--unit article is written as jsonl only, not {fmt}")
    if fmt == "spacy" and output in ("-", ""):
        raise ReaderError("--format spacy writes a binary DocBin: give a file with -o, e.g. -o train.spacy")
    try:
        label_set = LabelSet.parse(labels_spec) if labels_spec else config.load(config_path).labels or LabelSet()
    except ValueError as exc:
        raise ReaderError(str(exc)) from None
    with open_store(db_path, readonly=True) as store:
        if output not in ("-", ""):
            from reader.store import guard_export

            guard_export(Path(output), store.path)
        known = set(label_set.names) | set(store.label_counts())
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise ReaderError(f"unknown label {unknown[0]!r} (known: {', '.join(sorted(known))})")
        ids = _resolve_articles(store, articles) if articles else None
        selection = Selection(
            labels=frozenset(labels),
            annotators=frozenset(annotators),
            include_unlabelled=include_all,
            context=context,
            resolve=resolve,
            label_names=label_set.names,
        )
        try:
            count = export(store.dataset(ids), fmt=fmt, unit=unit, selection=selection, output=output)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise ReaderError(f"cannot write {output}: {exc.strerror or exc}") from None
    if output not in ("-", None):
        click.echo(f"exported {count} {unit}s to {output}", err=True)


def _resolve_articles(store: Any, prefixes: tuple[str, ...]) -> list[str]:
    ids: list[str] = []
    for prefix in prefixes:
        found = store.find_articles(prefix) if prefix else []
        if not found:
            raise ReaderError(f"unknown article {prefix!r} (see `reader list`)")
        if len(found) > 1:
            raise ReaderError(f"article id {prefix!r} is ambiguous: {len(found)} articles start with it")
        ids.append(found[0])
    return ids


@cli.command("stats")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON, for scripts.")
def stats_command(db_path: Path | None, as_json: bool) -> None:
    """Counts per label, per annotator and per article; labelled / total sentences."""
    import json

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    with open_store(db_path, readonly=True) as store:
        stats = store.stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    console.print(Text(f"{stats['labelled']}/{stats['sentences']} sentences labelled in {stats['articles']} articles", style="bold"))
    labels = Table("label", "sentences", title="per label")
    for label, count in stats["labels"].items():
        labels.add_row(Text(label), str(count))
    console.print(labels)
    people = Table("annotator", "label", "sentences", title="per annotator")
    for annotator, counts in stats["annotators"].items():
        for label, count in counts.items():
            people.add_row(Text(annotator), Text(label), str(count))
    console.print(people)
    articles = Table("id", "title", "labelled", "sentences", title="per article")
    for row in stats["per_article"]:
        articles.add_row(Text(row["id"][:12]), Text(row["title"] or ""), str(row["labelled"]), str(row["sentences"]))
    console.print(articles)


@cli.command("backup")
@click.argument("target", type=click.Path(path_type=Path))
@db_option
@click.option("--force", is_flag=True, help="Replace an earlier backup at TARGET.")
def backup_command(target: Path, db_path: Path | None, force: bool) -> None:
    """Copy the database to TARGET (a file, or a folder) safely, even while reader is running on it."""
    with open_store(db_path, readonly=True) as store:
        written = store.backup(target, force=force)
    click.echo(f"backed up {store.path} to {written}", err=True)


@cli.command("_work", hidden=True)
@click.argument("task", type=click.Choice(["parse"]))
@click.argument("ids", nargs=-1)
@db_option
@click.option("--model", envvar="READER_MODEL")
def work_command(task: str, ids: tuple[str, ...], db_path: Path | None, model: str | None) -> None:
    """Background work for the reader (reader.jobs): one JSON object per line on stdout."""
    import json

    from reader import nlp
    from reader.pipeline import parse_stored

    with open_store(db_path) as store:
        # The articles asked for first (the one on screen), then every other one not parsed yet.
        todo = list(dict.fromkeys([*ids, *store.unparsed()]))
        for article_id in parse_stored(store, todo, load_model=lambda: nlp.load(model)):
            click.echo(json.dumps({"parsed": article_id}))


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user mistake into one stderr line and an exit code."""
    import signal

    from reader.nlp import ModelUnavailable
    from reader.store import StoreError

    # SIGTERM unwinds like ctrl+c, so transactions roll back and partial exports are removed.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        cli.main(args=argv, prog_name="reader", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        sys.exit(EXIT_USAGE)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        say_error(f"{exc.format_message()}{hint}")
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        say_error(exc.format_message())
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        say_error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except (ReaderError, StoreError, ModelUnavailable) as exc:
        say_error(str(exc))
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        # The reader of our output went away (`reader export | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
    sys.exit(EXIT_OK)
