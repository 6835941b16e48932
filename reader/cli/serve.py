"""`reader serve`: the app in a browser for a team, behind per-annotator tokens."""

from __future__ import annotations

import socket
import sys
from typing import Any

import click

from reader.cli import EXIT_INTERRUPTED, EXIT_OK, Options, ReaderError, cli, open_store, output_console, shared


@cli.command("serve")
@shared("db_path", "model", "labels_spec", "config_path")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but this machine's loopback needs annotators with tokens.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--max-sessions", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="At most this many browser sessions (one reader process each); more get a 'server full' page.")
@click.option("--idle-minutes", type=click.FloatRange(0.01), default=30.0, show_default=True,
              help="A session with no key for this long ends (its labels are already stored).")
@click.option("--public-url", metavar="URL", help="The address people reach the server at (behind a reverse proxy), for printed links.")
@click.option("--add-annotator", "add", metavar="NAME", help="Give NAME a fresh token and print their link (replaces an earlier token).")
@click.option("--reviewer", is_flag=True, help="With --add-annotator: the link opens the review screen.")
@click.option("--revoke", metavar="NAME", help="Take NAME's token away; their open session ends within the minute.")
@click.option("--tokens", "list_tokens", is_flag=True, help="List who holds a token.")
@click.option("--status", is_flag=True, help="Report the running servers: sessions, annotators, memory.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, max_sessions: int, idle_minutes: float, public_url: str | None,
                  add: str | None, reviewer: bool, revoke: str | None, list_tokens: bool, status: bool, **given: Any) -> None:
    """Serve the reader to browsers: each annotator opens their own link (see --add-annotator)."""
    opts = Options.of(ctx, given)
    chosen = [name for name, on in (("--add-annotator", add is not None), ("--revoke", revoke is not None),
                                    ("--tokens", list_tokens), ("--status", status)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{chosen[0]} and {chosen[1]} cannot be given together")
    if reviewer and add is None:
        raise click.UsageError("--reviewer goes with --add-annotator NAME")
    if status:
        _status(port if ctx.get_parameter_source("port") == click.core.ParameterSource.COMMANDLINE else None)
    elif add is not None:
        _add(opts, add, reviewer, _base_url(host, port, public_url))
    elif revoke is not None:
        _revoke(opts, revoke)
    elif list_tokens:
        _list(opts)
    else:
        _serve(opts, host, port, max_sessions, idle_minutes, public_url)


def _name(name: str) -> str:
    from reader import config

    try:
        return config.check_annotator(name)
    except ValueError as exc:
        raise ReaderError(str(exc)) from None


def _base_url(host: str, port: int, public_url: str | None) -> str:
    if public_url:
        return public_url.rstrip("/")
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def _add(opts: Options, name: str, reviewer: bool, base: str) -> None:
    from reader.serve import hash_token, new_token

    name = _name(name)
    token = new_token()
    with open_store(opts.db_path) as store:
        replaced = store.set_token(name, hash_token(token), reviewer=reviewer)
    click.echo(f"{base}/?token={token}")
    role = "reviewer" if reviewer else "annotator"
    note = "; their earlier link no longer works" if replaced else ""
    click.echo(f"reader: {role} {name}'s link (shown once: the database keeps only a hash of it){note}", err=True)


def _revoke(opts: Options, name: str) -> None:
    with open_store(opts.db_path) as store:
        if not store.revoke_token(name):
            raise ReaderError(f"{name!r} holds no token (see `reader serve --tokens`)")
    click.echo(f"reader: {name}'s token is revoked; an open session of theirs ends within the minute", err=True)


def _list(opts: Options) -> None:
    from rich.table import Table
    from rich.text import Text

    with open_store(opts.db_path, readonly=True) as store:
        holders = store.token_holders()
    table = Table("annotator", "role", "since", title="who holds a token")
    for name, is_reviewer, created in holders:
        table.add_row(Text(name), "reviewer" if is_reviewer else "annotator", created)
    output_console().print(table)


def _status(port: int | None) -> None:
    from reader.serve import state

    servers = state.running(port)
    if not servers:
        where = f" on port {port}" if port is not None else ""
        click.echo(f"no reader serve is running{where} on this machine")
        return
    for server in servers:
        for line in state.report(server):
            click.echo(line)


def _serve(opts: Options, host: str, port: int, max_sessions: int, idle_minutes: float, public_url: str | None) -> None:
    from reader.serve import is_loopback

    with open_store(opts.db_path) as store:  # creates or brings the database forward once, here
        db_path = store.path.resolve()
        holders = store.token_holders()
    if not holders and not is_loopback(host):
        raise ReaderError(f"refusing to serve on {host}: no annotator has a token yet (reader serve --add-annotator NAME)")
    if not holders:
        click.echo("reader: no annotator has a token yet, so every page gets 401: reader serve --add-annotator NAME", err=True)
    try:
        from reader.serve.server import ReaderServer
    except ImportError as exc:
        raise ReaderError(f"reader serve needs textual-serve: pip install textual-serve ({exc})") from None
    app_args: list[str] = []
    for flag, value in (("--labels", opts.labels_spec), ("--model", opts.model), ("--config", opts.config_path)):
        if value is not None:
            app_args += [flag, str(value)]
    server = ReaderServer(db_path=db_path, host=host, port=port, max_sessions=max_sessions, idle_minutes=idle_minutes,
                          app_args=app_args, public_url=public_url)
    try:
        server.serve()
    except OSError as exc:
        raise ReaderError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    # ctrl+c is an interruption like any command's (the log has said so in its last line);
    # SIGTERM is how a service manager stops a server, and its stop is a clean one.
    sys.exit(EXIT_INTERRUPTED if server.stopped_by == "ctrl+c" else EXIT_OK)
