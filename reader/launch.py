"""What opening the reader needs, without Click: the shared options' names and environment
variables, `Options`, the user-facing errors and their exit codes, and the open itself.

Two ways lead here: the Click command line (`reader.cli`, for every command, `reader open` and
any doubt) and the console script's plain open (`reader.__main__`), which opens `reader`,
`reader ARTICLE` and `reader --db DB ARTICLE` without importing Click at all. Both call
`open_reader` with the same `Options` and turn errors into the same line and exit code
(`exit_code`), so the two cannot drift apart.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class ReaderError(Exception):
    """A user-facing error: one line, exit code 2."""


def echo_error(line: str) -> None:
    """One line on stderr, as click.echo writes it (Click is imported only when there is an error)."""
    import click

    click.echo(line, err=True)


def say_error(message: str) -> None:
    echo_error(f"reader: {one_line(message)}")


def one_line(message: str) -> str:
    from reader.sanitize import clean_field

    return clean_field(message) or "error"


# --- options every command understands, before or after its name ----------------------------

# name: (flag, environment variable read before the command's name, help)
SHARED_OPTIONS: dict[str, tuple[str, str | None, str]] = {
    "db_path": ("--db", "READER_DB", "Database file (default: reader.db in your user-data folder; env READER_DB)."),
    "annotator": ("--annotator", "READER_ANNOTATOR", "Your name, recorded with every label (env READER_ANNOTATOR; default: login name)."),
    "labels_spec": ("--labels", "READER_LABELS", "Comma-separated labels, keys 1-9 in order (env READER_LABELS; default: commitment,claim,background)."),
    "model": ("--model", "READER_MODEL", "spaCy pipeline to parse with (env READER_MODEL)."),
    "config_path": ("--config", None, "Config file (default: config.toml in your user-config folder; env READER_CONFIG)."),
}
PATH_OPTIONS = frozenset({"db_path", "config_path"})  # given as paths: a folder or an unreadable file is refused

# Where each command lives: a run imports only the module of the command it runs (`reader
# ARTICLE` loads reader.cli.articles, never the modules of export or agreement). A test checks
# that this lists every command the modules register.
COMMANDS = {
    "open": "articles", "commitments": "articles", "import": "articles", "list": "articles",
    "export": "datasets", "stats": "datasets", "backup": "datasets",
    "train": "learning", "refresh": "learning", "_work": "learning",
    "agreement": "team", "review": "team", "assign": "team", "merge": "team",
    "serve": "serve",
    "suggest": "archive",
}


@dataclass(frozen=True)
class Options:
    """The shared options as one command sees them."""

    db_path: Path | None
    annotator: str | None
    labels_spec: str | None
    model: str | None
    config_path: Path | None
    annotator_typed: bool  # --annotator was typed before the command (not from the environment)

    @classmethod
    def of(cls, ctx: Any, given: dict[str, Any]) -> Options:
        """From a Click context (the options before the command) and the command's own."""
        from click.core import ParameterSource

        root = ctx.find_root()
        before = root.params
        values = {name: given.get(name) if given.get(name) is not None else before.get(name) for name in SHARED_OPTIONS}
        typed = root.get_parameter_source("annotator") == ParameterSource.COMMANDLINE
        return cls(**values, annotator_typed=typed)

    def settings(self) -> Any:
        """The configuration file's settings (the keymap, retrain_every)."""
        from reader import config

        try:
            return config.load(self.config_path)
        except ValueError as exc:
            raise ReaderError(str(exc)) from None

    def label_set(self) -> Any:
        from reader import config
        from reader.model import LabelSet

        try:
            return LabelSet.parse(self.labels_spec) if self.labels_spec else config.load(self.config_path).labels or LabelSet()
        except ValueError as exc:
            raise ReaderError(str(exc)) from None

    def who(self) -> str:
        """The annotator running the command: --annotator, the config file, the login name."""
        from reader import config

        try:
            return config.check_annotator(self.annotator or config.load(self.config_path).annotator or default_annotator())
        except ValueError as exc:
            raise ReaderError(str(exc)) from None


def served() -> bool:
    """True in a session of `reader serve`: the app talks to a browser, so needs no terminal."""
    from reader.serve import in_session

    return in_session()


def default_annotator() -> str:
    try:
        return getpass.getuser() or "anonymous"
    except (KeyError, OSError):
        return "anonymous"


def open_store(db_path: Path | None, *, readonly: bool = False) -> Any:
    """The database; a reading command never creates one (it says there is none instead)."""
    from reader.store import Store, default_path

    return Store(db_path or default_path(), readonly=readonly)


# --- the open ------------------------------------------------------------------------------


