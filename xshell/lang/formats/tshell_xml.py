"""`-o xml` (`xPreferences outputmode xml`): tshell's XML mode, `<XmlDoc resultId="…">`
documents with `item="n"` attributes, exactly as a device prints them (spec §7.1)."""

from __future__ import annotations

from xshell.lang.formats.tshell_docs import TshellDocuments

FORMAT = TshellDocuments("xml", "tshell XML documents", "xml_lines")

__all__ = ["FORMAT"]
