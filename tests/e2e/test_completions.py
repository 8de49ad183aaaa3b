"""The bash/zsh/fish completions offer exactly the options the CLI has, and profile names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xshell.cli import build_parser
from xshell.config.settings import config_path

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"
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
    # The completion runs `xshell --list-profiles`: the one installed beside this Python.
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=10, env=env)
    assert out.returncode == 0, out.stderr
    return [w for w in out.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completes_options_and_their_values() -> None:
    assert _bash_complete(["xshell", "--fo"]) == ["--follow"]
    formats = next(a for a in build_parser()._actions if "--output" in a.option_strings).choices
    assert sorted(_bash_complete(["xshell", "-o", ""])) == sorted(formats)  # every output format
    assert _bash_complete(["xshell", "--auth", "sub"]) == ["subprotocol"]
    assert "--demo" in _bash_complete(["xshell", "--"])


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completes_profile_names_for_target(tmp_path: Path) -> None:
    if not os.access(os.path.join(os.path.dirname(sys.executable), "xshell"), os.X_OK):
        pytest.skip("the xshell command is not installed beside this Python")
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[devices.boardroom]\nhost = "10.0.0.5"\n'
                             '[devices.board-2]\nhost = "10.0.0.6"\n[devices.lab]\nhost = "10.0.0.7"\n')
    assert {"boardroom", "board-2"} <= set(_bash_complete(["xshell", "boa"]))
    assert "lab" not in _bash_complete(["xshell", "boa"])
    assert "lab" in _bash_complete(["xshell", "boardroom", "-c", "xStatus", "l"])  # any TARGET
    other = tmp_path / "fleet.toml"
    other.write_text('[devices.basement]\nhost = "10.0.1.1"\n')
    assert "basement" in _bash_complete(["xshell", "--config", str(other), "bas"])
    assert "boardroom" not in _bash_complete(["xshell", "--config", str(other), "boa"])
    assert sorted(_bash_complete(["xshell", "--log-format", ""])) == ["jsonl", "text"]


@pytest.mark.parametrize("shell,flag", [("zsh", "-n"), ("fish", "--no-execute")])
def test_completion_file_parses(shell: str, flag: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} not installed")
    out = subprocess.run([shell, flag, str(FILES[shell])], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("shell", sorted(FILES))
def test_every_output_format_is_completed(shell: str) -> None:
    choices = next(a for a in build_parser()._actions if "--output" in a.option_strings).choices
    line = next(ln for ln in FILES[shell].read_text().splitlines()
                if "output" in ln and "terminal" in ln)
    assert choices and set(choices) <= set(line.replace("(", " ").replace(")", " ")
                                           .replace("'", " ").replace('"', " ").split())
