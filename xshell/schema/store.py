"""The device's schema as the shell learns it: xDoc per root, fetched lazily, cached on disk.

A one-shot `xshell -c 'xStatus Audio Volume'` only needs the Status root; the interactive
shell discovers all four in the background. Each root's xDoc answer is kept on disk per
device (host) and software version under the XDG cache dir, so the second run of anything
costs no schema traffic at all — and a software upgrade, which changes the schema, gets a
cache of its own. Nothing is cached when the version is unknown: a stale schema would
reject valid lines.

A device that refuses xDoc (old software, limited role) leaves the root unknown: lines
still go through, untyped. A failure that says nothing about the device's schema — the
link dropped, no answer in time — leaves the root to be asked for again next time.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from xshell import paths
from xshell.errors import XAPIError, XShellError
from xshell.schema.model import ROOTS, Node, Schema, make_schema

log = logging.getLogger(__name__)
DocFetcher = Callable[[str], Awaitable[Any]]  # root name -> xDoc document


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_.") or "unknown"


def canonical_root(name: str) -> str | None:
    return next((r for r in ROOTS if r.lower() == name.lower()), None)


class SchemaStore:
    """Four xDoc documents, fetched on first need, merged into one immutable Schema.

    `schema` is rebuilt (not mutated) when a root arrives, so readers in other threads —
    the completer — always see a consistent snapshot.
    """

    def __init__(self, fetch: DocFetcher, device_key: str = "", version: str = "",
                 cache_dir: Path | None = None, use_cache: bool = True) -> None:
        self._fetch = fetch
        self._docs: dict[str, Any] = {}  # root -> its xDoc (or None when loaded pre-built)
        self._nodes: dict[str, Node] = {}  # root -> its built model, built once
        self._product = ""
        self._missing: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {r: asyncio.Lock() for r in ROOTS}
        self._background: dict[str, asyncio.Task[Any]] = {}
        self.version = version
        self.device_key = device_key
        self.schema: Schema | None = None
        self.fetches = 0  # xDoc requests made (the cache's whole point is to keep this 0)
        self._dir: Path | None = None
        if use_cache and device_key and version:
            base = cache_dir or paths.schema_cache_dir()
            self._dir = base / _slug(device_key) / _slug(version)

    @property
    def cache_dir(self) -> Path | None:
        """Where this device+version's xDoc answers are kept (None: not cached)."""
        return self._dir

    @property
    def roots_known(self) -> frozenset[str]:
        return frozenset(self._docs)

    @property
    def roots_missing(self) -> frozenset[str]:
        """Roots the device refused to describe."""
        return frozenset(self._missing)

    def is_complete(self) -> bool:
        return all(r in self._docs or r in self._missing for r in ROOTS)

    def _settled(self, root: str) -> bool:
        return root in self._docs or root in self._missing

    async def ensure(self, root: str, *, off_loop: bool = False) -> Schema | None:
        """The schema with `root` loaded if the device will give it; never raises.

        Refusals (an xAPI error) are remembered; a lost link or a timeout is not, so the
        root is asked for again once the link is back. `off_loop`: unpack a cached model
        in a worker thread (see `_load_cached_off_loop`).
        """
        name = canonical_root(root)
        if name is None or self._settled(name):
            return self.schema
        async with self._locks[name]:
            cached = await self._load_cached_off_loop(name) if off_loop else self.load_cached(name)
            if self._settled(name) or cached:
                return self.schema
            try:
                self.fetches += 1
                doc = await self._fetch(name)
            except XAPIError as exc:  # refused: remembered for this session
                log.info("xDoc %s unavailable: %s", name, exc)
                self._missing.add(name)
                return self.schema
            except (XShellError, ValueError) as exc:  # link down, timeout, a garbled reply
                log.info("xDoc %s not fetched now: %s", name, exc)
                return self.schema
            if self._accept(name, doc):
                self._write_cache(name, doc)
            else:
                log.warning("the device's xDoc answer for %s is not a schema; ignored", name)
                self._missing.add(name)
        return self.schema

    def load_cached(self, root: str) -> bool:
        """Load `root` from the disk cache now (no request); True when it is loaded."""
        name = canonical_root(root)
        if name is None:
            return False
        if name in self._docs:
            return True
        if self._read_packed(name):
            return True
        doc = self._read_cache(name)
        if doc is None:
            return False
        if self._accept(name, doc):
            return True
        self._warn_corrupt(name, "it holds no schema")
        return False

    def ensure_soon(self, root: str) -> None:
        """Have `root` loaded without waiting: from the disk cache at once, else fetched
        in the background (so a line typed during discovery is never held up)."""
        name = canonical_root(root)
        if name is None or self._settled(name) or self.load_cached(name):
            return
        task = self._background.get(name)
        if task is None or task.done():
            self._background[name] = asyncio.ensure_future(self.ensure(name))

    async def aclose(self) -> None:
        """Stop background fetches (the session is ending)."""
        tasks = [t for t in self._background.values() if not t.done()]
        self._background.clear()
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def ensure_all(self, *, off_loop: bool = False) -> Schema | None:
        for root in ROOTS:
            await self.ensure(root, off_loop=off_loop)
        return self.schema

    def forget(self) -> None:
        """Drop memory and disk copies (the `refresh` shell command)."""
        for task in self._background.values():
            task.cancel()
        self._background.clear()
        self._docs.clear()
        self._nodes.clear()
        self._missing.clear()
        self.schema = None
        if self._dir and self._dir.is_dir():
            for f in [*self._dir.glob("*.json"), *self._dir.glob("*.model")]:
                f.unlink(missing_ok=True)

    def _accept(self, root: str, doc: Any) -> bool:
        """Take `doc` as `root`'s schema if it builds one; the old schema stays otherwise.

        Only the new root is converted: the others are already built and immutable.
        """
        if not isinstance(doc, Mapping) or not doc:
            return False
        from xshell.schema.xdoc import from_xdoc

        try:
            node = from_xdoc({root: doc}).root(root)
        except Exception as exc:  # noqa: BLE001 - a device's odd answer must not break the shell
            log.warning("could not read the %s schema: %s", root, exc)
            return False
        if node is None or not node.children:  # an empty tree would reject every line
            return False
        if root == "Command":
            self._product = str(doc.get("product", "")) if isinstance(doc.get("product"), str) else ""
        self._install(root, node, doc)
        return True

    def _install(self, root: str, node: Node, doc: Any) -> None:
        self._docs[root] = doc
        self._nodes[root] = node
        ordered = [self._nodes[r] for r in ROOTS if r in self._nodes]
        self.schema = make_schema(ordered, product=self._product, version=self.version)
        # The schema lives as long as the session: move it (and everything else alive now)
        # out of the collector's generations, so full collections during an event storm do
        # not walk tens of thousands of immutable nodes again and again.
        gc.freeze()

    async def _load_cached_off_loop(self, root: str) -> bool:
        """`load_cached`, with the pre-built model unpacked in a worker thread.

        Why: the published schema's models take tens of milliseconds of CPU to unpack, and
        the interactive shell's discovery starts the moment a device is open — exactly
        when the prompt is redrawn with its name and the user starts typing. In a thread
        the loop still runs between the interpreter's switches (every few ms). Only the
        pure part runs there; the schema is installed on the loop's thread.
        """
        if root in self._docs:
            return True
        loaded = await asyncio.to_thread(self._unpack, root)
        if root in self._docs:  # installed meanwhile (a line typed: ensure_soon)
            return True
        if loaded is not None:
            self._take_packed(root, *loaded)
            return True
        return self.load_cached(root)  # no model: the JSON cache, as before

    def _unpack(self, root: str) -> tuple[Node, str] | None:
        """The pre-built model of `root` from the cache, or None (pure: any thread)."""
        if not self._dir:
            return None
        from xshell.schema import packed

        try:
            data = (self._dir / f"{root}.model").read_bytes()
        except OSError:
            return None
        loaded = packed.loads(data)
        if loaded is None or not loaded[0].children or loaded[0].name != root:
            return None
        return loaded

    def _take_packed(self, root: str, node: Node, product: str) -> None:
        if root == "Command":
            self._product = product
        self._install(root, node, None)

    def _read_packed(self, root: str) -> bool:
        """Load the pre-built model of `root` from the cache (milliseconds, no xDoc parse)."""
        loaded = self._unpack(root)
        if loaded is None:
            return False
        self._take_packed(root, *loaded)
        return True

    def _read_cache(self, root: str) -> Any:
        if not self._dir:
            return None
        f = self._dir / f"{root}.json"
        try:
            with f.open("rb") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            self._warn_corrupt(root, str(exc)[:120])
            return None

    def _warn_corrupt(self, root: str, why: str) -> None:
        assert self._dir is not None
        f = self._dir / f"{root}.json"
        log.warning("ignoring the unreadable schema cache %s (%s); asking the device again", f, why)
        try:
            f.unlink(missing_ok=True)
        except OSError:
            pass

    def _write_cache(self, root: str, doc: Any) -> None:
        if not self._dir:
            return
        tmp = self._dir / f".{root}.{os.getpid()}.{id(self):x}.tmp"
        try:
            self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # names the rooms: private
            tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
            tmp.replace(self._dir / f"{root}.json")
            node = self._nodes.get(root)
            if node is not None:
                from xshell.schema import packed

                tmp.write_bytes(packed.dumps(node, self._product if root == "Command" else ""))
                tmp.replace(self._dir / f"{root}.model")
        except (OSError, TypeError, ValueError) as exc:
            log.warning("could not write the schema cache in %s: %s", self._dir, exc)
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
