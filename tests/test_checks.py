"""The static checks that keep the code's shape: the import contracts in pyproject.toml.

`make lint` (run by `make test`) runs ruff, mypy and lint-imports on the repository. These tests
show the contracts bite: a copy of the package under tmp_path passes them as it is, and fails
them once a store module imports the UI. The repository itself is never touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e '.[test]')")


def _copy(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "reader", work / "reader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    return work


def _lint(work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(work / "pyproject.toml")],
        cwd=work,
        env={"PYTHONPATH": str(work), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contracts_pass_on_the_code_as_it_is(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module", ["labels.py", "db.py"])
def test_a_store_module_importing_the_ui_breaks_the_contracts(tmp_path: Path, module: str) -> None:
    work = _copy(tmp_path)
    planted = work / "reader" / "store" / module
    planted.write_text(planted.read_text(encoding="utf-8") + "\n\ndef _planted():\n    import reader.tui  # noqa: F401\n", encoding="utf-8")
    result = _lint(work)
    assert result.returncode != 0
    assert "The core never imports the UI (textual or reader.tui) BROKEN" in result.stdout
    assert "The store imports nothing above it BROKEN" in result.stdout
    assert f"reader.store.{module[:-3]} -> reader.tui" in result.stdout


def test_a_new_cycle_breaks_the_contracts(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    planted = work / "reader" / "model.py"
    planted.write_text(planted.read_text(encoding="utf-8") + "\n\ndef _planted():\n    import reader.session  # noqa: F401\n", encoding="utf-8")
    result = _lint(work)
    assert result.returncode != 0
    assert "No import cycles between reader's modules BROKEN" in result.stdout
