"""Desired state: the apply-file form, and the plan that brings a room's Configuration to it.

`apply FILE|SNAPSHOT` reads what a room should hold — a file of `xConfiguration PATH: VALUE`
lines in tshell syntax (the form `snapshot export` writes), or a stored snapshot — and
compares it with the live Configuration. Only the values that differ are set, so a second
run sends nothing: the plan is the whole point, and it is computed here, without a device.

The file form, one setting a line (what `xConfiguration` and `snapshot show` print also
reads back, so a pasted answer is an apply file):

    # boardroom, 2026-11-24           blank lines and # comments are skipped
    xConfiguration Audio DefaultVolume: 50
    *c xConfiguration Video Input Connector 2 Name: "Camera"      (the `*c ` is optional)
    ** end / OK                         answer trailers are skipped

Each line is parsed as the shell parses it (paths and literals checked against the
device's schema), so a mistake is one error naming the file and line before anything is
sent. Values are compared as tshell prints them (the snapshot's own form).

Secrets (hide_value configurations, password-like names): a device never shows them, so
they cannot be compared; one given in a file is sent on every run (counted, shown as
`"***"`, never printed), and a snapshot holds none (counted as left as they are).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xshell.errors import XShellError
from xshell.inert import inert
from xshell.lang import requests as rq
from xshell.lang.grammar import resolve_verb
from xshell.lang.parse import parse
from xshell.lang.parse_errors import ParseError
from xshell.lang.redact import MASK, redact_entry, redact_spans, secret_config
from xshell.lang.render_layout import format_value, leaf_node, path_text
from xshell.schema.model import Schema

__all__ = ["ApplyError", "Desired", "Plan", "Step", "export_lines", "from_lines", "plan",
           "read_file"]

_SKIP = ("OK", "** end")
_MAX_BYTES = 4 * 1024 * 1024  # a whole codec's Configuration is ~100 kB


class ApplyError(XShellError):
    """A desired state that cannot be read; str() is one line naming file and line."""


@dataclass(frozen=True)
class Desired:
    """One wanted value: where it came from, its key as snapshots spell it, the request."""

    where: str  # `room.cfg:3`, `snapshot before`
    key: str  # `Audio DefaultVolume`
    text: str  # the value as tshell prints it
    request: rq.Set
    secret: bool = False
    replaces: str = ""  # where the same path was set before in the file (it loses)


@dataclass(frozen=True)
class Step:
    """One value to set: the live value's text (None: absent) and the wanted one."""

    want: Desired
    old: str | None

    def lines(self) -> list[str]:
        """`-*c …: 50` / `+*c …: 61`, a secret as `"***"` on both sides."""
        shown = f'"{MASK}"' if self.want.secret else self.want.text
        out = [] if self.old is None or self.want.secret else [f"-*c xConfiguration {self.want.key}: {self.old}"]
        return [*out, f"+*c xConfiguration {self.want.key}: {shown}"]


@dataclass
class Plan:
    """What an apply would do: steps in file order, and what needs nothing."""

    steps: list[Step] = field(default_factory=list)
    unchanged: int = 0
    secrets_kept: int = 0  # secrets a snapshot did not store: left as they are

    @property
    def secrets(self) -> int:
        return sum(1 for s in self.steps if s.want.secret)


def _lines_of(path: Path) -> list[str]:
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise ApplyError(f"{path}: too large for an apply file (over {_MAX_BYTES // 1048576} MB)")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ApplyError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ApplyError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ApplyError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    return text.splitlines()


def read_file(path: Path, schema: Schema | None) -> list[Desired]:
    """The desired values of an apply file (errors name it as `room.cfg:3`)."""
    return from_lines(((f"{path.name}:{n}", ln) for n, ln in enumerate(_lines_of(path), 1)),
                      schema)


