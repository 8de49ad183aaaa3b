"""`apply FILE|SNAPSHOT [--check] [--keep-going]`, `snapshot restore` and `snapshot export`.

Brings a room's Configuration to a desired state (xshell.session.desired has the file form
and the plan): the live Configuration is read, only the values that differ are set, in the
file's order, so a second run sends nothing and says so. `--check` reads only and prints
what would change as `*c` diff lines (allowed in a read-only session). Before anything is
sent the whole batch goes through the guard once (`Session.guard`): a setting that may cut
the connection is asked about (or refused in a script without --yes), and a read-only
session refuses the apply. A failed set stops the run (the rest is not sent) unless
`--keep-going`; either way a summary line ends the answer.

Exit status: 0 done (or nothing to do, or a check: a difference is a finding, as for
`diff`), 1 a set failed, 2 a bad file, name or option (nothing sent) or a guard refusal,
3 the connection was lost (the summary says how far it got).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from xshell.commands.registry import Command, Scope, Section
from xshell.commands.snapshot import _read
from xshell.errors import ConnectionFailed, XAPIError, XShellError
from xshell.lang.complete import SNAPSHOT_WORDS
from xshell.session import desired as ds
from xshell.session import snapshots as snaps
from xshell.session.core import Session
from xshell.session.guard_policy import approved, asking
from xshell.session.result import (EXIT_CONNECTION, EXIT_OK, EXIT_USAGE, EXIT_XAPI, Report, Result,
                                    error_result)

__all__ = ["COMMANDS", "apply_wanted", "export", "restore"]

_FLAGS = ("--check", "--keep-going")
_USAGE = "apply FILE|SNAPSHOT [--check] [--keep-going]"
def _flags(words: Sequence[str], what: str) -> tuple[bool, bool] | Result:
    low = [w.lower() for w in words]
    bad = [w for w in low if w not in _FLAGS]
    if bad:
        return error_result(f"{what}: unknown option {bad[0]!r} (options: --check, --keep-going)",
                            EXIT_USAGE)
    return "--check" in low, "--keep-going" in low


async def _apply(session: Session, args: tuple[str, ...]) -> Result:
    if not args or args[0].startswith("--"):
        return error_result(f"apply needs a file or a snapshot name: {_USAGE}", EXIT_USAGE)
    flags = _flags(args[1:], "apply")
    if isinstance(flags, Result):
        return flags
    source = args[0]
    path = Path(source).expanduser()
    try:
        if path.is_file():
            await session.store.ensure("Configuration")
            wanted, title, kept = ds.read_file(path, session.schema), str(path), 0
        elif snaps.is_name(source) and snaps.path_of(source).exists():
            wanted, title, kept = await _from_snapshot(session, source)
        else:
            have = ", ".join(snaps.list_names()) or "none"
            return error_result(f"apply: no file or snapshot named {source!r} (snapshots: {have})",
                                EXIT_USAGE)
    except (ds.ApplyError, snaps.SnapshotError) as exc:
        return error_result(str(exc), EXIT_USAGE)
    return await apply_wanted(session, wanted, title, check=flags[0], keep_going=flags[1],
                              secrets_kept=kept)


_NAME = "SystemUnit Name"  # the flat key of the room's name (snapshots.flat_values)


async def _from_snapshot(session: Session, name: str) -> tuple[list[ds.Desired], str, int]:
    snap = snaps.load(name)
    await session.store.ensure("Configuration")
    lines = [(f"snapshot {name}", f"xConfiguration {k}: {v}")
             for k, v in sorted(snap.configuration.items(), key=lambda kv: snaps.natural_key(kv[0]))
             if v is not None and " #" not in k]
    return ds.from_lines(lines, session.schema), f"snapshot {name}", snaps.masked_count(snap.configuration)


async def apply_wanted(session: Session, wanted: Sequence[ds.Desired], title: str, *,
                       check: bool, keep_going: bool, secrets_kept: int = 0) -> Result:
    """Read the room, plan, and (unless `check`) set what differs: the answer and its status."""
    live = await _read(session, "Configuration", {w.key for w in wanted})
    plan = ds.plan(wanted, live)
    plan.secrets_kept = secrets_kept
    room = snaps.device_text(session.label, session.device_name) or "the device"
    if check or not plan.steps:
        return _warned(session, wanted, _answer(session, title, room, plan, check, {}, None))
    batch = object()  # the whole plan is asked about once; each set then goes through send
    async with asking():
        refused = await session.guard([s.want.request for s in plan.steps], batch)
    if refused is not None:  # one line, as for any refused line; nothing was sent
        return refused
    results: dict[int, tuple[str, list[str]]] = {}  # step index → (outcome, error lines)
    lost: str | None = None
    for i, step in enumerate(plan.steps):
        try:
            with approved(batch):
                await session.send(step.want.request, batch)
            results[i] = ("set", [])
            if step.want.key == _NAME:  # renamed: later headers of this run say the new name
                session.device_name = str(step.want.request.value)
        except ConnectionFailed as exc:
            results[i], lost = ("failed", [f"error: {exc}"]), str(exc)
            break
        except XAPIError as exc:
            results[i] = ("failed", session.output_format.error(step.want.request, exc, session.schema))
            if not keep_going:
                break
        except XShellError as exc:
            results[i] = ("failed", [f"error: {exc}"])
            if not keep_going:
                break
    return _warned(session, wanted, _answer(session, title, room, plan, False, results, lost))


def _warned(session: Session, wanted: Sequence[ds.Desired], result: Result) -> Result:
    """A path set twice in a file: one line under the header naming both lines (the
    last one wins, as setting them in order would)."""
    if result.kind == "answer" and not session.output_format.json_documents and result.lines:
        result.lines[1:1] = [f"** warning: {w.where} sets {w.key} again (as {w.replaces} did); "
                             f"the value of {w.where} is used" for w in wanted if w.replaces]
    return result


def _answer(session: Session, title: str, room: str, plan: ds.Plan, check: bool,
            results: Mapping[int, tuple[str, list[str]]], lost: str | None) -> Result:
    n_set = sum(1 for r, _ in results.values() if r == "set")
    failed = sum(1 for r, _ in results.values() if r == "failed")
    not_sent = 0 if check else len(plan.steps) - len(results)
    code = EXIT_CONNECTION if lost else EXIT_XAPI if failed else EXIT_OK
    counts = _counts(plan, check, n_set, failed, not_sent, code)
    if session.output_format.json_documents:
        return Result([_doc(title, room, plan, check, results, n_set, failed, not_sent, lost)], code,
                      report=counts)
    if not plan.steps:
        lines = [f"** {'check' if check else 'apply'} {title} on {room}: nothing to change, "
                 f"{plan.unchanged} values already as desired{_kept(plan)}"]
        return Result([*lines, "", "OK"], code, report=counts)  # ended as every answer: a blank line, OK
    # a secret is sent, so it counts with the changes: the header and the summary agree
    changes = len(plan.steps)
    what = f"{changes} {'would change' if check else 'to change'}"
    which = ("it is a secret" if changes == 1 else "1 of them is a secret" if plan.secrets == 1
             else f"{plan.secrets} of them are secrets")
    secrets = (f"; {which}, {'which would be ' if check else ''}sent every time (a device never "
               "shows one, so it is not compared)" if plan.secrets else "")
    lines = [f"** {'check' if check else 'apply'} {title} on {room}: {what}, "
             f"{plan.unchanged} already as desired{secrets}{_kept(plan)}"]
    for i, step in enumerate(plan.steps):
        lines += step.lines()
        outcome, errors = results.get(i, ("", []))
        if outcome == "failed":
            lines += [f"   {e}" for e in errors if e.strip() not in ("", "** end", "ERROR", "OK")]
        elif results and not outcome:
            lines.append("   (not sent)")
    if check:
        lines.append(f"** check: {changes} would change, {plan.unchanged} already as desired"
                     f"{_secrets(plan.secrets, 'among them') if plan.secrets else ''}"
                     "; nothing was sent")
    else:
        tail = f"** applied: {n_set} set, {failed} failed, {not_sent} not sent, " \
               f"{plan.unchanged} already as desired"
        if lost:
            tail += f"; the connection was lost: {lost}"
        elif not_sent:
            tail += " (stopped at the first failure; --keep-going sets the rest)"
        lines.append(tail)
    return Result([*lines, "", "OK" if code == EXIT_OK else "ERROR"], code, report=counts)


def _counts(plan: ds.Plan, check: bool, n_set: int, failed: int, not_sent: int, code: int) -> Report:
    """The room's row of `@ROOMS apply`'s summary table (shell.grouped_answers), shown after
    every room's diff: `changed` is what would change with --check, what was set without."""
    row = {"check": check, "changed": len(plan.steps) if check else n_set,
           "unchanged": plan.unchanged, "failed": failed, "not_sent": not_sent, "exit": code}
    problem = f"{failed} failed, {not_sent} not sent" if code else ""
    return Report("apply", row, problem, keep_lines=True)


