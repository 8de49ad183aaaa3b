"""Prompt, bottom toolbar and pane-title text, built from cached state on every render.

These run on every redraw, so they only format attributes already in memory: no I/O,
no device queries, no terminal-size probing beyond the width passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompt_toolkit.formatted_text import StyleAndTextTuples

from xshell.inert import inert
from xshell.contract import BackendStatus
from xshell.ui.eventlog import EventLog

__all__ = [
    "ToolbarInfo",
    "device_name",
    "pane_title_fragments",
    "plain_prompt",
    "prompt_fragments",
    "toolbar_fragments",
]

STATE_MARKS = {"connected": "●", "connecting": "◌", "reconnecting": "◐", "disconnected": "○"}


def device_name(status: BackendStatus) -> str:
    """What to call the device: its name, else the host, else a neutral word.

    Inert: the name is often the device's own SystemUnit Name, shown on every redraw.
    """
    return inert(status.device or status.host or "xshell")


def _state_class(state: str) -> str:
    return f"class:state.{state if state in STATE_MARKS else 'unknown'}"


def prompt_fragments(status: BackendStatus) -> StyleAndTextTuples:
    """Full-screen prompt, e.g. `boardroom● ` with the dot coloured by connection state.

    When not connected the state is also spelled out (colour alone is not enough).
    """
    frags: StyleAndTextTuples = [("class:prompt.device", device_name(status))]
    if status.state != "connected":
        frags.append(("class:prompt.state", f" ({status.state})"))
    frags.append((_state_class(status.state), STATE_MARKS.get(status.state, "?")))
    frags.append(("class:prompt", " "))
    return frags


def plain_prompt(status: BackendStatus) -> str:
    """Plain-mode prompt: words only, screen-reader friendly (`boardroom (connected)> `)."""
    return f"{device_name(status)} ({status.state})> "


@dataclass
class ToolbarInfo:
    """UI-side state shown in the toolbar, next to the backend status."""

    events_per_second: float = 0.0
    paused: bool = False
    held: int = 0
    filter_text: str | None = None
    running: str | None = None  # the request in flight (masked), if any
    queued: int = 0
    body_mode: bool = False
    scrolled: bool = False
    pane_visible: bool = True
    vi_mode: str | None = None  # "insert", "normal"…: shown only with vi key bindings


def toolbar_fragments(status: BackendStatus, info: ToolbarInfo, width: int = 160) -> StyleAndTextTuples:
    """The bottom toolbar: device · software · state · rtt · registrations · ev/s · hints.

    Most important first, so a narrow terminal cuts off hints rather than the state.
    """
    narrow = width < 100
    sep = ("class:toolbar.sep", "│" if narrow else " │ ")
    f: StyleAndTextTuples = [("class:toolbar.device", " " + device_name(status))]
    if status.software:
        f += [sep, ("class:toolbar", inert(status.software))]
    state = status.state
    if state == "connecting" and status.host:  # before the first device answers: which one
        state = inert(f"connecting to {status.host}…")
    f += [sep, (_state_class(status.state), f"{STATE_MARKS.get(status.state, '?')} {state}")]
    if info.vi_mode is not None:  # vi users must see which mode their keys are in
        f += [sep, ("class:toolbar.hint" if info.vi_mode == "insert" else "class:toolbar.warn",
                    f"vi {info.vi_mode}")]
    if status.rtt_ms is not None:
        f += [sep, ("class:toolbar", f"rtt {status.rtt_ms:.0f}{'' if narrow else ' '}ms")]
    f += [sep, ("class:toolbar", f"{status.registrations} reg")]
    if status.watches:  # subscriptions too: the device's feedback limit counts them
        f += [sep, ("class:toolbar", f"{status.watches} watch")]
    if status.unrestored:  # feedback that is not arriving: must stay in sight until fixed
        f += [sep, ("class:toolbar.warn", f"{status.unrestored} not restored")]
    f += [sep, ("class:toolbar", f"{info.events_per_second:.1f} ev/s")]
    if status.discovering:
        f += [sep, ("class:toolbar.busy", "discovering…")]
    if not info.pane_visible:
        f += [sep, ("class:toolbar.hint", "pane hidden")]
    if info.paused:
        f += [sep, ("class:toolbar.warn", f"paused ({info.held} held)")]
    if info.filter_text:
        f += [sep, ("class:toolbar.warn", inert(f"filter {info.filter_text!r}"))]
    if info.running is not None:
        more = f" +{info.queued} queued" if info.queued else ""
        f += [sep, ("class:toolbar.busy", f"running{more} (Ctrl-C cancels)")]
    if info.scrolled:
        f += [sep, ("class:toolbar.warn", "scrolled (End follows)")]
    if info.body_mode:
        f += [sep, ("class:toolbar.hint", "body: end with a line holding only '.'")]
        return f
    # Key hints: the longest variant that fits whole; never a half-cut hint.
    used = sum(len(frag[1]) for frag in f) + len(sep[1])
    pause = "F3 resume" if info.paused else "F3 pause"
    for hint in (f"F1 help  F2 pane  {pause}  Ctrl-D quit", f"F1 help  F2 pane  {pause}",
                 "F1 help  F2 pane", "F1 help"):
        if used + len(hint) <= width:
            f += [sep, ("class:toolbar.hint", hint)]
            break
    return f


def pane_title_fragments(log: EventLog) -> StyleAndTextTuples:
    """One-line title of the feedback pane: count, paused, filter."""
    n = log.total_events
    text = f" Feedback ({n} event{'' if n == 1 else 's'})"
    if log.paused:
        text += f" — paused, {log.held} held"
    if log.filter_text:
        text += f" — filter {log.filter_text!r}"
    return [("class:pane.title", inert(text))]
