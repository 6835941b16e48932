"""The console script's plain open (reader.__main__) against the Click command line (reader.cli).

`reader`, `reader ARTICLE` and `reader --db DB ARTICLE` open the app without importing Click;
everything else goes through Click as typed. Here both ways run as real processes with the same
arguments and must give the same result: the same error line and exit code, the same screen in a
real terminal, the same labels in the database.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from reader.__main__ import plain_open
from reader.store import Store
from tests.conftest import cli_env

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "The harbour board said on Monday that it will rebuild the north pier by the end of next year.\n\n"
    "Fishermen have complained about the broken planks for a decade.\n\n"
    "Critics say the plan is too small for the town's growing fleet.\n"
)


def console_script(tmp_path: Path) -> Path:
    """The `reader` script as pip writes it from pyproject.toml's [project.scripts]."""
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["reader"]
    module, func = entry.split(":")
    script = tmp_path / "bin" / "reader"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom {module} import {func}\nif __name__ == '__main__':\n"
                      f"    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit({func}())\n")
    return script


def click_script(tmp_path: Path) -> Path:
    """The Click command line (what the console script was before the plain open)."""
    script = tmp_path / "bin" / "reader-click"
    script.parent.mkdir(exist_ok=True)
    script.write_text("import sys\nfrom reader.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n")
    return script


def ways(tmp_path: Path) -> dict[str, Path]:
    """The two ways in: the console script and the Click command line."""
    return {"script": console_script(tmp_path), "click": click_script(tmp_path)}


# Runs a script as `python SCRIPT` does and, at exit, writes the names of the modules it loaded.
TRACED = "import atexit, runpy, sys\nout, script = sys.argv[1:3]\nsys.argv = sys.argv[2:]\n" \
         "atexit.register(lambda: open(out, 'w').write('\\n'.join(sys.modules)))\nrunpy.run_path(script, run_name='__main__')\n"


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "pier.txt"
    path.write_text(TEXT)
    return path


def _cases(tmp_path: Path, article: Path) -> list[tuple[list[str], dict[str, str], int, str]]:
    """(argv, environment, exit code, a part of stderr) for runs without a terminal."""
    db = str(tmp_path / "r.db")
    bad = tmp_path / "bad.toml"
    bad.write_text("annotator = [\n")
    unreadable = tmp_path / "unreadable.db"
    return [
        (["--db", db, str(article)], {}, 2, "needs a terminal"),  # the plain open: its own error
        ([str(article), "--db", db], {}, 2, "needs a terminal"),
        (["--db", db], {}, 2, "needs a terminal"),
        (["--db", db, "--config", str(bad), str(article)], {}, 2, "not valid TOML"),
        (["--db", db, str(article), "--labels", "a,a"], {}, 2, "label twice"),
        (["--db", db, str(tmp_path / "missing.txt")], {}, 2, "neither a command nor a file"),  # through Click
        (["--db", str(tmp_path), str(article)], {}, 2, "is a directory"),
        ([str(article)], {"READER_DB": str(tmp_path)}, 2, "is a directory"),
        (["--db", db, str(article), "--db", str(unreadable)], {}, 2, "not readable"),
        (["--db", db, str(article), "--jobs", "0"], {}, 2, "--jobs"),
        (["--db", db, str(article)], {"READER_MAX_BYTES": "0"}, 2, "--max-bytes"),
        (["--db", db, str(article)], {"READER_MAX_BYTES": "many"}, 2, "--max-bytes"),
        (["--db"], {}, 2, "requires an argument"),
        (["--db", db, "--unknown", str(article)], {}, 2, "No such option"),
        (["--help"], {}, 0, ""),
        (["--version"], {}, 0, ""),
    ]


def test_without_a_terminal_both_ways_give_the_same_line_and_exit_code(tmp_path: Path, article: Path) -> None:
    unreadable = tmp_path / "unreadable.db"
    unreadable.write_text("")
    unreadable.chmod(0)
    if os.access(unreadable, os.R_OK):
        unreadable.chmod(0o600)
        unreadable.unlink()  # as root every file is readable: that case opens, so it is left out
    starts = ways(tmp_path)
    for argv, env, code, needle in _cases(tmp_path, article):
        if "unreadable.db" in " ".join(argv) and not unreadable.exists():
            continue
        results = {}
        for way, start in starts.items():
            proc = subprocess.run([sys.executable, str(start), *argv], capture_output=True, text=True, env=cli_env(**env), cwd=tmp_path, timeout=120)
            results[way] = (proc.returncode, proc.stdout, proc.stderr)
            assert not (tmp_path / "r.db").exists(), (way, argv)  # nothing is stored before the terminal check
        assert results["script"] == results["click"], argv
        assert results["click"][0] == code and needle in results["click"][2], (argv, results["click"])
        assert "Traceback" not in results["script"][2]


