"""The bash/zsh/fish completions offer exactly the options the CLI has."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from xshell.cli import build_parser

COMPLETIONS = Path(__file__).resolve().parent.parent / "completions"
FILES = {"bash": COMPLETIONS / "xshell.bash", "zsh": COMPLETIONS / "_xshell",
         "fish": COMPLETIONS / "xshell.fish"}


def _cli_options() -> set[str]:
    return {s for action in build_parser()._actions for s in action.option_strings}


@pytest.mark.parametrize("shell", sorted(FILES))
def test_every_cli_option_is_completed(shell: str) -> None:
    text = FILES[shell].read_text()
    if shell == "fish":  # fish spells options as `-s u -l user`
        present = {f"-{w}" for w in text.split("-s ")[1:] for w in [w.split()[0]]}
        present |= {f"--{w.split()[0]}" for w in text.split("-l ")[1:]}
    else:
        present = {o for o in _cli_options() if o in text}
    missing = _cli_options() - present
    assert not missing, f"{FILES[shell].name} lacks {sorted(missing)}"


def _bash_complete(words: list[str]) -> list[str]:
    script = (f"source {FILES['bash']}\n"
              f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
              "_xshell\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
    return [w for w in out.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completes_options_and_their_values() -> None:
    assert _bash_complete(["xshell", "--fo"]) == ["--follow"]
    assert sorted(_bash_complete(["xshell", "-o", ""])) == ["json", "terminal"]
    assert _bash_complete(["xshell", "--auth", "sub"]) == ["subprotocol"]
    assert "--demo" in _bash_complete(["xshell", "--"])


@pytest.mark.parametrize("shell,flag", [("zsh", "-n"), ("fish", "--no-execute")])
def test_completion_file_parses(shell: str, flag: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} not installed")
    out = subprocess.run([shell, flag, str(FILES[shell])], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
