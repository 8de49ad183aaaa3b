"""What a user sees when a secret is typed in a form the parser rejects: never the secret
(stderr, `-o json`, the transcript), for apply-file lines, typed lines and `as`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import xshell

SECRET = "S3cret-1"


@pytest.mark.parametrize("line", [f"xCommand Foo Password: {SECRET}",
                                  f"xConfiguration SIP Authentication Password {SECRET}"])
async def test_apply_file_errors_never_echo_a_secret(tmp_path: Path, line: str) -> None:
    cfg, log = tmp_path / "b.cfg", tmp_path / "a.jsonl"
    cfg.write_text(line + "\n")
    code, out, err = await xshell("--demo", "--log", str(log), "-c", f"apply {cfg}")
    assert code != 0 and "b.cfg:1: " in err
    code, out, err2 = await xshell("--demo", "-o", "json", "-c", f"apply {cfg}")
    assert "b.cfg:1: " in out + err2
    for text in (out, err, err2, log.read_text()):
        assert SECRET not in text


async def test_a_typed_secret_without_colon_is_masked_in_the_error(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    code, _out, err = await xshell("--demo", "--log", str(log), "-c",
                                   f"xConfiguration SIP Authentication Password {SECRET}")
    assert code != 0 and "xConfiguration SIP Authentication Password ***" in err
    assert SECRET not in err and SECRET not in log.read_text()


async def test_as_rejects_a_mistyped_option_in_one_line() -> None:
    code, out, err = await xshell("--demo", "-c", f'as macro --secret xConfiguration SIP Authentication '
                                                  f'Password: "{SECRET}"')
    assert code != 0
    assert "as: unknown option '--secret' (did you mean --secrets?)" in err
    assert SECRET not in out + err
