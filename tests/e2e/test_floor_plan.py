"""The floor plan holds: imports point down the layers, modules stay small and distinct.

The layer contracts live in pyproject.toml ([tool.importlinter]) and .ci/run checks them
with `lint-imports`; these tests show that the checker really refuses what the plan
forbids (an upward import, prompt-toolkit outside ui/), on a copy of the package with one
bad import added, and check the two rules a linter does not: no module over ~400 lines,
no two modules with the same file name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "xshell"
MAX_LINES = 400
# Python's own names: every package has one, and `python -m` needs __main__.
NAMES_EVERY_PACKAGE_MAY_HAVE = {"__init__.py", "__main__.py"}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the tree at `root` (its pyproject.toml, its xshell/ first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)


def copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package and its contracts, with `line` added to `module` (a path)."""
    shutil.copytree(PACKAGE, tmp_path / "xshell", ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return tmp_path


def test_the_package_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_fails_naming_the_import(tmp_path: Path) -> None:
    root = copy_with(tmp_path, "xshell/lang/render.py", "from xshell.session import core  # upward")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "Layers: every import points down BROKEN" in result.stdout
    assert "xshell.lang is not allowed to import xshell.session" in result.stdout
    assert "xshell.lang.render -> xshell.session.core" in result.stdout


def test_the_transport_may_not_reach_up_into_a_session(tmp_path: Path) -> None:
    root = copy_with(tmp_path, "xshell/transport/target.py", "import xshell.session.live  # upward")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "xshell.transport is not allowed to import xshell.session" in result.stdout


def test_prompt_toolkit_outside_ui_fails(tmp_path: Path) -> None:
    root = copy_with(tmp_path, "xshell/shell/device_words.py", "import prompt_toolkit.completion")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "prompt-toolkit only inside ui/" in result.stdout
    assert "xshell.shell is not allowed to import prompt_toolkit" in result.stdout


def test_the_runtime_never_imports_the_bench(tmp_path: Path) -> None:
    root = copy_with(tmp_path, "xshell/modes/script.py", "from xshell.bench import stats")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "xshell.modes is not allowed to import xshell.bench" in result.stdout


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_is_over_the_size_limit() -> None:
    """~400 lines: past that a module holds more than one concern; split it by concern."""
    long = {str(p.relative_to(ROOT)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"over {MAX_LINES} lines: {long}"


def test_no_two_modules_share_a_file_name() -> None:
    """`fleet.py` in three folders made every traceback and every search ambiguous."""
    by_name: defaultdict[str, list[str]] = defaultdict(list)
    for p in modules():
        if p.name not in NAMES_EVERY_PACKAGE_MAY_HAVE:
            by_name[p.name].append(str(p.relative_to(ROOT)))
    shared = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {}, f"modules with the same file name: {shared}"


@pytest.mark.parametrize("package", ["lang", "schema", "transport", "sim", "session", "shell", "commands",
                                     "config"])
def test_prompt_toolkit_is_not_loaded_below_the_ui(package: str) -> None:
    """What the contract says, at run time: importing a layer below ui/ loads no prompt-toolkit."""
    mods = [f"xshell.{package}." + p.stem for p in (PACKAGE / package).glob("*.py")
            if p.name != "__main__.py"]
    code = ("import importlib, sys\n"
            f"for m in {mods!r}: importlib.import_module(m)\n"
            "print(sorted(m for m in sys.modules if m.startswith('prompt_toolkit'))[:3])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_readme_layout_names_every_folder() -> None:
    """README "Layout" is the floor plan a newcomer reads: a new folder gets its line there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("### Layout", 1)[1].split("\n## ", 1)[0]
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert [f for f in folders if f"  {f}/" not in layout] == []
