"""The one tokenizer behind the parser, the completer context and the syntax highlighter.

tshell input is line based and context dependent: the same word is a path node after
`xStatus`, a parameter name before a `:` after `xCommand`, and an enum value after that
colon. Keeping that knowledge in one scanner means the three consumers can never
disagree about what a piece of text is. The scanner is schema-free and total: every
character of the input lands in exactly one token, in order, and it never raises — text
typed up to the cursor may stop in the middle of a word or a string, and the highlighter
sees every half-typed line.
"""

from __future__ import annotations

from typing import NamedTuple
import re
from enum import StrEnum

from xshell.lang.vocabulary import ShellVocabulary, shell_vocabulary

__all__ = ["ALL_DEVICES", "DEVICE_NAME", "MIN_VERB_PREFIX", "SUBVERBS", "VERBS",
           "Kind", "Token", "devices_prefix",
           "resolve_verb", "split_devices", "tag_value", "tokenize", "unquote"]


class Kind(StrEnum):
    """What a token is, as far as the text alone can tell."""

    VERB = "verb"  # xStatus, xconf, xcom, ...
    SHELL = "shell"  # a local command as the first word: help, ?, bye, ...
    NODE = "node"  # a path element name
    INDEX = "index"  # an instance id: `2` or `[2]` glued to its node
    SEARCH = "search"  # `//`
    WILDCARD = "wildcard"  # `**` (or `*`)
    SUBVERB = "subverb"  # register, deregister, deregisterall, list after xFeedback
    EXPR = "expr"  # one chunk of a feedback expression: /Status/Audio, Site[1]
    PARAM = "param"  # a parameter name (the word before `:` in xCommand)
    COLON = "colon"
    STRING = "string"  # "double quoted", `complete` False when unterminated
    VALUE = "value"  # a bare word in value position
    HELP = "help"  # `?` or `??`
    TAG = "tag"  # | resultId="x"
    JSON = "json"  # a line starting with `{`
    COMMENT = "comment"  # a line starting with `#`
    DEVICES = "devices"  # a leading `@all` / `@room1,room2`: run the rest on those devices
    WS = "ws"
    ERROR = "error"


class Token(NamedTuple):
    """A slice of the input: `text == line[start:end]`."""

    kind: Kind
    text: str
    start: int
    end: int
    complete: bool = True  # False only for a string whose closing quote is missing


VERBS: tuple[str, ...] = ("xCommand", "xConfiguration", "xDocument", "xEvent", "xFeedback",
                          "xGetxml", "xPreferences", "xStatus", "xTransaction")


SUBVERBS: tuple[str, ...] = ("register", "deregister", "deregisterall", "list")
MIN_VERB_PREFIX = 4  # `xcom`, `xsta`: shorter prefixes are too easy to type by accident

_VERB_BY_LOWER = {v.lower(): v for v in VERBS}

_WS = re.compile(r"\s+")
_FIRST_WORD = re.compile(r'[^\s|"?:]+')
_PATH_WORD = re.compile(r'[^\s:"|?\[\]/*]+')
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
_BRACKET_INDEX = re.compile(r"\[[0-9]+\]")
_COLON_AHEAD = re.compile(r":")
_HELP = re.compile(r"\?\??(?=\s|\||\Z)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*(")?', re.S)
_BARE = re.compile(r'[^\s|"]+')
_NAME_COLON = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*)(:)\Z")
_TAG = re.compile(r'\|\s*resultid\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s"|]+)(?=\s*\Z)', re.I | re.S)
_TAG_VALUE = re.compile(r'\|\s*resultid\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"|]+))', re.I | re.S)
_EXPR_CHUNK = re.compile(r"(?:\[[^\]]*\]?|[^\s\[|?])+")
_STARS = re.compile(r"\*+")
_ANY_WORD = re.compile(r"\S+")
_DEVICES = re.compile(r"@[^\s]*")
DEVICE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]*\Z")  # what `connect … as NAME` accepts
ALL_DEVICES = "all"  # `@all`: every connected device (so no device may be called "all")


def resolve_verb(word: str) -> str | None:
    """The verb `word` names: exact (any case) or an unambiguous prefix of 4+ letters."""
    low = word.lower()
    if low in _VERB_BY_LOWER:
        return _VERB_BY_LOWER[low]
    if len(low) < MIN_VERB_PREFIX:
        return None
    hits = [v for v in VERBS if v.lower().startswith(low)]
    return hits[0] if len(hits) == 1 else None


