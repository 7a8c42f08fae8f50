"""Where asset bytes live: a small interface, the disk and any S3-compatible store.

`DiskStore` keeps each file at `<root>/<key>` (keys are `<project id>/<sha256>`), written to
a temporary name and renamed, so a reader never sees half a file. `S3Store` keeps it as the
object `<key>` of a bucket (through the MinIO client, which speaks S3 to AWS, MinIO, Ceph,
R2 and the like). A store reads a byte range without loading the rest.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from minio import Minio
from minio.error import S3Error

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


class S3Store:
    """Objects of a bucket of an S3-compatible store."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str | None,
        secret_key: str | None,
        region: str | None = None,
    ) -> None:
        parts = urlsplit(endpoint)
        self.client = Minio(
            parts.netloc,
            access_key=access_key,
            secret_key=secret_key,
            region=region,
            secure=parts.scheme == "https",
        )
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        if not _KEY.match(key):
            raise ValueError(f"not an asset key: {key!r}")
        self.client.put_object(self.bucket, key, io.BytesIO(data), len(data))

    def read(self, key: str, start: int, end: int) -> Iterator[bytes]:
        response = self.client.get_object(self.bucket, key, offset=start, length=end - start + 1)
        try:
            yield from response.stream(CHUNK)
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except S3Error as exc:
            if exc.code != "NoSuchKey":
                raise


_STORES: dict[object, AssetStore] = {}


def store_for(root: Path) -> AssetStore:
    """The process's store of a root directory."""
    if root not in _STORES:
        _STORES[root] = DiskStore(root)
    return _STORES[root]


def store_of(settings: Settings) -> AssetStore:
    """The asset store the settings name: an S3-compatible bucket when `assets_s3_endpoint`
    and `assets_s3_bucket` are set, else the disk under `content_assets_dir` (default
    `<data_dir>/assets`)."""
    if settings.assets_s3_endpoint and settings.assets_s3_bucket:
        secret = settings.assets_s3_secret_key
        ident = (settings.assets_s3_endpoint, settings.assets_s3_bucket)
        if ident not in _STORES:
            _STORES[ident] = S3Store(
                settings.assets_s3_endpoint,
                settings.assets_s3_bucket,
                settings.assets_s3_access_key,
                secret.get_secret_value() if secret is not None else None,
                settings.assets_s3_region,
            )
        return _STORES[ident]
    return store_for(settings.content_assets_dir or settings.data_dir / "assets")
