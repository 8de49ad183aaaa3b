"""`-o tshell-json` (`xPreferences outputmode json`): tshell's JSON mode, pretty-printed
objects with `{"Value": "…"}` leaves and a `ResultId`, no `OK` (spec §7.2). Not xshell's
`-o json`, which prints the JSON-RPC result itself, one compact document a line."""

from __future__ import annotations

from xshell.lang.formats.tshell_docs import TshellDocuments

FORMAT = TshellDocuments("tshell-json", "tshell JSON documents", "json_lines")

__all__ = ["FORMAT"]
