"""What a run imports: only what the command needs. `reader ARTICLE` loads the open command's
module, not those of export, train or agreement; `reader agreement` loads numpy only when there
is agreement to compute."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import reader.cli
from reader.store import Store

PROBE = """
import json, sys
from reader.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith(("reader", "numpy", "krippendorff", "spacy", "textual")))}))
"""


def _run(*argv: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_command_table_names_every_command_the_modules_register() -> None:
    for module in pkgutil.iter_modules(reader.cli.__path__):
        importlib.import_module(f"reader.cli.{module.name}")
    assert set(reader.cli.cli.commands) == set(reader.cli.COMMANDS)
    for name, module in reader.cli.COMMANDS.items():
        assert reader.cli.cli.commands[name].callback.__module__ == f"reader.cli.{module}"


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    Store(db).close()
    run = _run("--db", str(db), "list")
    assert run["code"] == 0
    loaded = set(run["modules"])
    assert "reader.cli.articles" in loaded
    assert not loaded & {"reader.cli.datasets", "reader.cli.team", "reader.cli.learning", "reader.nlp", "reader.tui", "numpy", "spacy", "textual"}


def test_agreement_with_nothing_to_compare_loads_no_numpy(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    Store(db).close()
    run = _run("agreement", "--db", str(db))
    assert run["code"] == 2
    assert "reader.team.agreement" in run["modules"]
    assert not {"numpy", "krippendorff"} & set(run["modules"])


def test_an_unknown_command_still_gets_a_hint_from_every_command(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "reader", "agrement"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert "did you mean `reader agreement`" in proc.stderr and "Traceback" not in proc.stderr
