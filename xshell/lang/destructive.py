"""What a request does to a room: reads it, changes it, or does something hard to undo.

The guard (xshell.session.guard_policy) asks before a destructive request and refuses any change
in a read-only session; both need one answer to "what is this request?", whatever form
it was typed in — a tshell line or a raw JSON-RPC object — so the answer is decided here,
once, from the request value the parser produced.

The rules, from the published schema's command and configuration names:

* read: xStatus, xConfiguration PATH (no value), xFeedback, help, and an xCommand whose
  last word is one of READ_WORDS (`Get`, `List`, `Search`, `Show`, `Status`, …) or starts
  with `Get` (`GetState`), plus the few named in READ_COMMANDS (`Diagnostics Run` only
  runs the device's own checks). Raw `xGet`, `xQuery`, `xDoc`, `xFeedback/…` likewise.
* change: every other xCommand, every xConfiguration with a value (xSet), any other raw
  method.
* destructive: a change whose path matches a pattern of the guard list: reboots and
  resets, removals and clears, registration and provisioning, ending sessions, and the
  settings that can cut xshell's own connection (DEFAULT_COMMANDS, DEFAULT_CONFIGURATIONS;
  the settings file's [guard] adds patterns and allows some back).

A pattern is a shell glob over the path's words joined by single spaces, instance
numbers dropped, case ignored: `Security * Delete` matches
`xCommand Security Certificates CA Delete`, `Network IPv4 *` matches
`xConfiguration Network 1 IPv4 Address: …`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Any, Literal, NamedTuple

from xshell.lang import requests as rq

__all__ = ["DEFAULT_COMMANDS", "DEFAULT_CONFIGURATIONS", "READ_COMMANDS", "READ_WORDS",
           "GuardRules", "Verdict", "classify", "is_read_command"]

READ_WORDS = ("Get", "List", "Search", "Show", "Status", "Export", "Recents", "Validate",
              "VerifyConfig", "Ping", "Traceroute")
READ_COMMANDS = ("Diagnostics Run",)

_RESET = "reboots or resets the device"
_REMOVE = "removes or clears what is stored on the device"
_REGISTER = "changes the device's registration or provisioning"
_SESSION = "ends a session on the device"
_LINK = "may cut xshell's connection to the device"

# xCommand patterns, from the schema's command names (roomos-26.1.1), with why each is here.
DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("SystemUnit Boot", _RESET), ("SystemUnit FactoryReset", _RESET),
    ("SystemUnit SoftReset", _RESET), ("SystemUnit SoftwareUpgrade", _RESET),
    ("Camera Boot", _RESET), ("Camera FactoryReset", _RESET), ("Peripherals Boot", _RESET),
    ("Audio Setup Reset", _RESET), ("MicrosoftTeams Reset", _RESET),
    ("Macros Runtime Restart", _RESET), ("Webex Software Upgrade", _RESET),
    ("Security Persistency", _RESET),
    ("* RemoveAll", _REMOVE), ("* DeleteAll", _REMOVE), ("Macros Macro Remove", _REMOVE),
    ("UserInterface Extensions Clear", _REMOVE), ("UserInterface Extensions Panel Remove", _REMOVE),
    ("UserInterface Branding Clear", _REMOVE), ("Security * Delete", _REMOVE),
    ("Phonebook * Delete", _REMOVE), ("Bookings Clear", _REMOVE),
    ("Cameras Background Clear", _REMOVE), ("Audio Setup Clear", _REMOVE),
    ("HttpClient Allow Hostname Clear", _REMOVE), ("UserManagement User Delete", _REMOVE),
    ("UserManagement RemoteSupportUser Delete", _REMOVE),
    ("UserManagement RemoteSupportUser DisablePermanently", _REMOVE),
    ("SystemUnit OptionKey Remove", _REMOVE), ("Network Wifi Delete", _REMOVE),
    ("WebEngine DeleteStorage", _REMOVE), ("RoomCleanup Run", _REMOVE),
    ("Peripherals Purge", _REMOVE),
    ("Provisioning *", _REGISTER), ("Webex Registration *", _REGISTER),
    ("HttpFeedback Deregister", _REGISTER),
    ("Security Session Terminate", _SESSION), ("RemoteAccess EndSession", _SESSION),
    ("MicrosoftTeams SignOut", _SESSION),
    ("Network Wifi Configure", _LINK),
)

# xConfiguration patterns: what can cut the connection xshell is using, or the device's
# registration, when changed.
DEFAULT_CONFIGURATIONS: tuple[tuple[str, str], ...] = (
    ("NetworkServices Websocket", _LINK), ("NetworkServices HTTP Mode", _LINK),
    ("NetworkServices HTTPS *", _LINK),
    ("Network IPv4 *", _LINK), ("Network IPv6 *", _LINK), ("Network IPStack", _LINK),
    ("Network VLAN *", _LINK), ("Network IEEE8021X *", _LINK),
    ("Network Speed", _LINK), ("Network MTU", _LINK),
    ("Security Xapi WebSocket *", _LINK), ("Security Fips Mode", _RESET),
    ("Provisioning *", _REGISTER),
)

Kind = Literal["read", "change", "destructive"]
_LISTED = "is on the guard list ([guard] in the settings file)"


class GuardRules(NamedTuple):
    """The guard list in force: the defaults, the settings' extra patterns, and the
    patterns the settings allow back (never asked about)."""

    commands: tuple[str, ...] = ()
    configurations: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    defaults: bool = True

    @classmethod
    def from_lists(cls, commands: Iterable[str] = (), configurations: Iterable[str] = (),
                   allow: Iterable[str] = ()) -> GuardRules:
        return cls(tuple(commands), tuple(configurations), tuple(allow))

    def why(self, root: str, words: str) -> str | None:
        """Why the `root` ("Command" or "Configuration") path `words` is destructive."""
        if any(_matches(p, words) for p in self.allow):
            return None
        builtin = DEFAULT_COMMANDS if root == "Command" else DEFAULT_CONFIGURATIONS
        extra = self.commands if root == "Command" else self.configurations
        if self.defaults:
            for pattern, why in builtin:
                if _matches(pattern, words):
                    return why
        return _LISTED if any(_matches(p, words) for p in extra) else None

    def listing(self) -> list[str]:
        """The list as `guard` prints it: one pattern a line, the reason after it."""
        out = []
        for root, builtin, extra in (("xCommand", DEFAULT_COMMANDS, self.commands),
                                     ("xConfiguration", DEFAULT_CONFIGURATIONS, self.configurations)):
            rows = [*(builtin if self.defaults else ()), *((p, "[guard] setting") for p in extra)]
            out += [f"{root} {p}  ({why})" for p, why in rows]
        out += [f"allowed: {p}" for p in self.allow]
        return out


class Verdict(NamedTuple):
    """What a request does. `what` names it without any value (a secret never shows):
    `xCommand SystemUnit Boot`, `xConfiguration NetworkServices Websocket`."""

    kind: Kind
    what: str = ""
    why: str = ""

    @property
    def changes(self) -> bool:
        return self.kind != "read"


def _matches(pattern: str, words: str) -> bool:
    return fnmatchcase(words.lower(), " ".join(pattern.split()).lower())


def _words(path: Sequence[Any]) -> list[str]:
    """The names of a path, instance numbers (and `[n]` suffixes) dropped."""
    out = []
    for e in path:
        if isinstance(e, int) or isinstance(e, bool):
            continue
        text = re.sub(r"\[\d*\]$", "", str(e).strip())
        if text and not text.isdigit():
            out.append(text)
    return out


def is_read_command(path: Sequence[str]) -> bool:
    """Whether an xCommand (path without the Command root) only reads (see the module doc)."""
    words = _words(path)
    if not words:
        return False
    last = words[-1].lower()
    joined = " ".join(words).lower()
    return (any(last == w.lower() for w in READ_WORDS) or last.startswith("get")
            or any(joined == c.lower() for c in READ_COMMANDS))


def _command(path: Sequence[str], rules: GuardRules, suffix: str = "") -> Verdict:
    words = _words(path)
    what = " ".join(["xCommand", *words]) + suffix
    if is_read_command(words):
        return Verdict("read", what)
    why = rules.why("Command", " ".join(words))
    return Verdict("destructive", what, why) if why else Verdict("change", what)


def _setting(path: Sequence[Any], rules: GuardRules, suffix: str = "") -> Verdict:
    words = _words(path)
    if words and words[0].lower() == "configuration":
        words = words[1:]
    what = " ".join(["xConfiguration", *words]) + suffix
    why = rules.why("Configuration", " ".join(words))
    return Verdict("destructive", what, why) if why else Verdict("change", what)


_READ_METHODS = ("xget", "xquery", "xdoc", "xfeedback/subscribe", "xfeedback/unsubscribe")


def _raw(obj: dict[str, Any], rules: GuardRules) -> Verdict:
    method = obj.get("method")
    params = obj.get("params")
    name = method.strip() if isinstance(method, str) else ""
    low = name.lower()
    if low in _READ_METHODS:
        return Verdict("read", str(method))
    if low.startswith("xcommand/"):
        return _command([w for w in name[len("xcommand/"):].split("/") if w], rules,
                        " (JSON-RPC)")
    if low == "xset":
        found = next((v for k, v in params.items() if isinstance(k, str) and k.lower() == "path"),
                     None) if isinstance(params, dict) else None
        if isinstance(found, str):
            found = [w for w in re.split(r"[/\s]+", found) if w]
        if isinstance(found, list) and found:
            return _setting(found, rules, " (JSON-RPC)")
        return Verdict("change", "xSet (JSON-RPC, no readable Path)")
    shown = method if isinstance(method, str) and len(method) <= 60 else "a JSON-RPC request"
    return Verdict("change", f"{shown} (JSON-RPC)")


def classify(req: rq.Request, rules: GuardRules | None = None) -> Verdict:
    """What `req` does to the room (see the module doc for the rules)."""
    rules = rules if rules is not None else GuardRules()
    if isinstance(req, rq.Command):
        return _command(req.path, rules)
    if isinstance(req, rq.Set):
        return _setting(req.path, rules)
    if isinstance(req, rq.Raw):
        return _raw(req.obj, rules)
    return Verdict("read")
