"""`python -m reader` and the `reader` console script.

The plain open (`reader`, `reader ARTICLE`, `reader --db DB ARTICLE`: at most one existing file
and the shared options --db, --annotator, --labels, --model, --config before or after it) starts
the app from here without importing Click, which is about a tenth of the time to the first paint.
It reads the arguments as the Click command line does and calls the same `open_reader` with the
same `Options`. Anything else, and anything this reading is not sure of (another option, a
command's name, --help, a path that is not there, an option's value that looks like an option),
goes to the Click command line (`reader.cli.main`) as typed, so its errors, help and exit codes
are Click's own.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """Entry point: the plain open here, everything else through Click."""
    plain = plain_open(sys.argv[1:] if argv is None else list(argv))
    if plain is None:
        from reader.cli import main as click_main

        click_main(argv)
    else:
        _open(*plain)


def plain_open(args: list[str]) -> tuple[Any, tuple[str, ...], int] | None:
    """(Options, targets, max_bytes) for the plain open as Click would parse `args`, or None
    when `args` is anything else or Click could answer them with an error."""
    from reader.launch import COMMANDS, PATH_OPTIONS, SHARED_OPTIONS, Options

    if os.environ.get("_READER_COMPLETE"):  # Click's shell completion
        return None
    split = _split(args, {flag: name for name, (flag, _, _) in SHARED_OPTIONS.items()}, COMMANDS)
    if split is None:
        return None
    before, after, targets = split
    typed = set(before)
    for name, (_, env, _) in SHARED_OPTIONS.items():
        if name not in before and env and os.environ.get(env):
            before[name] = os.environ[env]  # the group reads the environment (an empty value is none)
    if any(not _readable_file_path(v) for given in (before, after) for name, v in given.items() if name in PATH_OPTIONS):
        return None
    values: dict[str, Any] = {name: after.get(name, before.get(name)) for name in SHARED_OPTIONS}
    for name in PATH_OPTIONS:
        if values[name] is not None:
            from pathlib import Path

            values[name] = Path(values[name])
    max_bytes = _max_bytes() if targets else _default_max_bytes()
    if max_bytes is None:
        return None
    return Options(**values, annotator_typed="annotator" in typed), tuple(targets), max_bytes


def _split(args: list[str], flags: dict[str, str], commands: Any) -> tuple[dict[str, str], dict[str, str], list[str]] | None:
    """The shared options typed before the target (the group's), after it (the open command's)
    and the target, as Click's parser reads them; None for anything else."""
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    targets: list[str] = []
    seen = before
    rest = iter(args)
    for arg in rest:
        if arg.startswith("--") and len(arg) > 2:
            flag, eq, value = arg.partition("=")
            name = flags.get(flag)
            if name is None or name in seen:
                return None
            if not eq:
                value = next(rest, "")
            if not value or value.startswith("-"):
                return None
            seen[name] = value
        elif arg.startswith("-") or targets or arg in commands or not os.path.lexists(arg):
            return None  # a short option, "--", "-" (stdin), a second target, a command, or nothing to open
        else:
            targets.append(arg)
            seen = after
    return before, after, targets


def _readable_file_path(value: str) -> bool:
    """What click.Path(dir_okay=False) accepts: a path that is not there, or a readable non-folder."""
    try:
        mode = os.stat(value).st_mode
    except OSError:
        return True
    return not stat.S_ISDIR(mode) and os.access(value, os.R_OK)


def _default_max_bytes() -> int:
    from reader.limits import DEFAULT_MAX_BYTES

    return DEFAULT_MAX_BYTES


def _max_bytes() -> int | None:
    """--max-bytes from READER_MAX_BYTES as the open command reads it (an integer ≥ 1), else its
    default; None for a value Click would refuse."""
    raw = os.environ.get("READER_MAX_BYTES")
    if not raw:
        return _default_max_bytes()
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 1 else None


def _open(options: Any, targets: tuple[str, ...], max_bytes: int) -> None:
    """Open as reader.cli.main runs the open command, with its errors and exit codes."""
    import errno
    import signal

    from reader.launch import EXIT_INTERRUPTED, echo_error, exit_code, interrupt, open_reader, say_error
    from reader.limits import DEFAULT_TIMEOUT

    signal.signal(signal.SIGTERM, interrupt)
    try:
        try:
            open_reader(options, targets, jobs=1, max_bytes=max_bytes, timeout=DEFAULT_TIMEOUT)
        except (EOFError, KeyboardInterrupt):
            echo_error("")  # as Click does: a blank line closes the terminal's ^C
            say_error("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            from click.utils import _PacifyFlushWrapper  # as Click does with a closed pipe

            sys.stdout = _PacifyFlushWrapper(sys.stdout)
            sys.stderr = _PacifyFlushWrapper(sys.stderr)
            sys.exit(1)
    except (Exception, KeyboardInterrupt) as exc:
        code = exit_code(exc)
        if code is None:
            raise
        sys.exit(code)


if __name__ == "__main__":
    main()