def _secrets(n: int, verb: str) -> str:
    return f"; {n} secret{'s' if n != 1 else ''} {verb}"


def _kept(plan: ds.Plan) -> str:
    n = plan.secrets_kept
    return f" ({n} secret{'s' if n != 1 else ''} not in the snapshot, left as they are)" if n else ""


def _doc(title: str, room: str, plan: ds.Plan, check: bool, results: Mapping[int, tuple[str, list[str]]],
         n_set: int, failed: int, not_sent: int, lost: str | None) -> str:
    changes: list[dict[str, Any]] = []
    for i, step in enumerate(plan.steps):
        outcome, errors = results.get(i, ("would change" if check else "not sent", []))
        row: dict[str, Any] = {"path": step.want.key, "old": None if step.want.secret else step.old,
                               "new": "***" if step.want.secret else step.want.text,
                               "secret": step.want.secret, "result": outcome}
        if errors:
            row["error"] = " ".join(e.strip() for e in errors if e.strip())
        changes.append(row)
    doc = {"apply": title, "device": room, "check": check, "changes": changes,
           "unchanged": plan.unchanged, "set": n_set, "failed": failed, "not_sent": not_sent,
           "secrets_not_in_snapshot": plan.secrets_kept, "connection_lost": lost}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


async def restore(session: Session, rest: Sequence[str]) -> Result:
    """`snapshot restore NAME [--check] [--keep-going]`: apply of a stored snapshot."""
    if not rest or rest[0].startswith("--"):
        return error_result("snapshot restore needs a snapshot name: snapshot restore NAME "
                            "[--check] [--keep-going]", EXIT_USAGE)
    flags = _flags(rest[1:], f"snapshot restore {rest[0]}")
    if isinstance(flags, Result):
        return flags
    try:
        wanted, title, kept = await _from_snapshot(session, rest[0])
    except (ds.ApplyError, snaps.SnapshotError) as exc:
        return error_result(str(exc), EXIT_USAGE)
    return await apply_wanted(session, wanted, title, check=flags[0], keep_going=flags[1],
                              secrets_kept=kept)


