"""The command line: parse, call the core, print with rich.

Exit codes: 0 all good; 1 some inputs failed (each named on one stderr line, the rest still
imported); 2 a usage or environment error (one stderr line); 130 interrupted.
Nothing here imports textual or spaCy unless the command needs them.

The options several commands share (--db, --annotator, --labels, --model, --config) may come
before or after the command's name; a word that is neither a command nor an existing file,
folder or URL is a usage error with a "did you mean", and nothing is created.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from reader import __version__

# The Click-free parts, shared with the console script's plain open (reader.__main__).
from reader.launch import (  # noqa: F401 - the commands' modules import these from here
    COMMANDS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    PATH_OPTIONS,
    SHARED_OPTIONS,
    Options,
    ReaderError,
    default_annotator,
    exit_code,
    interrupt,
    one_line,
    open_store,
    say_error,
    served,
)


def output_console() -> Any:
    """A rich console for stdout. Piped into a file or another program it has no width to keep
    to: rich would assume 80 columns and wrap every table row and long line there, so it is given
    room enough that each row stays one line."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=PIPED_WIDTH)
    return console


PIPED_WIDTH = 100_000


# --- options every command understands, before or after its name ----------------------------

SHARED: dict[str, tuple[tuple[str, ...], str | None, dict[str, Any], str]] = {
    name: ((flag, name), env, {"type": click.Path(dir_okay=False, path_type=Path)} if name in PATH_OPTIONS else {}, help_text)
    for name, (flag, env, help_text) in SHARED_OPTIONS.items()
}


def shared(*names: str, group: bool = False) -> Any:
    """Add shared options to a command (without environment variables: the group reads those,
    so an option typed after the command wins over the environment and the one before it)."""

    def decorate(func: Any) -> Any:
        for name in reversed(names):
            decls, env, extra, help_text = SHARED[name]
            func = click.option(*decls, envvar=env if group else None, help=help_text, **extra)(func)
        return func

    return decorate


def resolve_articles(store: Any, prefixes: tuple[str, ...]) -> list[str]:
    """Article ids from ids or unique id prefixes; a usage error for an unknown or ambiguous one."""
    ids: list[str] = []
    for prefix in prefixes:
        found = store.find_articles(prefix) if prefix else []
        if not found:
            raise ReaderError(f"unknown article {prefix!r} (see `reader list`)")
        if len(found) > 1:
            raise ReaderError(f"article id {prefix!r} is ambiguous: {len(found)} articles start with it")
        ids.append(found[0])
    return ids


# --- the group -----------------------------------------------------------------------------


class ReaderGroup(click.Group):
    """`reader [TARGET...]` opens; a word that is no command must name something to open."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"reader.cli.{COMMANDS[cmd_name]}")  # its commands register themselves
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in sorted(set(COMMANDS.values())):
            importlib.import_module(f"reader.cli.{module}")
        return super().list_commands(ctx)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is not None:
            return name, command, args[1:]
        if name.startswith("-") and name != "-":
            return super().resolve_command(ctx, args)  # an unknown option: click says so
        if _openable(name):
            return "open", self.get_command(ctx, "open"), args
        import difflib

        visible = [n for n in self.list_commands(ctx) if not self.commands[n].hidden]
        close = difflib.get_close_matches(name, visible, n=1, cutoff=0.6)
        hint = f"; did you mean `reader {close[0]}`?" if close else f" (commands: {', '.join(sorted(visible))})"
        raise click.UsageError(f"{name!r} is neither a command nor a file, folder or URL{hint}", ctx)


def _openable(target: str) -> bool:
    from reader.ingest import is_url

    return target == "-" or is_url(target) or "://" in target or os.path.lexists(target)


@click.group(cls=ReaderGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reader")
@shared(*SHARED, group=True)
@click.pass_context
def cli(ctx: click.Context, **_: Any) -> None:
    """Read news articles in the terminal and label every sentence as a dataset.

    With no command, `reader [TARGET...]` opens the reader: the library with no target,
    otherwise the first target (imported first if needed). The options below may also be
    given after a command's name.
    """
    if ctx.invoked_subcommand is None:
        command = cli.get_command(ctx, "open")
        assert command is not None  # registered below
        ctx.invoke(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user mistake into one stderr line and an exit code."""
    import signal

    # SIGTERM unwinds like ctrl+c, so transactions roll back and partial exports are removed.
    signal.signal(signal.SIGTERM, interrupt)
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
    except click.Abort:
        say_error("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except (Exception, KeyboardInterrupt) as exc:
        code = exit_code(exc)
        if code is None:
            raise
        sys.exit(code)
    sys.exit(EXIT_OK)

