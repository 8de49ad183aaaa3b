"""Drive the real `xshell` in a pseudo-terminal and read what a user would see.

The full-screen app repaints with cursor movement, so the raw byte stream does not read
like the screen. `Screen` is a deliberately small VT100 model (the subset prompt-toolkit
emits: cursor moves, erases, alternate screen, autowrap, scrolling) that turns the stream
back into rows of text; colours are dropped and every character is one column wide.
`Term` feeds a pexpect child into a `Screen` and waits for a condition on it with a
deadline (never a sleep), dumping the screen when the condition never comes true.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

import pexpect  # type: ignore[import-untyped]

__all__ = ["KEY", "Screen", "Term", "spawn_xshell"]

# What the keys send on an xterm (prompt-toolkit decodes these sequences).
KEY = {
    "enter": "\r",
    "tab": "\t",
    "ctrl-c": "\x03",
    "ctrl-d": "\x04",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
}


class Screen:
    """Text contents of a terminal of `rows` × `cols`, plus the lines scrolled off the top."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.grid = self._blank()
        self.y = self.x = 0
        self.wrap_pending = False
        self.autowrap = True
        self.scrollback: list[str] = []
        self._saved_cursor = (0, 0)
        self._main: tuple[list[list[str]], int, int] | None = None  # set while on the alternate screen
        self._state = "text"
        self._seq = ""

    # -- reading -------------------------------------------------------------------------
    def lines(self) -> list[str]:
        """The visible rows, trailing blanks removed from each row."""
        return ["".join(row).rstrip() for row in self.grid]

    def transcript(self) -> list[str]:
        """Scrolled-off lines then the visible rows, without the blank rows at the bottom."""
        out = self.scrollback + self.lines()
        while out and not out[-1]:
            out.pop()
        return out

    def dump(self) -> str:
        return "\n".join(f"{i:2d}|{line}" for i, line in enumerate(self.lines()))

    def find(self, fragment: str) -> list[tuple[int, int]]:
        """(row, column) of every occurrence of `fragment` on the visible screen."""
        hits = []
        for r, line in enumerate(self.lines()):
            start = line.find(fragment)
            while start >= 0:
                hits.append((r, start))
                start = line.find(fragment, start + 1)
        return hits

    def contains(self, fragment: str) -> bool:
        return bool(self.find(fragment))

    def resize(self, rows: int, cols: int) -> None:
        """Crop or pad to the new size, as a terminal does before the app repaints."""
        self.grid = [(row + [" "] * cols)[:cols] for row in self.grid[:rows]]
        self.grid += [[" "] * cols for _ in range(rows - len(self.grid))]
        self.rows, self.cols = rows, cols
        self.y, self.x = min(self.y, rows - 1), min(self.x, cols - 1)
        self.wrap_pending = False

    # -- writing -------------------------------------------------------------------------
    def feed(self, data: str) -> None:
        for ch in data:
            if self._state == "text":
                self._text(ch)
            elif self._state == "esc":
                self._escape(ch)
            elif self._state == "csi":
                if "\x40" <= ch <= "\x7e":
                    self._state = "text"
                    self._csi(self._seq, ch)
                else:
                    self._seq += ch
            elif self._state == "osc":  # window title and friends: ignored up to BEL or ST
                if ch == "\x07":
                    self._state = "text"
                elif ch == "\x1b":
                    self._state = "osc-esc"
            elif self._state == "osc-esc":
                self._state = "text" if ch == "\\" else "osc"
            elif self._state == "charset":  # ESC ( B and the like: one designator character
                self._state = "text"

    def _blank(self) -> list[list[str]]:
        return [[" "] * self.cols for _ in range(self.rows)]

    def _text(self, ch: str) -> None:
        if ch == "\x1b":
            self._state, self._seq = "esc", ""
        elif ch == "\r":
            self.x, self.wrap_pending = 0, False
        elif ch in "\n\x0b\x0c":
            self._linefeed()
        elif ch == "\b":
            self.x, self.wrap_pending = max(0, self.x - 1), False
        elif ch == "\t":
            self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
        elif ch >= " " and ch != "\x7f":
            self._put(ch)

    def _put(self, ch: str) -> None:
        if self.wrap_pending and self.autowrap:
            self.x = 0
            self._linefeed()
        self.wrap_pending = False
        self.grid[self.y][self.x] = ch
        if self.x == self.cols - 1:
            self.wrap_pending = True  # xterm defers the wrap until the next printable
        else:
            self.x += 1

    def _linefeed(self) -> None:
        self.wrap_pending = False
        if self.y == self.rows - 1:
            self._scroll_up(1)
        else:
            self.y += 1

    def _scroll_up(self, n: int) -> None:
        for _ in range(n):
            top = self.grid.pop(0)
            if self._main is None:
                self.scrollback.append("".join(top).rstrip())
            self.grid.append([" "] * self.cols)

    def _escape(self, ch: str) -> None:
        self._state = "text"
        if ch == "[":
            self._state = "csi"
        elif ch == "]":
            self._state = "osc"
        elif ch in "()*+":
            self._state = "charset"
        elif ch == "7":
            self._saved_cursor = (self.y, self.x)
        elif ch == "8":
            self.y, self.x = self._saved_cursor
        elif ch == "D":
            self._linefeed()
        elif ch == "E":
            self.x = 0
            self._linefeed()
        elif ch == "M":
            if self.y == 0:
                self.grid.insert(0, [" "] * self.cols)
                self.grid.pop()
            else:
                self.y -= 1
        elif ch == "c":
            self.grid, self.y, self.x = self._blank(), 0, 0

    def _csi(self, seq: str, final: str) -> None:
        private = seq[:1] in ("?", ">", "=", "<")
        body = seq[1:] if private else seq
        body = body.rstrip(" !\"#$%&'*+,-./")  # intermediates, e.g. the space in "ESC [ 2 q"
        params = [int(p) if p.isdigit() else 0 for p in body.split(";")] if body else []

        def arg(i: int = 0, default: int = 1) -> int:
            value = params[i] if i < len(params) else 0
            return value or default

        self.wrap_pending = False
        if private:
            if final in "hl":
                self._mode(params, on=final == "h")
            return
        if final == "A":
            self.y = max(0, self.y - arg())
        elif final in "Be":
            self.y = min(self.rows - 1, self.y + arg())
        elif final in "Ca":
            self.x = min(self.cols - 1, self.x + arg())
        elif final == "D":
            self.x = max(0, self.x - arg())
        elif final == "E":
            self.y, self.x = min(self.rows - 1, self.y + arg()), 0
        elif final == "F":
            self.y, self.x = max(0, self.y - arg()), 0
        elif final in "G`":
            self.x = min(self.cols - 1, arg() - 1)
        elif final == "d":
            self.y = min(self.rows - 1, arg() - 1)
        elif final in "Hf":
            self.y = min(self.rows - 1, arg(0) - 1)
            self.x = min(self.cols - 1, arg(1) - 1)
        elif final == "J":
            self._erase_display(arg(0, 0))
        elif final == "K":
            self._erase_line(arg(0, 0))
        elif final == "X":
            row = self.grid[self.y]
            for i in range(self.x, min(self.cols, self.x + arg())):
                row[i] = " "
        elif final == "P":
            row = self.grid[self.y]
            del row[self.x:self.x + arg()]
            row.extend([" "] * (self.cols - len(row)))
        elif final == "@":
            row = self.grid[self.y]
            row[self.x:self.x] = [" "] * arg()
            del row[self.cols:]
        elif final == "S":
            self._scroll_up(arg())
        elif final == "s":
            self._saved_cursor = (self.y, self.x)
        elif final == "u":
            self.y, self.x = self._saved_cursor
        # m (colours), n (reports), r (margins) and the rest do not change the text.

    def _mode(self, params: Sequence[int], *, on: bool) -> None:
        for p in params:
            if p == 7:
                self.autowrap = on
            elif p in (47, 1047, 1049):
                if on and self._main is None:
                    self._main = (self.grid, self.y, self.x)
                    self.grid = self._blank()
                elif not on and self._main is not None:
                    self.grid, self.y, self.x = self._main
                    self._main = None

    def _erase_display(self, how: int) -> None:
        if how == 0:
            self._erase_line(0)
            for r in range(self.y + 1, self.rows):
                self.grid[r] = [" "] * self.cols
        elif how == 1:
            self._erase_line(1)
            for r in range(self.y):
                self.grid[r] = [" "] * self.cols
        else:
            self.grid = self._blank()

    def _erase_line(self, how: int) -> None:
        row = self.grid[self.y]
        start, end = {0: (self.x, self.cols), 1: (0, self.x + 1)}.get(how, (0, self.cols))
        for i in range(start, min(end, self.cols)):
            row[i] = " "


