"""Finding an xCommand and checking its arguments the way a device does (spec §5.4, §8).

A real codec rejects a bad call before doing anything: unknown command → -32601,
unknown/missing/illegal argument → -32602 with its terse "Bad usage" text. Those texts
are what third-party code checks for, so they are kept verbatim, and the parameter at
fault (and why) goes into `data` for people. Values of secret parameters (passphrases,
PINs) are never put into an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xshell.errors import InvalidParams, MethodNotFound
from xshell.schema.model import Node, Param, Schema

METHOD_NOT_FOUND = "Method not found."
MISSING_OR_INVALID = "Bad usage: Missing or invalid parameter(s)."


def bad_argument(name: str, reason: str) -> InvalidParams:
    return InvalidParams(f'Bad usage: Bad argument to parameter "{name}".',
                         data={"Parameter": name, "Reason": reason})


@dataclass(frozen=True)
class Call:
    """A checked command call: canonical path, typed arguments by canonical name, body."""

    path: tuple[str, ...]  # below the Command root, canonical case
    node: Node
    args: Mapping[str, Any]
    body: str | None = None

    def arg(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)


def find_command(schema: Schema, method_path: str) -> Node:
    """The command node for "Audio/Volume/Set" (any case), or -32601."""
    parts = [p for p in method_path.split("/")]
    if not parts or any(not p for p in parts):
        raise MethodNotFound(METHOD_NOT_FOUND)
    node = schema.root("Command")
    for part in parts:
        node = node.child(part) if node is not None else None
    if node is None or node.kind != "command":
        raise MethodNotFound(METHOD_NOT_FOUND)
    return node


def check_call(schema: Schema, method_path: str, params: Any) -> Call:
    """Resolve and validate one xCommand request; returns the typed call."""
    node = find_command(schema, method_path)
    path = tuple(str(p) for p in schema.resolve(["Command", *method_path.split("/")]).path[1:])
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidParams(MISSING_OR_INVALID, data={"Reason": "params must be an object"})
    args: dict[str, Any] = {}
    body: str | None = None
    for key, raw in params.items():
        if key == "body" and node.multiline:
            if not isinstance(raw, str):
                raise InvalidParams(MISSING_OR_INVALID, data={"Parameter": "body", "Reason": "body must be a string"})
            body = raw
            continue
        param = node.param(key)
        if param is None:
            raise InvalidParams(MISSING_OR_INVALID, data={"Parameter": key, "Reason": "unknown parameter"})
        if param.name in args:
            raise InvalidParams(MISSING_OR_INVALID, data={"Parameter": param.name, "Reason": "given twice"})
        args[param.name] = _check_value(param, raw)
    for param in node.params:
        if param.required and param.name not in args:
            raise InvalidParams(MISSING_OR_INVALID, data={"Parameter": param.name, "Reason": "missing"})
    if node.multiline and body is None:
        body = ""
    return Call(path, node, args, body)


def _check_value(param: Param, raw: Any) -> Any:
    repeatable = param.multiple or param.value_space.is_array
    if isinstance(raw, list):
        if not repeatable:
            raise bad_argument(param.name, "takes one value, not a list")
        if not raw:
            raise bad_argument(param.name, "empty list")
        return [_check_one(param, v) for v in raw]
    return _check_one(param, raw)


def _check_one(param: Param, raw: Any) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise bad_argument(param.name, "expected a string or an integer")
    vs = param.value_space
    why = vs.check(raw)
    if why is not None:
        raise bad_argument(param.name, "illegal value" if param.secret else why)
    return vs.coerce(raw)
