"""The simulator's live Status and Configuration values: read, search, write, diff.

One LiveState per Simulator, shared by every connection (a device has one state,
whoever looks at it). Values are flat leaves keyed by path below the root with
instance ids inline — the DeviceModel's own shape — so a change is just a list of
(path, value) pairs that feedback can match and forward without re-diffing trees.
Every change method returns exactly what changed; callers hand that to feedback.

Errors are raised as the JSON-RPC errors a device answers with, so the dispatcher can
send them as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from xshell.errors import CommandError, InvalidParams
from xshell.schema.model import Node, PathElem, Schema, is_secret_name
from xshell.sim.access import Reader, denied
from xshell.sim.device import DeviceModel, LeafPath, Value
from xshell.sim.tree import (GHOST, STAR, Pattern, PathSyntaxError, build, descend, matches,
                             normalize, to_pattern)

NO_MATCH = "No match on Path argument"
DATA_ROOTS = ("Status", "Configuration")
UPTIME: LeafPath = ("SystemUnit", "Uptime")
Change = tuple[LeafPath, Any]  # (path below the root, new value or GHOST)


def no_match() -> InvalidParams:
    return InvalidParams(NO_MATCH)


class LiveState:
    """Current values of one simulated device, reset to its model on (re)boot."""

    def __init__(self, model: DeviceModel, clock: Callable[[], float] = time.monotonic) -> None:
        self.model = model
        self.schema: Schema = model.schema
        self._clock = clock
        self._values: dict[str, dict[LeafPath, Value]] = {r: {} for r in DATA_ROOTS}
        self._names = {r: self._names_below(r) for r in ("Status", "Configuration", "Event")}
        self._boot = clock()
        self._clocks: dict[LeafPath, float] = {}  # Status leaves counting seconds, and since when
        # per root: leaf paths by their lower-cased first name (see `matching`); dropped
        # whenever a root gains or loses a leaf, rebuilt on the next read
        self._index: dict[str, dict[str, list[LeafPath]]] = {}
        self.reset(initial=True)

    # --- lifecycle --------------------------------------------------------------------

    def reset(self, initial: bool = False, boot_delay: float = 0.0) -> None:
        """Factory-fresh values again (a reboot); Uptime restarts from zero once the
        device is back `boot_delay` seconds from now."""
        for root, source in (("Status", self.model.status), ("Configuration", self.model.configuration)):
            self._values[root] = {self._canonical_leaf(root, p): self._typed(root, p, v)
                                  for p, v in source.items()}
        self._index.clear()
        up = self._values["Status"].get(UPTIME)
        offset = up if (initial and isinstance(up, int)) else -boot_delay
        self._boot = self._clock() - offset
        self._clocks.clear()

    @property
    def has_uptime(self) -> bool:
        return UPTIME in self._values["Status"]

    def uptime(self) -> int:
        return max(0, int(self._clock() - self._boot))

    def start_clock(self, path: LeafPath) -> bool:
        """Make the Status leaf at `path` count seconds from its current value on (a
        call's Duration once it is connected); False when the model lacks the leaf."""
        try:
            key = self._canonical_leaf("Status", path)
        except ValueError:
            return False
        start = self._values["Status"].get(key, 0)
        self._clocks[key] = self._clock() - (start if isinstance(start, int) else 0)
        if key not in self._values["Status"]:
            self._values["Status"][key] = 0
            self._index.pop("Status", None)
        return True

    def clock_paths(self) -> list[LeafPath]:
        """Every Status leaf that changes by itself each second (Uptime, call Durations)."""
        return ([UPTIME] if self.has_uptime else []) + list(self._clocks)

    def _timed(self, path: LeafPath, value: Value) -> Value:
        if path == UPTIME:
            return self.uptime()
        start = self._clocks.get(path)
        return value if start is None else max(0, int(self._clock() - start))

    # --- reading ---------------------------------------------------------------------

    def leaves(self, root: str) -> Iterator[tuple[LeafPath, Value]]:
        """Every current leaf of Status or Configuration, Uptime computed on read."""
        for path, value in self._values[root].items():
            yield path, (self._timed(path, value) if root == "Status" else value)

    def matching(self, root: str, pattern: Pattern) -> list[Change]:
        """The current leaves of `root` that `pattern` (below the root) selects.

        Why not `matches` on every leaf: each xGet did that for every leaf of the root
        (hundreds here, thousands with the published schema), which capped the simulator
        at a few thousand requests a second. A leaf's first element is always a name, and
        one that differs from the pattern's first name cannot match, so only the leaves
        under that name are tried (in the store's order, as before).
        """
        values = self._values[root]
        first = pattern[0] if pattern else STAR
        if isinstance(first, str) and first != STAR:
            keys = [p for p in self._under(root).get(first, ()) if matches(pattern, p)]
        else:
            keys = [p for p in values if matches(pattern, p)]
        if root == "Status":
            return [(p, self._timed(p, values[p])) for p in keys]
        return [(p, values[p]) for p in keys]

    def value(self, root: str, path: LeafPath) -> Value | None:
        """One leaf by its exact canonical path below the root, or None."""
        value = self._values[root].get(path)
        return self._timed(path, value) if root == "Status" and value is not None else value

    def instances(self, root: str, prefix: LeafPath) -> list[int]:
        """Ids of the live instances of the multi node at `prefix` (e.g. ("Call",))."""
        n = len(prefix)
        ids = {p[n] for p in self._values[root] if p[:n] == prefix and len(p) > n and isinstance(p[n], int)}
        return sorted(ids)  # type: ignore[arg-type]  # ints only: the isinstance above

    def get(self, raw_path: Any, legacy: bool = False, reader: Reader | None = None) -> Any:
        """xGet: a leaf as a bare value, anything else as the tree relative to the path.

        With a `reader`, only what its user may read; -31999 when that is nothing.
        """
        path = self.compile(raw_path, roots=DATA_ROOTS, allow_star=False)
        root = str(path[0])
        pattern = to_pattern(path[1:])
        items = self.matching(root, pattern)
        if not items:
            raise no_match()
        items = _readable(items, root, reader)
        try:
            result = descend(build(items, legacy), path[1:])
        except KeyError:
            raise no_match() from None
        node = self.schema.node(path)
        if node is not None and node.is_leaf and isinstance(path[-1], int) and isinstance(result, dict):
            result = result.get("Value")  # a leaf that is itself a list, one element asked for
        return result

    def query(self, raw_query: Any, legacy: bool = False, reader: Reader | None = None) -> dict[str, Any]:
        """xQuery: rooted result. A query with `**` that matches nothing answers {}.

        With a `reader`, only what its user may read (a wildcard query just shows less).
        """
        path = self.compile(raw_query, roots=DATA_ROOTS, allow_star=True)
        wildcard = STAR in path
        pattern = to_pattern(path)
        result: dict[str, Any] = {}
        found = False
        for root in DATA_ROOTS:
            if path[0] not in (STAR, root):
                continue
            items = self._rooted(root, pattern)
            found = found or bool(items)
            if items and reader is not None:
                items = [(p, v) for p, v in items if reader.readable(root, p)]
            if items:
                result[root] = build(items, legacy)
        if not result and not wildcard:
            raise denied() if found else no_match()
        return result

    def current(self, pattern: Pattern, root: str) -> list[Change]:
        """Current leaves of `root` matching a rooted pattern (NotifyCurrentValue)."""
        return self._rooted(root, pattern)

    def _under(self, root: str) -> dict[str, list[LeafPath]]:
        """The leaf paths of `root` by lower-cased first name, in the store's order."""
        index = self._index.get(root)
        if index is None:
            index = self._index[root] = {}
            for p in self._values[root]:
                index.setdefault(str(p[0]).lower(), []).append(p)
        return index

    def _rooted(self, root: str, pattern: Pattern) -> list[Change]:
        """`matching` for a pattern that starts at the root (a name or `**`)."""
        if pattern and pattern[0] != STAR:
            return self.matching(root, pattern[1:]) if pattern[0] == root.lower() else []
        return [(p, v) for p, v in self.leaves(root) if matches(pattern, (root,) + p)]

    # --- writing ---------------------------------------------------------------------

    def set_configuration(self, raw_path: Any, value: Any) -> list[Change]:
        """xSet: validate and store; returns the change (empty when the value is the same)."""
        path = self.compile(raw_path, roots=("Configuration",), allow_star=False)
        node = self.schema.node(path)
        if node is None or not node.is_leaf:
            raise InvalidParams(NO_MATCH)
        key = path[1:]
        self._check_instances("Configuration", path)
        secret = node.hide_value or is_secret_name(node.name)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise CommandError("Illegal value", data={"Cause": 27})
        vs = node.value_space
        if vs is not None:
            why = vs.check(value)
            if why is not None:
                data: dict[str, Any] = {"Cause": 27}
                if not secret:
                    data["Reason"] = why
                raise CommandError("Illegal value", data=data)
            value = vs.coerce(value)
        return self.update("Configuration", {key: value})

    def update(self, root: str, changes: Mapping[LeafPath, Any], strict: bool = False) -> list[Change]:
        """Store several leaves at once; returns those whose value really changed.

        Paths the schema does not know are skipped (a behaviour written for a full
        codec still runs on a smaller model) unless `strict`, which raises ValueError.
        """
        out: list[Change] = []
        store = self._values[root]
        for raw, value in changes.items():
            try:
                key = self._canonical_leaf(root, raw)
            except ValueError:
                if strict:
                    raise
                continue
            value = self._typed(root, key, value, strict=strict)
            if key == UPTIME and root == "Status":
                self._boot = self._clock() - int(value)
            elif root == "Status" and key in self._clocks:
                self._clocks[key] = self._clock() - int(value)
            if store.get(key, GHOST) != value:
                if key not in store:
                    self._index.pop(root, None)
                store[key] = value
                out.append((key, value))
        return out

    def remove(self, root: str, prefix: Sequence[PathElem]) -> list[Change]:
        """Drop an instance (a call ended); returns its ghost, or [] if it did not exist.

        Only instances can go (the path ends on an id): ValueError otherwise.
        """
        try:
            key = self._canonical_leaf(root, prefix, leaf=False)
        except ValueError:
            return []
        if not key or not isinstance(key[-1], int):
            raise ValueError(f"{root} {' '.join(map(str, key))} is not an instance (a path ending on an id)")
        store = self._values[root]
        gone = [p for p in store if p[: len(key)] == key]
        for p in gone:
            del store[p]
            self._clocks.pop(p, None)
        self._index.pop(root, None)
        return [(key, GHOST)] if gone else []

    # --- paths -----------------------------------------------------------------------

    def compile(self, raw: Any, roots: Sequence[str], allow_star: bool) -> tuple[PathElem, ...]:
        """Check a wire path or query against the schema; canonical names out.

        Raises InvalidParams "No match on Path argument" for anything the schema does
        not know, with the reason in `data` so a user can see which element was wrong.
        """
        try:
            path = normalize(raw)
        except PathSyntaxError as exc:
            raise InvalidParams(NO_MATCH, data={"Reason": str(exc)}) from None
        first = path[0]
        if allow_star and first == STAR:
            self._check_star_names(path, roots)
            return path
        root = next((r for r in roots if isinstance(first, str) and r.lower() == first.lower()), None)
        if root is None:
            raise InvalidParams(NO_MATCH, data={"Reason": f"{first!s} is not one of {'/'.join(roots)}"})
        if STAR in path and not allow_star:
            raise InvalidParams(NO_MATCH, data={"Reason": "wildcards (**) are for xQuery"})
        cut = path.index(STAR) if STAR in path else len(path)
        resolved = self.schema.resolve(path[:cut])
        if not resolved.ok:
            raise InvalidParams(NO_MATCH, data={"Reason": resolved.error})
        if cut < len(path):
            self._check_star_names(path[cut:], (root,))
        return resolved.path + path[cut:]

    def _check_star_names(self, tail: Sequence[PathElem], roots: Sequence[str]) -> None:
        known: set[str] = set().union(*(self._names.get(r, set()) for r in roots))
        for elem in tail:
            if isinstance(elem, str) and elem != STAR and elem.lower() not in known:
                raise InvalidParams(NO_MATCH, data={"Reason": f"no node is named {elem!r}"})

    def _names_below(self, root: str) -> set[str]:
        return {path[-1].lower() for path, _ in self.schema.walk(root)} if self.schema.root(root) else set()

    def _canonical_leaf(self, root: str, raw: Sequence[PathElem], leaf: bool = True) -> LeafPath:
        resolved = self.schema.resolve((root,) + tuple(raw))
        if not resolved.ok or resolved.node is None:
            raise ValueError(f"{root} {' '.join(map(str, raw))}: {resolved.error}")
        if leaf and not resolved.node.is_leaf:
            raise ValueError(f"{root} {' '.join(map(str, raw))} is not a leaf")
        return resolved.path[1:]

    def _typed(self, root: str, path: Sequence[PathElem], value: Any, strict: bool = False) -> Any:
        """Integer leaves hold ints, literals their schema spelling (models may be loose)."""
        node = self.schema.node((root,) + tuple(path))
        vs = node.value_space if node is not None else None
        if vs is None or isinstance(value, bool):
            return value
        if strict:
            why = vs.check(value)
            if why is not None:
                raise ValueError(why)
        try:
            return vs.coerce(value)
        except (TypeError, ValueError):
            return value

    def _check_instances(self, root: str, path: Sequence[PathElem]) -> None:
        """Every multi node on the path has an id, and that instance exists."""
        node: Node | None = self.schema.root(root)
        for i, elem in enumerate(path[1:], start=1):
            if isinstance(elem, int) or node is None:
                continue
            node = node.child(elem)
            if node is None or not node.multi:
                continue
            nxt = path[i + 1] if i + 1 < len(path) else None
            if not isinstance(nxt, int):
                raise InvalidParams(NO_MATCH, data={"Reason": f"{node.name} needs an instance id"})
            prefix = tuple(path[1: i + 1])
            if nxt not in node.instances and nxt not in self.instances(root, prefix):
                raise InvalidParams(NO_MATCH, data={"Reason": f"{node.name} {nxt} does not exist"})


def _readable(items: list[Change], root: str, reader: Reader | None) -> list[Change]:
    """The items `reader`'s user may read; -31999 Permission Denied when none."""
    if reader is None:
        return items
    kept = [(p, v) for p, v in items if reader.readable(root, p)]
    if not kept:
        raise denied()
    return kept
