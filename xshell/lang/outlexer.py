"""A pygments lexer for tshell OUTPUT lines, so results and feedback can be coloured.

The output pane lexes each answer once, as it arrives; the token types are chosen so the
stock pygments styles already mean something: the completion line `OK` is
Generic.Inserted (green), `ERROR`/`Command not recognized.`/`error: …` and error
attributes such as `(status=Error)` are Generic.Error (red), ghosts `(ghost=True)` are
Generic.Deleted, markers (`*s`, `*c`, `*r`, `*e`, `*es`, `*?`, `*h`, `** end`) are
Keyword, path nodes Name.Tag with instance ids as Number, and after `: ` quoted strings
are String (escapes String.Escape), numbers Number, True/False Keyword.Constant, other
bare words (literals) Name.Constant and help value spaces `<0..100>` String.Other.

Snapshot diffs (`diff NAME`): the `---`/`+++` header lines are Generic.Subheading; a line
only on the left (`-*c …`) is Generic.Deleted (red) and one only on the right (`+*c …`)
Generic.Inserted (green), whole; a changed value — a `-` line followed by a `+` line for
the same path — shows its path in Generic.Strong (bold) with the old value red and the new
one green, so changes stand out from lines present on one side only.

Macro log lines (`macro log`: `*l [TIME] LEVEL MACRO: MESSAGE`) are coloured by level: error
Generic.Error (red), warn Generic.Strong, debug Comment, info/log plain with the level as
Name.Function.

Notes (`** connection closed: …`, `** reconnecting automatically`: `**` then a lowercase
word) are Generic.Output, whole, so a reason never reads as a path or an error.

Every character gets a token (never Token.Error), so the UI can rebuild each line exactly
from the fragments. Lines it does not recognise (JSON output, banners) are plain Text.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, default
from pygments.token import (Comment, Generic, Keyword, Name, Number, Punctuation, String, Text,
                            Whitespace)

__all__ = ["TshellOutputLexer"]


class TshellOutputLexer(RegexLexer):
    """Terminal-mode xAPI output: `*s Audio Volume: 50`, `** end`, `OK`, help lines."""

    name = "tshell output"
    aliases = ["tshell-output", "xapi-output"]
    filenames = ()  # no file type: only the output pane uses it

    def __init__(self, **options: object) -> None:
        # Keep leading blank lines: a command answer starts with one, and the output pane
        # needs one token row per line to map fragments back onto lines.
        options.setdefault("stripnl", False)
        super().__init__(**options)

    tokens = {
        "root": [
            (r"\n", Whitespace),
            (r"^(-)(\*c xConfiguration |\*s )([^:\n]+)(: )([^\n]*)(\n)(\+)(\2)(\3)(: )([^\n]*)$",
             bygroups(Generic.Deleted, Generic.Strong, Generic.Strong, Punctuation, Generic.Deleted,
                      Whitespace, Generic.Inserted, Generic.Strong, Generic.Strong, Punctuation,
                      Generic.Inserted)),
            (r"^-\*(?:c xConfiguration|s) [^\n]*$", Generic.Deleted),
            (r"^\+\*(?:c xConfiguration|s) [^\n]*$", Generic.Inserted),
            (r"^(?:---|\+\+\+) [^\n]*$", Generic.Subheading),
            (r"^(\*\*)( )(\d+ changed, [^\n]*|no differences|status not compared: [^\n]*)$",
             bygroups(Keyword, Whitespace, Generic.Strong)),
            (r"^(\*\*)( )(end)$", bygroups(Keyword, Whitespace, Keyword)),
            (r"^(\*\*)( )([a-z][^\n]*)$", bygroups(Keyword, Whitespace, Generic.Output)),  # a note
            (r"^(\*\*)( )(resultId)(:)", bygroups(Keyword, Whitespace, Name.Label, Punctuation), "value"),
            (r"^(\*l)( )((?:\S+ )?)(error)( [^\n]*)$",
             bygroups(Keyword, Whitespace, Comment, Generic.Error, Generic.Error)),
            (r"^(\*l)( )((?:\S+ )?)(warn)( [^\n]*)$",
             bygroups(Keyword, Whitespace, Comment, Generic.Strong, Generic.Strong)),
            (r"^(\*l)( )((?:\S+ )?)(debug)( [^\n]*)$",
             bygroups(Keyword, Whitespace, Comment, Comment, Comment)),
            (r"^(\*l)( )((?:\S+ )?)(info|log)( [^\n]*)$",
             bygroups(Keyword, Whitespace, Comment, Name.Function, Text)),
            (r"^OK$", Generic.Inserted),
            (r"^(ERROR|Command not recognized\.)$", Generic.Error),
            (r"^error: .*$", Generic.Error),
            (r"^- [^\n]* -$", Generic.Heading),
            (r"^(\*c)( )(xConfiguration)(?= |$)", bygroups(Keyword, Whitespace, Keyword.Pseudo), "path"),
            (r"^(\*\?)( )(xConfiguration|xStatus|xCommand)(?= |$)",
             bygroups(Keyword, Whitespace, Keyword.Pseudo), "path"),
            (r"^(\*es)( )(Event)(?= |$)", bygroups(Keyword, Whitespace, Keyword.Pseudo), "path"),
            (r"^\*(?:es|[srech?])(?= |$)", Keyword, "path"),
            (r"^\*\*(?= |$)", Keyword, "path"),
            (r"^( +)([A-Za-z_][\w-]*)(\[\.\.\.\])?(\(r\))?(:)( )(<[^\n]*>)$",
             bygroups(Whitespace, Name.Attribute, Keyword.Type, Keyword.Type, Punctuation,
                      Whitespace, String.Other)),
            (r"^ +[^\n]*$", Comment),
            (r"[^\n]+", Text),
        ],
        "path": [
            (r" +", Whitespace),
            (r"\((?:status=OK)\)", Name.Decorator),
            (r"\((?:status=(?!OK\))[^)\n]*|error=True[^)\n]*)\)", Generic.Error),
            (r"\(ghost=True\)", Generic.Deleted),
            (r"\([^)\n]*\)", Name.Decorator),
            (r"([A-Za-z_][\w.-]*)(\[[^\]\n]*\])", bygroups(Name.Tag, Number)),
            (r"-?\d+(?=[ :\n])", Number.Integer),
            (r":(?= |\n)", Punctuation, ("#pop", "value")),
            (r"[^\s:(]+", Name.Tag),
            (r"[:(]", Punctuation),
            default("#pop"),
        ],
        "value": [
            (r" +", Whitespace),
            (r'"', String.Double, "string"),
            (r"<[^\n]*>(?=\n)", String.Other),
            (r"-?\d+(?:\.\d+)?(?=[ \n])", Number),
            (r"(?:True|False)(?=[ \n])", Keyword.Constant),
            (r'[^\s"]+', Name.Constant),
            default("#pop"),
        ],
        "string": [
            (r"\\.", String.Escape),
            (r'"', String.Double, "#pop"),
            (r'[^"\\\n]+', String.Double),
            (r"\\", String.Double),
            default("#pop"),
        ],
    }
