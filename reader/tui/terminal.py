"""Leaving when the terminal hangs up.

Started directly, the reader gets SIGHUP when its terminal closes (an SSH connection dropped, a
tmux session killed) and exits. Started under another program that is the terminal's session
leader (`make run`), the signal goes to that program, and the reader kept running on a terminal
that is gone: Textual's input thread found it readable at end of file and read it again at
once, 40-75 % of a core until someone killed it. Every label is already committed, so there is
nothing to save: the reader checks its terminal each second and leaves when it has hung up
(its attributes cannot be read: EIO), with the exit code of a hangup.
"""

from __future__ import annotations

import errno
import termios
from typing import Any

CHECK_SECONDS = 1.0
EXIT_HANGUP = 129  # 128 + SIGHUP, as a shell reports a process the hangup ended


def hung_up(driver: Any) -> bool:
    """Whether the terminal this Textual driver reads has hung up (False for a driver without
    one: headless, a browser's, a pipe)."""
    fd = getattr(driver, "fileno", None)
    if not isinstance(fd, int):
        return False
    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        return bool(exc.args) and exc.args[0] == errno.EIO
    except OSError as exc:
        return exc.errno == errno.EIO
    return False


def watch(app: Any) -> None:
    """Check the app's terminal every CHECK_SECONDS; exit the app once it has hung up."""

    def check() -> None:
        if hung_up(app._driver):
            app.exit(return_code=EXIT_HANGUP)

    app.set_interval(CHECK_SECONDS, check)
