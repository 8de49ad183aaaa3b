"""The output-format registry: every place that names formats reads it.

A throwaway format is registered for a test and removed after it; `-o`, the settings
file, completion of `output ` and `xPreferences outputmode `, the `output` command and
the session's rendering of answers and feedback must all take it up with no other edit.
The guards at the end fail when a format is added without its shell-completion and
default.toml lines, the two places that cannot read the registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import listening_session

from xshell.cli import build_parser
from xshell.config.settings import DEFAULT_FILE, load_settings
from xshell.lang.complete import candidates
from xshell.lang.formats import format_registry as formats
from xshell.lang.formats.terminal import FORMAT as TERMINAL
from xshell.session.result import EXIT_USAGE

ROOT = Path(__file__).resolve().parents[2]


class Upper:
    """Terminal lines in capitals: distinct enough to see which format rendered a line."""

    name = "upper"
    description = "shouted terminal lines"
    json_documents = False

    def result(self, req: Any, result: Any, schema: Any) -> list[str]:
        return [line.upper() for line in TERMINAL.result(req, result, schema)]

    def error(self, req: Any, exc: Any, schema: Any) -> list[str]:
        return [line.upper() for line in TERMINAL.error(req, exc, schema)]

    def parse_error(self, line: str, exc: Any, schema: Any) -> list[str]:
        return TERMINAL.parse_error(line, exc, schema)

    def feedback(self, payload: dict[str, Any], schema: Any, expression: str, resync: bool,
                 chains: dict[Any, Any]) -> list[str]:
        return [line.upper() for line in TERMINAL.feedback(payload, schema, expression, resync, {})[0]]

    def help(self, schema: Any, req: Any) -> list[str]:
        return TERMINAL.help(schema, req)


@pytest.fixture
def upper() -> Iterator[Upper]:
    fmt = Upper()
    formats.register(fmt)
    try:
        yield fmt
    finally:
        formats.unregister(fmt.name)
    assert "upper" not in formats.names()


def _shown(text: str) -> list[str]:
    return [c.display for c in candidates(text, None, None, [])]


def test_the_built_in_formats_default_first() -> None:
    assert formats.names() == ("terminal", "json", "tshell-json", "xml")
    assert formats.default() is formats.get("terminal")
    assert formats.get("json").json_documents and not formats.get("terminal").json_documents


def test_an_unknown_format_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match=re.escape(
            "unknown output format 'yaml' (known: terminal, json, tshell-json, xml)")):
        formats.get("yaml")


def test_a_half_written_or_clashing_format_is_refused_when_added() -> None:
    class NoFeedback:
        name, description, json_documents = "half", "no feedback method", False

        def result(self, req: Any, result: Any, schema: Any) -> list[str]:
            return []

    with pytest.raises(TypeError, match="is not an OutputFormat"):
        formats.register(NoFeedback())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'json' is already registered"):
        formats.register(formats.get("json"))
    shouting = Upper()
    shouting.name = "Upper Case"
    with pytest.raises(ValueError, match="is not one lowercase word"):
        formats.register(shouting)
    with pytest.raises(ValueError, match="cannot be removed"):
        formats.unregister("terminal")
    assert formats.names() == ("terminal", "json", "tshell-json", "xml")


def test_dash_o_offers_and_validates_registered_formats(upper: Upper,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["-o", "upper", "room1"]).output == "upper"
    text = build_parser().format_help()
    assert "{terminal,json,tshell-json,xml,upper}" in text
    assert "shouted terminal lines" in " ".join(text.split())  # --help wraps the line
    formats.unregister("upper")
    try:
        with pytest.raises(SystemExit) as exc:
            build_parser().parse_args(["-o", "upper", "room1"])
        assert exc.value.code == 2
        assert ("invalid choice: 'upper' (choose from 'terminal', 'json', 'tshell-json', 'xml')"
                in capsys.readouterr().err)
    finally:
        formats.register(upper)


def test_the_settings_file_accepts_registered_formats(upper: Upper, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[main]\noutput = "upper"\n', encoding="utf-8")
    settings = load_settings(good)
    assert (settings.output, settings.warnings) == ("upper", [])
    bad = tmp_path / "bad.toml"
    bad.write_text('[main]\noutput = "yaml"\n', encoding="utf-8")
    settings = load_settings(bad)
    assert settings.output == "terminal"
    assert settings.warnings == [f'xshell: {bad}:2: [main] output: expected "terminal" or "json" '
                                 'or "tshell-json" or "xml" or "upper", got "yaml"; using "terminal"']


def test_completion_offers_registered_formats(upper: Upper) -> None:
    assert _shown("output ") == ["json", "terminal", "tshell-json", "upper", "xml"]
    # tshell's words (its json is tshell-json), then the formats it has no word for
    assert _shown("xpref outputmode ") == ["json", "terminal", "upper", "xml"]
    assert _shown("output up") == ["upper"]


async def test_a_session_renders_answers_and_feedback_in_a_registered_format(
        upper: Upper, client: Any, sim: Any) -> None:
    session, heard = await listening_session(client)
    plain = await session.execute("xStatus Audio Volume")
    assert (await session.execute("output upper")).lines == ["output: upper"]
    assert (await session.execute("output")).lines == ["output: upper"]
    loud = await session.execute("xStatus Audio Volume")
    assert loud.ok and loud.lines == [line.upper() for line in plain.lines]
    assert plain.lines[0] != loud.lines[0]  # the test would mean nothing otherwise
    wrong = await session.execute("xStatus Audio Volum")
    assert wrong.kind == "parse_error"  # parse errors: the format's own lines, still text
    await session.execute("xFeedback register /Status/Audio/Volume")
    sim.simulator.set_status("Audio Volume", 33)
    await heard.wait_for(lambda items: bool(items))
    assert heard.items[0].lines == ["*S AUDIO VOLUME: 33", "** END"]
    refused = await session.execute("output yaml")
    assert refused.exit_code == EXIT_USAGE
    assert refused.lines == ["error: output mode 'yaml' is not one of terminal, json, "
                             "tshell-json, xml, upper"]
    assert (await session.execute("xPreferences outputmode terminal")).lines == ["", "OK"]
    assert (await session.execute("xStatus Audio Volume")).lines[0] == "*s Audio Volume: 33"


# ------------------------------------------------------------------------------ guards
@pytest.mark.parametrize(("path", "marker"), [
    ("completions/xshell.bash", "-o|--output)"),
    ("completions/_xshell", "(-o --output)"),
    ("completions/xshell.fish", "-l output"),
])
def test_the_shell_completion_files_offer_every_format(path: str, marker: str) -> None:
    line, = (ln for ln in (ROOT / path).read_text(encoding="utf-8").splitlines() if marker in ln)
    missing = [n for n in formats.names() if not re.search(rf"\b{re.escape(n)}\b", line)]
    assert not missing, f"{path} does not offer -o {missing}"


def test_the_default_settings_file_describes_every_format() -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    comment = text[text.index("[main]"):text.index("\noutput =")]
    missing = [n for n in formats.names() if f'"{n}"' not in comment]
    assert not missing, f"default.toml's [main] output comment does not name {missing}"
