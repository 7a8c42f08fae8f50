"""Where asset bytes live: a small interface and its disk implementation.

`DiskStore` keeps each file at `<root>/<key>` (keys are `<project id>/<sha256>`), written to
a temporary name and renamed, so a reader never sees half a file. A store reads a byte
range without loading the rest.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kanri.config import Settings

_KEY = re.compile(r"^[a-z]{2,5}_[0-9A-Z]{26}/[0-9a-f]{64}$")
CHUNK = 65_536


class AssetStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def read(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes `start` to `end` (inclusive) of the file `key`, in chunks."""
        ...

    def delete(self, key: str) -> None: ...


class DiskStore:
    """Files under a directory of the local disk (the default store)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not an asset key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists() and path.stat().st_size == len(data):
            return  # the same content (its name is its hash)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)

    def read(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with self._path(key).open("rb") as handle:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


_STORES: dict[Path, DiskStore] = {}


def store_for(root: Path) -> AssetStore:
    """The process's store of a root directory."""
    if root not in _STORES:
        _STORES[root] = DiskStore(root)
    return _STORES[root]


def store_of(settings: Settings) -> AssetStore:
    """The asset store the settings name: the disk under `content_assets_dir`, default
    `<data_dir>/assets`."""
    return store_for(settings.content_assets_dir or settings.data_dir / "assets")