class _Scanner:
    """Walks one line left to right; `mode` says what the next word would be."""

    def __init__(self, text: str, vocab: ShellVocabulary | None) -> None:
        self.text = text
        self.vocab = vocab  # None: the installed one, read only if the first word is no verb
        self.pos = 0
        self.out: list[Token] = []
        self.mode = "first"
        self.verb: str | None = None
        self.expect_value = False  # params mode: the last token was a colon

    def emit(self, kind: Kind, end: int, complete: bool = True) -> Token:
        tok = Token(kind, self.text[self.pos:end], self.pos, end, complete)
        self.out.append(tok)
        self.pos = end
        return tok

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            m = _WS.match(text, self.pos)
            if m:
                self.emit(Kind.WS, m.end())
                continue
            getattr(self, "_" + self.mode)()
        return self.out

    # --- shared pieces ----------------------------------------------------------------

    def _rest_of_line(self, kind: Kind) -> None:
        """Consume to the end, leaving trailing blanks as their own WS token."""
        stripped = self.text.rstrip()
        self.emit(kind, max(len(stripped), self.pos + 1))

    def _common(self) -> bool:
        """Tags, help marks and strings look the same in every mode."""
        c = self.text[self.pos]
        if c == "|":
            m = _TAG.match(self.text, self.pos)
            if m:
                self.emit(Kind.TAG, m.end())
            else:
                self._rest_of_line(Kind.ERROR)
            return True
        if c == "?":
            m = _HELP.match(self.text, self.pos)
            if m:
                self.emit(Kind.HELP, m.end())
            else:
                self.emit(Kind.ERROR, _ANY_WORD.match(self.text, self.pos).end())  # type: ignore[union-attr]  # at `?`
            return True
        if c == '"':
            m = _STRING.match(self.text, self.pos)
            assert m is not None
            closed = m.group(1) is not None
            self.emit(Kind.STRING, m.end() if closed else len(self.text), closed)
            self.expect_value = False
            return True
        return False

    # --- modes ------------------------------------------------------------------------

    def _first(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c == "#":
            self._rest_of_line(Kind.COMMENT)
            self.mode = "args"
            return
        if c == "{":
            self._rest_of_line(Kind.JSON)
            self.mode = "args"
            return
        if c == "@" and all(t.kind is Kind.WS for t in self.out):
            self.emit(Kind.DEVICES, _DEVICES.match(text, pos).end())  # type: ignore[union-attr]  # at `@`
            return  # still "first": the rest is a line of its own
        self.mode = "args"
        if c == "?" and (m := _HELP.match(text, pos)) and m.end() == pos + 1:
            self.emit(Kind.SHELL, pos + 1)
            return
        if self._common():
            return
        m = _FIRST_WORD.match(text, pos)
        if m is None:  # a lone ':'
            self.emit(Kind.ERROR, pos + 1)
            return
        word = m.group()
        verb = resolve_verb(word)
        if verb is not None:
            self.verb = verb
            self.emit(Kind.VERB, m.end())
            self.mode = {"xStatus": "path", "xConfiguration": "path", "xEvent": "path",
                         "xCommand": "path", "xFeedback": "feedback", "xGetxml": "expr",
                         "xDocument": "params", "xPreferences": "prefs"}.get(verb, "args")
        elif word.lower() in (self.vocab or shell_vocabulary()).names:
            self.emit(Kind.SHELL, m.end())
        else:
            self.emit(Kind.ERROR, m.end())

    def _path(self) -> None:
        text, pos = self.text, self.pos
        if text.startswith("//", pos):
            self.emit(Kind.SEARCH, pos + 2)
            return
        c = text[pos]
        if c == "*":
            m = _STARS.match(text, pos)
            assert m is not None
            self.emit(Kind.WILDCARD if len(m.group()) <= 2 else Kind.ERROR, m.end())
            return
        if c == ":":
            self.emit(Kind.COLON, pos + 1)
            if self.verb == "xCommand":
                self.mode, self.expect_value = "params", True
            else:
                self.mode = "cvalue"
            return
        if c == "[":
            prev = self.out[-1] if self.out else None
            m = _BRACKET_INDEX.match(text, pos)
            if m and prev is not None and prev.kind is Kind.NODE and prev.end == pos:
                self.emit(Kind.INDEX, m.end())
            else:
                self.emit(Kind.ERROR, pos + 1)
            return
        if self._common():
            return
        m = _PATH_WORD.match(text, pos)
        if m is None:  # a lone '/' or ']'
            self.emit(Kind.ERROR, pos + 1)
            return
        word = m.group()
        if _DIGITS.match(word):
            self.emit(Kind.INDEX, m.end())
        elif not _IDENT.match(word):
            self.emit(Kind.ERROR, m.end())
        elif self.verb == "xCommand" and _COLON_AHEAD.match(text, m.end()):
            self.emit(Kind.PARAM, m.end())
            self.mode = "params"
        else:
            self.emit(Kind.NODE, m.end())

    def _params(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c == ":":
            self.emit(Kind.COLON, pos + 1)
            self.expect_value = True
            return
        if self._common():
            return
        if self.expect_value:
            m = _BARE.match(text, pos)
            assert m is not None
            word = m.group()
            named = _NAME_COLON.match(word)
            if named:  # `Number: Protocol: x` — a name, the previous value is missing
                self.emit(Kind.PARAM, pos + len(named.group(1)))
                return
            self.emit(Kind.VALUE, m.end())
            self.expect_value = False
            return
        m = _PATH_WORD.match(text, pos) or _BARE.match(text, pos)
        assert m is not None
        word = m.group()
        self.emit(Kind.PARAM if _IDENT.match(word) else Kind.VALUE, m.end())

    def _cvalue(self) -> None:
        if self._common():
            return
        m = _BARE.match(self.text, self.pos)
        assert m is not None
        self.emit(Kind.VALUE, m.end())

    def _feedback(self) -> None:
        if self._common():
            return
        m = _FIRST_WORD.match(self.text, self.pos) or _ANY_WORD.match(self.text, self.pos)
        assert m is not None
        low = m.group().lower()
        if any(s.startswith(low) for s in SUBVERBS):
            self.emit(Kind.SUBVERB, m.end())
            self.mode = "expr" if low in ("register", "deregister") else "extra"
        else:
            self.emit(Kind.ERROR, m.end())
            self.mode = "extra"

    def _expr(self) -> None:
        if self.text[self.pos] in "|?" and self._common():
            return
        m = _EXPR_CHUNK.match(self.text, self.pos)
        assert m is not None
        self.emit(Kind.EXPR, m.end())

    def _extra(self) -> None:
        if self.text[self.pos] in "|?" and self._common():
            return
        m = _ANY_WORD.match(self.text, self.pos)
        assert m is not None
        end = m.end()
        bar = self.text.find("|", self.pos, end)
        self.emit(Kind.ERROR, bar if bar > self.pos else end)

    def _prefs(self) -> None:
        if self._common():
            return
        m = _BARE.match(self.text, self.pos)
        assert m is not None
        first = not any(t.kind is Kind.NODE for t in self.out)
        self.emit(Kind.NODE if first and _IDENT.match(m.group()) else Kind.VALUE, m.end())

    def _args(self) -> None:
        if self._common():
            return
        m = _BARE.match(self.text, self.pos)
        assert m is not None
        self.emit(Kind.VALUE, m.end())


def tokenize(text: str, vocab: ShellVocabulary | None = None) -> list[Token]:
    """Split one input line into tokens that cover it exactly. Never raises.

    `vocab` (default: the installed one) says which first words are shell commands.
    """
    return _Scanner(text, vocab).run()


# --- lexical helpers shared by the parser, unparser and completer ---------------------

def split_devices(text: str) -> list[str]:
    """The names of a DEVICES token (`@room1,room2` → [room1, room2]); empty parts dropped."""
    return [n for n in text.lstrip("@").split(",") if n]


def devices_prefix(line: str) -> tuple[list[str], int] | None:
    """(names, where the rest of the line starts) when `line` begins with `@NAMES `.

    None for a line without the prefix. The rest starts after the blanks that follow
    the names, so `line[end:]` is the line to run on each device.
    """
    toks = tokenize(line)
    i = 1 if toks and toks[0].kind is Kind.WS else 0
    if i >= len(toks) or toks[i].kind is not Kind.DEVICES:
        return None
    end = toks[i].end
    if i + 1 < len(toks) and toks[i + 1].kind is Kind.WS:
        end = toks[i + 1].end
    return split_devices(toks[i].text), end


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}\Z")


def unquote(text: str) -> str:
    """The value of a STRING token (JSON-style escapes; unknown escapes kept as typed).

    An unterminated string yields what was typed after the opening quote.
    """
    m = _STRING.match(text)
    if m is not None and m.group(1) is not None and m.end() == len(text):
        body = text[1:-1]
    else:
        body = text[1:] if text.startswith('"') else text
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 >= len(body):
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and _HEX4.match(body[i + 2:i + 6]):
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tag_value(text: str) -> str | None:
    """The resultId carried by a TAG token, or None if the text is not a tag."""
    m = _TAG_VALUE.match(text)
    if m is None:
        return None
    return unquote('"' + m.group(1) + '"') if m.group(1) is not None else m.group(2)