def open_reader(opts: Options, targets: tuple[str, ...], *, jobs: int, max_bytes: int, timeout: float, start: str | None = None) -> None:
    """Open the reader: the library, or the first target (imported first, unparsed); exits."""
    settings = opts.settings()
    labels = opts.label_set()
    annotator = opts.who()
    piped = "-" in targets and not sys.stdin.isatty()
    # a terminal first: reader.serve is imported only when there is none
    if (not sys.stdout.isatty() or not (sys.stdin.isatty() or piped)) and not served():
        raise ReaderError("the reader needs a terminal; in scripts use `reader import` and `reader export`")
    store = open_store(opts.db_path)
    article_id = None
    status = EXIT_OK
    if targets:
        # Stored unparsed: the article shows at once and is parsed in the background.
        report = run_import(store, targets, model=opts.model, jobs=jobs, max_bytes=max_bytes, timeout=timeout, quiet=True, parse=False,
                            labels=labels)
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


def _keyboard_from_terminal() -> None:
    """After an article came in on stdin (`echo text | reader -`), read keys from the terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise ReaderError("the article was read from stdin, but there is no terminal to read keys from") from None
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - fd 0 lives as long as we do


def _load_model(model: str | None) -> Any:
    # reader.nlp only when a text is parsed: opening an article stores it unparsed.
    from reader import nlp

    return nlp.load(model)


def run_import(store: Any, targets: tuple[str, ...], *, model: str | None, jobs: int, max_bytes: int, timeout: float, quiet: bool,
               parse: bool = True, cluster: Any = None, progress: Any = None, labels: Any = None) -> Any:
    """Import and report; `cluster` (a reader.cluster.ClusterParser) parses on a Dask cluster;
    `progress` is the class of the progress bar (reader.cli.archive.Bar), None for none;
    `labels` the label set in force (a label of an export outside it is refused)."""
    from contextlib import nullcontext

    from rich.console import Console

    from reader.ingest import Limits
    from reader.pipeline import import_targets

    cluster_errors: tuple[type[Exception], ...] = ()  # reader.cluster only for a parse on a cluster
    if cluster is not None:
        from reader.cluster import ClusterError

        cluster_errors = (ClusterError,)
    out = Console(highlight=False, soft_wrap=True)
    bar: Any = progress(targets, "importing", enabled=not quiet) if progress is not None else _NoBar()

    def on_event(kind: str, item: Any) -> None:
        from rich.text import Text

        if kind == "failed":
            say_error(f"{item.source}: {item.reason}")
        elif kind == "skipped":
            echo_error(f"reader: note: skipped {one_line(item.source)}: {one_line(item.reason)}")
        elif kind == "restored" and not quiet:
            restore, added, labels, remarks, suggestions = item
            word = "restored" if added else "already imported,"
            extra = "".join(f", {n} {what}" for n, what in ((remarks, "notes and unsure marks"), (suggestions, "suggestions")) if n)
            out.print(Text(f"{word} {restore.article_id} {restore.article.title or ''}: {labels} label{'' if labels == 1 else 's'} added{extra}"))
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
                labels=labels.names if labels is not None else None,
            )
            size = cluster.size if cluster is not None else 0
    except cluster_errors as exc:
        raise ReaderError(str(exc)) from None
    finally:
        bar.stop()
    if size and not quiet:
        n = len(report.imported)
        echo_error(f"parsed {n} article{'s' if n != 1 else ''} on {size} worker{'s' if size != 1 else ''}, {bar.rate(n)}")
    if not quiet:
        parts = [f"{len(report.imported)} imported", f"{len(report.already)} already there"]
        if report.restored:
            parts.append(f"{len(report.restored)} restored from reader exports (labels: {report.labels_taken} taken, "
                         f"{report.labels_refused} refused, {report.labels_skipped} skipped: here already or none given; "
                         f"notes and unsure marks: {report.remarks_taken} taken; suggestions: {report.suggestions_taken} taken)")
        if report.failed:
            parts.append(f"{len(report.failed)} failed")
        if report.skipped:
            parts.append(f"{len(report.skipped)} skipped")
        echo_error(", ".join(parts))
    return report


class _NoBar:
    """No progress bar: the quiet import of an open shows none."""

    def advance(self) -> None:
        pass

    def stop(self) -> None:
        pass


# --- errors --------------------------------------------------------------------------------


def interrupt(signum: int, frame: object) -> None:
    """The SIGTERM handler: unwind like ctrl+c, so transactions roll back and partial exports are removed."""
    raise KeyboardInterrupt


def exit_code(exc: BaseException) -> int | None:
    """Say what went wrong in one stderr line and give the exit code; None for an exception
    that is no user's mistake (a bug: the caller re-raises it, traceback and all)."""
    from reader.store import StoreError

    if isinstance(exc, KeyboardInterrupt):
        say_error("interrupted")
        return EXIT_INTERRUPTED
    if isinstance(exc, (ReaderError, StoreError)):
        say_error(str(exc))
        return EXIT_USAGE
    if isinstance(exc, BrokenPipeError):
        # The reader of our output went away (`reader export | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    # reader.nlp (and spaCy's checks) are imported only by the commands that parse: a
    # ModelUnavailable can come only from a run that imported it.
    nlp = sys.modules.get("reader.nlp")
    if nlp is not None and isinstance(exc, nlp.ModelUnavailable):
        say_error(str(exc))
        return EXIT_USAGE
    return None
