"""The device's schema as the shell learns it: xDoc per root, fetched lazily, cached on disk.

A one-shot `xshell -c 'xStatus Audio Volume'` only needs the Status root; the interactive
shell discovers all four in the background. Each root's xDoc answer is kept on disk per
device (host) and software version under the XDG cache dir, so the second run of anything
costs no schema traffic at all. A device that refuses xDoc (old software, limited role)
leaves the root unknown: lines still go through, untyped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from xshell.errors import XAPIError, XShellError
from xshell.schema.model import ROOTS, Schema

log = logging.getLogger(__name__)
DocFetcher = Callable[[str], Awaitable[Any]]  # root name -> xDoc document


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xshell"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "unknown"


class SchemaStore:
    """Four xDoc documents, fetched on first need, merged into one immutable Schema.

    `schema` is rebuilt (not mutated) when a root arrives, so readers in other threads —
    the completer — always see a consistent snapshot.
    """

    def __init__(self, fetch: DocFetcher, device_key: str = "", version: str = "",
                 cache_dir: Path | None = None, use_cache: bool = True) -> None:
        self._fetch = fetch
        self._docs: dict[str, Any] = {}
        self._missing: set[str] = set()
        self._locks = {r: asyncio.Lock() for r in ROOTS}
        self.version = version
        self.schema: Schema | None = None
        self._dir: Path | None = None
        if use_cache and device_key:
            base = cache_dir or cache_home() / "schema"
            self._dir = base / _slug(device_key) / _slug(version or "unknown")

    @property
    def roots_known(self) -> frozenset[str]:
        return frozenset(self._docs)

    def is_complete(self) -> bool:
        return all(r in self._docs or r in self._missing for r in ROOTS)

    async def ensure(self, root: str) -> Schema | None:
        """The schema with `root` loaded if the device will give it; never raises."""
        root = next((r for r in ROOTS if r.lower() == root.lower()), root)
        if root in self._docs or root in self._missing or root not in self._locks:
            return self.schema
        async with self._locks[root]:
            if root in self._docs or root in self._missing:
                return self.schema
            doc = self._read_cache(root)
            if doc is None:
                try:
                    doc = await self._fetch(root)
                except (XAPIError, XShellError) as exc:
                    log.info("xDoc %s unavailable: %s", root, exc)
                    self._missing.add(root)
                    return self.schema
                self._write_cache(root, doc)
            if not isinstance(doc, Mapping):
                self._missing.add(root)
                return self.schema
            self._docs[root] = doc
            self._rebuild()
        return self.schema

    async def ensure_all(self) -> Schema | None:
        for root in ROOTS:
            await self.ensure(root)
        return self.schema

    def forget(self) -> None:
        """Drop memory and disk copies (the `refresh` shell command)."""
        self._docs.clear()
        self._missing.clear()
        self.schema = None
        if self._dir and self._dir.is_dir():
            for f in self._dir.glob("*.json"):
                f.unlink(missing_ok=True)

    def _rebuild(self) -> None:
        from xshell.schema.xdoc import from_xdoc

        product = ""
        cmd = self._docs.get("Command")
        if isinstance(cmd, Mapping):
            product = str(cmd.get("product", ""))
        self.schema = from_xdoc(self._docs, product=product, version=self.version)

    def _read_cache(self, root: str) -> Any:
        if not self._dir:
            return None
        f = self._dir / f"{root}.json"
        try:
            with f.open("rb") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable schema cache %s: %s", f, exc)
            return None

    def _write_cache(self, root: str, doc: Any) -> None:
        if not self._dir:
            return
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            tmp = self._dir / f".{root}.json.tmp"
            tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
            tmp.replace(self._dir / f"{root}.json")
        except OSError as exc:
            log.warning("could not write schema cache in %s: %s", self._dir, exc)
