"""Accounts and roles: who may run, write and read what (spec xows.md §8, §10).

A device checks every request against the roles of the user who logged in: the schema
lists, per node, the roles that may run a command or write a configuration (`role`) and
those that may read a status, configuration or event (`read`). A request outside the
user's roles is answered `-31999 Permission Denied`; a read of a subtree shows only what
the user may read (and is denied when that is nothing). The simulator keeps this in one
place so the dispatcher and the feedback hub decide alike.

Accounts come from `xshell-sim --user NAME[:PASSWORD[:ROLE,ROLE…]]` (repeatable) or
`Simulator(users=[Account(...)])`. An account without roles listed gets the roles a
device's `admin` has. Passwords never appear in a repr, a log line or an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from xshell.errors import PermissionDenied
from xshell.schema.model import Node, PathElem, Schema

# Every role the published schema names (roomos-26.1.1: role/read lists).
ROLES = ("Admin", "Audit", "Integrator", "PairedUser", "RoomControl", "TouchUser", "User")
# What a factory `admin` account holds (the special TouchUser/PairedUser roles are for
# touch panels and paired devices, not for people).
ADMIN_ROLES = frozenset(("Admin", "Audit", "Integrator", "RoomControl", "User"))
PERMISSION_DENIED = "Permission Denied"


class AccountSyntaxError(ValueError):
    """A `--user` value that is not NAME[:PASSWORD[:ROLE,ROLE…]] with known roles."""


@dataclass(frozen=True)
class Account:
    """One user the simulated device accepts, with the roles it holds."""

    name: str
    password: str = field(repr=False)
    roles: frozenset[str] = ADMIN_ROLES


def parse_account(spec: str, default_password: str) -> Account:
    """`NAME`, `NAME:PASSWORD` or `NAME:PASSWORD:ROLE,ROLE` → an Account.

    A password holding `:` must be followed by `:ROLES` (the last `:` separates them).
    Role names are matched in any case and must be ones the schema uses.
    """
    name, sep, rest = spec.partition(":")
    if not name:
        raise AccountSyntaxError("expected NAME[:PASSWORD[:ROLE,ROLE...]], got an empty name")
    if not sep:
        return Account(name, default_password)
    password, sep, role_text = rest.rpartition(":") if ":" in rest else (rest, "", "")
    if not sep:
        return Account(name, password)
    roles: set[str] = set()
    known = {r.lower(): r for r in ROLES}
    for word in (w.strip() for w in role_text.split(",")):
        if word.lower() not in known:
            raise AccountSyntaxError(f"user {name}: unknown role {word!r} (roles: {', '.join(ROLES)})")
        roles.add(known[word.lower()])
    return Account(name, password, frozenset(roles))


def denied() -> PermissionDenied:
    return PermissionDenied(PERMISSION_DENIED)


def may_run(roles: frozenset[str], node: Node | None) -> bool:
    """A command may be run / a configuration written by a user holding one of its roles."""
    return node is None or not node.roles or not roles.isdisjoint(node.roles)


def may_read(roles: frozenset[str], node: Node | None) -> bool:
    """A status, configuration or event may be read by a user holding one of its read roles."""
    return node is None or not node.read_roles or not roles.isdisjoint(node.read_roles)


class Reader:
    """Read checks for one user, cached per node path (a tree read asks per leaf)."""

    def __init__(self, schema: Schema, roles: frozenset[str]) -> None:
        self.schema = schema
        self.roles = roles
        self._cache: dict[tuple[str, ...], bool] = {}

    def readable(self, root: str, path: Iterable[PathElem]) -> bool:
        """Whether the leaf at `path` (below `root`, ids inline) may be read."""
        names = (root,) + tuple(e for e in path if isinstance(e, str))
        known = self._cache.get(names)
        if known is None:  # every node on the way counts (an event's roles sit on its node)
            known = all(may_read(self.roles, self.schema.node(names[:i])) for i in range(2, len(names) + 1))
            self._cache[names] = known
        return known