class Term:
    """A pexpect child seen through a `Screen`."""

    def __init__(self, child: pexpect.spawn, rows: int, cols: int) -> None:
        self.child = child
        self.screen = Screen(rows, cols)
        # When the app is between repaints (see `wait_for`); None = judge after every read.
        self.at_rest: Callable[[Screen], bool] | None = None
        self.raw: list[str] = []  # everything received, for debugging a failure
        self.exitstatus: int | None = None

    def send(self, text: str) -> None:
        self.child.send(text)

    def key(self, name: str) -> None:
        self.child.send(KEY[name])

    def resize(self, rows: int, cols: int) -> None:
        """Change the pty size (the child gets SIGWINCH) and the screen model with it."""
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def _pump(self, timeout: float) -> bool:
        """Read what arrives within `timeout` into the screen; False once the child is gone."""
        try:
            data = self.child.read_nonblocking(size=65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw.append(data)
        self.screen.feed(data)
        return True

    def wait_for(self, condition: Callable[[Screen], bool], what: str, timeout: float = 10.0) -> Screen:
        """Block until `condition(screen)` holds; fail with the screen if it does not in time.

        A read can end in the middle of a repaint, leaving a half-drawn row that happens to
        satisfy the condition; with `at_rest` set, the screen is only judged when the app
        has parked the cursor where a finished repaint leaves it.
        """
        deadline = time.monotonic() + timeout
        alive = True

        def done() -> bool:
            rest = self.at_rest is None or self.at_rest(self.screen)
            return rest and condition(self.screen)

        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not alive:
                state = "still running" if alive else "exited"
                raise AssertionError(f"timed out waiting for {what} (xshell {state}); screen:\n"
                                     f"{self.screen.dump()}")
            alive = self._pump(min(remaining, 1.0))
        return self.screen

    def wait_text(self, fragment: str, timeout: float = 10.0) -> tuple[int, int]:
        """Wait for `fragment` on screen; return where it first shows (row, column)."""
        self.wait_for(lambda s: s.contains(fragment), repr(fragment), timeout)
        return self.screen.find(fragment)[0]

    def wait_gone(self, fragment: str, timeout: float = 10.0) -> None:
        self.wait_for(lambda s: not s.contains(fragment), f"{fragment!r} to disappear", timeout)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Read to end of stream, reap the child, return its exit status."""
        deadline = time.monotonic() + timeout
        while self._pump(max(0.01, min(deadline - time.monotonic(), 1.0))):
            if time.monotonic() >= deadline:
                raise AssertionError(f"xshell did not exit; screen:\n{self.screen.dump()}")
        self.child.wait()
        self.child.close()
        self.exitstatus = self.child.exitstatus
        assert self.exitstatus is not None, f"xshell was killed by signal {self.child.signalstatus}"
        return self.exitstatus

    def close(self) -> None:
        """Stop the child if a test left it running (only this child, by its own handle)."""
        if self.child.isalive():
            self.child.close(force=True)


def spawn_xshell(args: Sequence[str], *, rows: int, cols: int, cwd: str | None = None) -> Term:
    """`python -m xshell ARGS` on a fresh pty of rows × cols, with the test's XDG dirs.

    COLUMNS/LINES are dropped so the size comes from the pty, as for a real terminal.
    """
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.update(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(sys.executable, ["-m", "xshell", *args], env=env, cwd=cwd,
                          dimensions=(rows, cols), encoding="utf-8", codec_errors="replace")
    return Term(child, rows, cols)
