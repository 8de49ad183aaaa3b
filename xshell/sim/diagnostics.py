"""Diagnostics messages on demand: a simulated room that is not healthy.

`health` (xshell.commands.health) is only testable against rooms that report problems
the way a codec does: as `Status Diagnostics Message[n]` instances (Level Critical,
Error, Warning or Info; Type one of the schema's literals; Description; References).

    raise_message(sim, level, type, description, references="")  one more message (its id)
    clear_messages(sim)                                          every message gone
    unhealthy_model(model)          a DeviceModel with an Error message and a failed SIP
                                    registration at boot (`xshell-sim --unhealthy N`): it
                                    survives a simulated reboot, as a real fault would

Hidden JSON-RPC method (with `xshell-sim --faults`, as xSimulator/Fault):

    {"jsonrpc":"2.0","id":1,"method":"xSimulator/Diagnostics",
     "params":{"Level":"Error","Type":"CameraStatus","Description":"…","References":"…"}}
    {"jsonrpc":"2.0","id":2,"method":"xSimulator/Diagnostics","params":{"Clear":true}}

answers `{"status":"OK","MessageId":N}`; a bad Level is a -32602 naming it.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from xshell.errors import InvalidParams
from xshell.sim.device import DeviceModel

if TYPE_CHECKING:
    from xshell.sim.simulator import Simulator

__all__ = ["DIAGNOSTICS_METHOD", "LEVELS", "clear_messages", "diagnostics_rpc", "raise_message",
           "unhealthy_model"]

DIAGNOSTICS_METHOD = "xSimulator/Diagnostics"
LEVELS = ("Critical", "Error", "Warning", "Info")
_ROOT = ("Diagnostics", "Message")
UNHEALTHY = ("Error", "SIPProfileRegistration",
             "The SIP profile could not register: the proxy refused the credentials.")


def _ids(values: Any) -> list[int]:
    return sorted({k[2] for k in values if tuple(k[:2]) == _ROOT and len(k) > 2
                   and isinstance(k[2], int)})


def raise_message(sim: Simulator, level: str, type_: str, description: str,
                  references: str = "") -> int:
    """Add one message (feedback goes out as for any status change); its instance id."""
    if level not in LEVELS:
        raise ValueError(f"Level {level!r}: one of {', '.join(LEVELS)}")
    known = sim.state.instances("Status", _ROOT)
    new = (known[-1] + 1) if known else 1
    sim.update_status({(*_ROOT, new, "Level"): level, (*_ROOT, new, "Type"): type_,
                       (*_ROOT, new, "Description"): description,
                       (*_ROOT, new, "References"): references})
    return new


def clear_messages(sim: Simulator) -> None:
    """Remove every diagnostics message (subscribers get their ghosts)."""
    for ident in sim.state.instances("Status", _ROOT):
        sim.remove_status(f"Diagnostics Message {ident}")


def unhealthy_model(model: DeviceModel) -> DeviceModel:
    """`model` that boots with an Error diagnostics message and a failed SIP registration."""
    status = dict(model.status)
    new = (_ids(status)[-1] + 1) if _ids(status) else 1
    level, type_, text = UNHEALTHY
    if model.schema.node(("Status", *_ROOT)) is not None:
        status.update({(*_ROOT, new, "Level"): level, (*_ROOT, new, "Type"): type_,
                       (*_ROOT, new, "Description"): text, (*_ROOT, new, "References"): ""})
    for key in [k for k in status if k[:2] == ("SIP", "Registration") and k[-1] == "Status"]:
        status[key] = "Failed"
    return dataclasses.replace(model, status=MappingProxyType(status))


def diagnostics_rpc(sim: Simulator, params: Any) -> dict[str, Any]:
    """xSimulator/Diagnostics: validate, then raise or clear (see the module docstring)."""
    if not isinstance(params, dict):
        raise _bad("params", "must be an object")
    get = {str(k).lower(): v for k, v in params.items()}.get
    if get("clear") is True:
        clear_messages(sim)
        return {"status": "OK"}
    level = get("level")
    if level not in LEVELS:
        raise _bad("Level", f"{level!r} is not one of {', '.join(LEVELS)}")
    fields = {name: get(name.lower(), "") for name in ("Type", "Description", "References")}
    for name, value in fields.items():
        if not isinstance(value, str):
            raise _bad(name, "must be a string")
    ident = raise_message(sim, level, fields["Type"] or "PlatformSanity", fields["Description"],
                          fields["References"])
    return {"status": "OK", "MessageId": ident}


def _bad(parameter: str, reason: str) -> InvalidParams:
    return InvalidParams("Bad usage: Missing or invalid parameter(s).",
                         data={"Parameter": parameter, "Reason": reason})
