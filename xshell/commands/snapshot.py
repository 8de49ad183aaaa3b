"""The shell commands `snapshot save|list|delete` and `diff`, on top of a Session.

Kept out of session/core.py so the session stays about running lines, and out of snapshots.py
so the store and the diff stay pure (no device, no asyncio). Each command returns
(lines, exit status); errors are one `error: …` line. Device failures (xAPI errors, a lost
link) propagate to `Session.execute`, which reports them as for any other line.
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping, Sequence
from typing import Any, Literal

from xshell.commands.registry import Command, Scope, Section
from xshell.errors import XShellError
from xshell.lang.complete import SNAPSHOT_WORDS
from xshell.session import snapshots as snaps
from xshell.session.core import Session
from xshell.session.result import Result

Outcome = tuple[list[str], int]
EXIT_OK, EXIT_USAGE = 0, 2
_USAGE = ("snapshot save NAME [status] [force] | snapshot list | snapshot show NAME | "
          "snapshot delete NAME | snapshot restore NAME [--check] [--keep-going] | "
          "snapshot export NAME [FILE [force]]; diff NAME [NAME2]")


def _err(message: str, code: int = EXIT_USAGE) -> Outcome:
    return [f"error: {message}"], code


async def _read(session: Session, root: Literal["Configuration", "Status"],
                only: Container[str] | None = None) -> snaps.Flat:
    """A fresh xGet of `root`, flattened with the session's schema (secrets masked);
    `only`: just these keys."""
    await session.store.ensure(root)
    schema = session.schema
    if root == "Configuration" and (schema is None or schema.root("Configuration") is None):
        raise XShellError("the device gave no Configuration schema, so secret values cannot "
                          "be recognised; nothing was read")
    tree: Any = await session.client.get([root])
    return snaps.flat_values(root, tree, schema, only)


async def _software(session: Session) -> str:
    """The version now: read again, so a snapshot or diff after an upgrade says so."""
    await session.identify()
    return session.software


def _doc(doc: Any) -> Outcome:
    """One compact JSON document: what every answer is with `-o json`."""
    return [json.dumps(doc, ensure_ascii=False, separators=(",", ":"))], EXIT_OK


def _json(session: Session) -> bool:
    return session.output_format.json_documents


async def snapshot_command(session: Session, args: tuple[str, ...]) -> Outcome:
    """`snapshot save NAME [status] [force]`, `snapshot list`, `snapshot show NAME`,
    `snapshot delete NAME`."""
    if not args:
        return _err(f"snapshot needs a subcommand: {_USAGE}")
    sub, rest = args[0].lower(), list(args[1:])
    try:
        if sub == "list" and not rest:
            found, broken = [], []
            for name in snaps.list_names():  # one damaged file must not hide the others
                try:
                    found.append(snaps.load(name))
                except snaps.SnapshotError as exc:
                    broken.append(str(exc))
            if _json(session):
                return _doc({"snapshots": snaps.listing_doc(found), "unreadable": broken})
            if not found and not broken:
                return [f"no snapshots yet (they are kept in {snaps.snapshots_dir()})"], EXIT_OK
            return [*snaps.table(found), *(f"** unreadable: {why}" for why in broken)], EXIT_OK
        if sub == "show" and len(rest) == 1:
            snap = snaps.load(rest[0])
            return _doc(snap.to_json()) if _json(session) else (snaps.show_lines(snap), EXIT_OK)
        if sub == "delete" and len(rest) == 1:
            path = snaps.delete(rest[0])
            if _json(session):
                return _doc({"deleted": rest[0], "path": str(path)})
            return [f"snapshot {rest[0]} deleted ({path})"], EXIT_OK
        if sub == "save" and rest:
            return await _save(session, rest[0], [w.lower() for w in rest[1:]])
    except snaps.SnapshotError as exc:
        return _err(str(exc))
    return _err(f"unknown snapshot command {' '.join(args)!r}; {_USAGE}")


async def _save(session: Session, name: str, flags: list[str]) -> Outcome:
    snaps.check_name(name)
    unknown = [f for f in flags if f not in ("status", "force")]
    if unknown:
        return _err(f"snapshot save {name}: unknown option {unknown[0]!r} "
                    "(options: status, force)")
    force = "force" in flags
    if not force and snaps.path_of(name).exists():  # say so before reading the device
        raise snaps.SnapshotError(f"snapshot {name} already exists; "
                                  f"`snapshot save {name} force` replaces it")
    software = await _software(session)  # first: a new version brings its own schema
    config = await _read(session, "Configuration")
    status = await _read(session, "Status") if "status" in flags else None
    snap = snaps.Snapshot(name, session.label, session.device_key,
                          software, snaps.utc_now(), config, status,
                          session.device_name)
    path = snaps.save(snap, force=force)
    secrets = snaps.masked_count(config) + (snaps.masked_count(status) if status else 0)
    if _json(session):
        return _doc({"saved": name, "path": str(path), "device": snap.device, "unit_name": snap.unit_name,
                     "software": snap.software, "time": snap.saved, "configuration": len(config),
                     "status": None if status is None else len(status), "secrets_not_stored": secrets})
    counts = f"{len(config)} configuration" + (f" and {len(status)} status" if status else "")
    return [f"snapshot {name} saved: {counts} values from "
            f"{snaps.device_text(snap.device, snap.unit_name)} "
            f"(software {snap.software or 'unknown'}), {secrets} secret values not stored",
            f"  {path}"], EXIT_OK


async def diff_command(session: Session, args: tuple[str, ...]) -> Outcome:
    """`diff NAME` (snapshot against the live device) or `diff NAME1 NAME2` (two snapshots)."""
    if len(args) not in (1, 2):
        return _err("diff takes a snapshot name (against the live device) or two names")
    try:
        left = snaps.side_of(snaps.load(args[0]))
        if len(args) == 2:
            right = snaps.side_of(snaps.load(args[1]))
        else:
            software = await _software(session)  # first: the name, the version and its schema
            config = await _read(session, "Configuration")
            status = await _read(session, "Status") if left.status is not None else None
            right = snaps.Side("live", snaps.device_text(session.label, session.device_name),
                               software,
                               f"read {snaps.utc_now()}", config, status)
    except snaps.SnapshotError as exc:
        return _err(str(exc))
    if _json(session):
        return _doc(snaps.diff_doc(left, right))
    return snaps.render_diff(left, right), EXIT_OK


def _complete_snapshot(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    low = [a.lower() for a in args]
    if not low:
        return [(s, "snapshot") for s in ("save", "list", "show", "delete", "restore", "export")]
    if low in (["show"], ["delete"], ["restore"], ["export"]):
        return [(n, "snapshot") for n in words.get(SNAPSHOT_WORDS, ())]
    if low[0] == "restore":  # after the name: apply's flags (restore is apply NAME)
        from xshell.commands.apply import complete_flags
        return complete_flags(low[2:])
    return []


def _complete_diff(args: Sequence[str], words: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    meta = "diff" if not args else "snapshot"
    return [(n, meta) for n in words.get(SNAPSHOT_WORDS, ())] if len(args) < 2 else []


async def _snapshot(session: Session, args: tuple[str, ...]) -> Result:
    sub = args[0].lower() if args else ""
    if sub in ("restore", "export"):  # apply's family: xshell.commands.apply
        from xshell.commands.apply import export, restore
        return await restore(session, args[1:]) if sub == "restore" else export(args[1:])
    lines, code = await snapshot_command(session, args)
    return Result(lines, code, kind="error" if code else "answer")


async def _diff(session: Session, args: tuple[str, ...]) -> Result:
    lines, code = await diff_command(session, args)
    return Result(lines, code, kind="error" if code else "answer")


COMMANDS = (
    Command(rank=1, name="snapshot", scope=Scope.DEVICE, section=Section.RECORDS,
            usage="snapshot save NAME [status] [force] | list | show NAME | delete NAME | "
                  "restore NAME [--check] [--keep-going] | export NAME [FILE [force]]",
            summary="store the Configuration (secrets never)",
            help_rows=(("snapshot save NAME [status] [force]", "store the Configuration (secrets never)"),
                       ("snapshot list | snapshot show NAME | snapshot delete NAME", ""),
                       ("snapshot restore NAME [--check] [--keep-going]", "apply NAME: set what differs"),
                       ("snapshot export NAME [FILE [force]]", "as xConfiguration lines (an apply file)")),
            handler=_snapshot, complete=_complete_snapshot),
    Command(rank=2, name="diff", scope=Scope.DEVICE, section=Section.RECORDS, usage="diff NAME [NAME2]",
            summary="live device (or NAME2) against snapshot NAME, as *c lines",
            handler=_diff, complete=_complete_diff),
)

__all__ = ["COMMANDS", "snapshot_command", "diff_command"]