def export(rest: Sequence[str]) -> Result:
    """`snapshot export NAME [FILE [force]]`: the apply-file form, to FILE or as the answer.
    An existing FILE is replaced only with `force`, as `snapshot save` replaces a snapshot."""
    force = len(rest) == 3 and rest[2].lower() == "force"
    if len(rest) not in (1, 2) and not force:
        return error_result("snapshot export takes a snapshot name and, optionally, a file: "
                            "snapshot export NAME [FILE [force]]", EXIT_USAGE)
    try:
        snap = snaps.load(rest[0])
    except snaps.SnapshotError as exc:
        return error_result(str(exc), EXIT_USAGE)
    title = (f"snapshot {snap.name}: {snaps.device_text(snap.device, snap.unit_name) or 'unknown device'}, "
             f"software {snap.software or 'unknown'}, saved {snap.saved or 'unknown'}")
    lines = ds.export_lines(title, snap.configuration)
    if len(rest) == 1:
        return Result(lines)
    path = Path(rest[1]).expanduser()
    if path.exists() and not force:
        return error_result(f"snapshot export: {path} already exists; "
                            f"`snapshot export {snap.name} {rest[1]} force` replaces it", EXIT_USAGE)
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        return error_result(f"snapshot export: cannot write {path}: {exc.strerror or exc}", EXIT_USAGE)
    settings = sum(1 for ln in lines if ln.startswith("xConfiguration "))
    return Result([f"snapshot {snap.name} exported to {path}: {settings} settings "
                   f"({snaps.masked_count(snap.configuration)} secrets not stored, as comments)"])


def _complete(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    if not args:
        return [(n, "snapshot") for n in words.get(SNAPSHOT_WORDS, ())]
    return complete_flags(args[1:])


def complete_flags(given: Sequence[str]) -> list[tuple[str, str]]:
    """apply's flags not given yet (`snapshot restore NAME ` offers them too)."""
    return [(f, "apply") for f in _FLAGS if f not in [a.lower() for a in given]]


COMMANDS = (
    Command(rank=3, name="apply", scope=Scope.DEVICE, section=Section.RECORDS, usage=_USAGE,
            summary="set what differs from a file of xConfiguration lines or a snapshot",
            help_rows=((_USAGE, "set only what differs (file of xConfiguration lines, or a snapshot)"),
                       ("  --check", "print what would change as *c lines; send nothing")),
            handler=_apply, complete=_complete),
)