def test_the_plain_open_reads_its_arguments_as_click_does(tmp_path: Path, article: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("READER_DB", "READER_ANNOTATOR", "READER_LABELS", "READER_MODEL", "READER_MAX_BYTES", "_READER_COMPLETE"):
        monkeypatch.delenv(name, raising=False)
    opts, targets, max_bytes = plain_open(["--db", "a.db", "--annotator", "ann", "pier.txt", "--db=b.db", "--model", "m"])
    assert (opts.db_path, opts.annotator, opts.model, opts.labels_spec, opts.config_path) == (Path("b.db"), "ann", "m", None, None)
    assert opts.annotator_typed and targets == ("pier.txt",) and max_bytes == 20 * 1024 * 1024
    monkeypatch.setenv("READER_ANNOTATOR", "env")
    monkeypatch.setenv("READER_DB", "env.db")
    monkeypatch.setenv("READER_MAX_BYTES", "1000")
    opts, targets, max_bytes = plain_open(["pier.txt", "--annotator", "after"])
    assert (opts.db_path, opts.annotator, opts.annotator_typed, max_bytes) == (Path("env.db"), "after", False, 1000)
    opts, targets, _ = plain_open([])
    assert (opts.db_path, opts.annotator, targets) == (Path("env.db"), "env", ())
    monkeypatch.setenv("READER_DB", "")  # empty is none, as Click reads it
    assert plain_open([])[0].db_path is None
    (tmp_path / "list").write_text("a file named like a command")
    for doubt in (["--help"], ["-h"], ["--version"], ["list"], ["open", "pier.txt"], ["pier.txt", "pier.txt"], ["-"],
                  ["--", "pier.txt"], ["missing.txt"], ["pier.txt", "--jobs", "2"], ["pier.txt", "-j", "2"],
                  ["--db", "--help"], ["--db"], ["--db="], ["--db", "a", "--db", "b"], ["--db", str(tmp_path)]):
        assert plain_open(doubt) is None, doubt
    monkeypatch.setenv("_READER_COMPLETE", "bash_complete")
    assert plain_open(["pier.txt"]) is None


# --- in a real terminal ----------------------------------------------------------------------


def _run_in_tmux(name: str, command: str, tmp_path: Path) -> tuple[str, str]:
    """Run `command` in tmux until the article shows, label its first sentence, quit; the
    first screen and the exit line."""
    done = tmp_path / f"{name}.exit"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
                    f"{command}; echo $? > {shlex.quote(str(done))}; sleep 60"],
                   check=True, env={**cli_env(), "TERM": "xterm-256color"})

    def screen() -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout

    def wait_for(needle: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if needle in (text := screen()):
                return text
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared; the screen shows:\n{screen()}")

    try:
        first = wait_for("sentence 1/3")
        subprocess.run(["tmux", "send-keys", "-t", name, "1"], check=True)
        wait_for("sentence 2/3")
        subprocess.run(["tmux", "send-keys", "-t", name, "q"], check=True)
        wait_for("article")
        subprocess.run(["tmux", "send-keys", "-t", name, "q"], check=True)
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return first, done.read_text().strip()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_in_a_terminal_both_ways_open_the_same_screen_and_store_the_same_label(tmp_path: Path, article: Path) -> None:
    config = tmp_path / "none.toml"
    config.write_text("")
    results = {}
    for way, start in ways(tmp_path).items():
        db = tmp_path / f"{way}.db"
        Store(db).close()  # a database made before: a new one loads sqlite-utils, which loads Click
        trace = tmp_path / f"{way}.modules"
        argv = [sys.executable, "-c", TRACED, str(trace), str(start), "--db", str(db), "--annotator", "pat", str(article), "--config", str(config)]
        first, code = _run_in_tmux(f"plain-{way}-{os.getpid()}", shlex.join(argv), tmp_path)
        exported = subprocess.run([sys.executable, "-m", "reader", "export", "--db", str(db)], capture_output=True, text=True,
                                  env=cli_env(), timeout=120)
        labels = [(r["text"], r["label"], r["annotator"]) for r in map(json.loads, exported.stdout.splitlines())]
        results[way] = (first, code, labels, "click" in trace.read_text().split())
    assert results["script"][:3] == results["click"][:3]
    assert results["click"][1] == "0" and results["click"][2] == [(TEXT.split("\n")[0], "commitment", "pat")]
    assert results["click"][3] and not results["script"][3]  # the plain open never loads Click