def from_lines(numbered: Iterable[tuple[str, str]], schema: Schema | None) -> list[Desired]:
    """Parse `(where, line)` pairs; ApplyError at the first line that is not a setting.

    A path given twice keeps the last value (as setting them in order would).
    """
    if schema is None or schema.root("Configuration") is None:
        raise ApplyError("the device gave no Configuration schema, so the file cannot be "
                         "checked (nor its secrets recognised); nothing was sent")
    found: dict[str, Desired] = {}
    for where, raw in numbered:
        line = raw.strip()
        if not line or line.startswith("#") or line in _SKIP:
            continue
        line = line.removeprefix("*c ").strip()
        if not line.lower().startswith("xconfiguration"):
            raise ApplyError(f"{where}: not an `xConfiguration PATH: VALUE` line: "
                             f"{_short(_masked(line, schema))}")
        try:
            req = parse(line, schema)
        except ParseError as exc:
            raise ApplyError(f"{where}: {_why(exc, line, schema)}") from None
        if not isinstance(req, rq.Set):
            raise ApplyError(f"{where}: no value to set (write `xConfiguration PATH: VALUE`)")
        node = leaf_node(schema, req.path)
        key = path_text(req.path[1:])
        secret = secret_config(req.path, schema)
        text = format_value(req.value, node.value_space if node is not None else None)
        earlier = found.pop(key, None)
        found[key] = Desired(where, key, text, req, secret, earlier.where if earlier else "")
    return list(found.values())


def _masked(line: str, schema: Schema) -> str:
    """A file line as an echo may show it (redact_entry: the one rule for echoes). A line
    with no xAPI verb (`SIP Authentication Password: x`, the verb forgotten) is masked
    as the configuration it most likely meant."""
    masked = redact_entry(line, schema)
    if masked == line and resolve_verb((line.split(None, 1) or [""])[0]) is None:
        masked = redact_entry(f"xConfiguration {line}", schema).removeprefix("xConfiguration ")
    return masked


def _short(line: str) -> str:
    """A file line for a message, already masked (redact_entry: the one rule for echoes)."""
    return line if len(line) <= 60 else line[:57] + "…"


def _why(exc: ParseError, line: str, schema: Schema) -> str:
    """The parse error with every secret of the line (as redact_spans finds them) masked."""
    message = str(exc)
    for start, end in redact_spans(line, schema):
        for secret in {line[start:end], line[start:end].strip("\"'")}:
            if secret:
                message = message.replace(secret, MASK)
    return message


def plan(wanted: Sequence[Desired], live: Mapping[str, str | None]) -> Plan:
    """Compare the wanted values with the live ones (snapshots.flat_values of the device)."""
    out = Plan()
    for want in wanted:
        old = live.get(want.key)
        if want.secret:
            out.steps.append(Step(want, None))
        elif want.key in live and old == want.text:
            out.unchanged += 1
        else:
            out.steps.append(Step(want, old))
    return out


def export_lines(title: str, configuration: Mapping[str, str | None]) -> list[str]:
    """A snapshot's Configuration as an apply file (secrets as comments: never stored).

    A list leaf kept as `KEY #2` cannot be set by one `xConfiguration` line, so it is a
    comment too; everything else reads back through `from_lines` to the same values.
    """
    from xshell.session.snapshots import natural_key

    # a file a person will `cat`: the device's text (its name in the title, keys, values)
    # is made inert here, so a "\n" in it cannot forge a line (a setting) of the file
    out = [f"# {inert(title)}", "# apply it with: apply FILE [--check]"]
    for key in sorted(configuration, key=natural_key):
        value = configuration[key]
        key, value = inert(key), None if value is None else inert(value)
        if value is None:
            out.append(f"# xConfiguration {key}: (a secret; not stored in the snapshot)")
        elif " #" in key:
            out.append(f"# xConfiguration {key}: {value} (one element of a list)")
        else:
            out.append(f"xConfiguration {key}: {value}")
    return out
