"""Assets: sniffed types, image sizes, deduplication by content, the size cap, range
requests, and deletion refused while a published entry refers to the asset."""

from __future__ import annotations

import hashlib
import struct
import zlib

import httpx

from tests.content.factories import cfield, make_entry, make_type, publish
from tests.factories import Tenant


def png(width: int, height: int) -> bytes:
    """A valid PNG of `width` x `height` grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def _upload(
    client: httpx.AsyncClient, tenant: Tenant, data: bytes, name: str = "a.png"
) -> httpx.Response:
    return await client.post(
        "/v1/content/assets",
        files={"file": (name, data, "application/octet-stream")},
        headers=tenant.headers,
    )


async def test_an_image_is_sniffed_measured_and_deduplicated(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    data = png(3, 2)
    created = await _upload(client, tenant, data, "photo.txt")
    assert created.status_code == 201, created.text
    asset = created.json()
    assert asset["id"].startswith("ast_")
    assert (asset["content_type"], asset["width"], asset["height"]) == ("image/png", 3, 2)
    assert asset["sha256"] == hashlib.sha256(data).hexdigest()
    assert created.headers["Location"] == f"/v1/content/assets/{asset['id']}"
    again = await _upload(client, tenant, data, "other-name.png")
    assert again.status_code == 200
    assert again.json()["id"] == asset["id"]
    read = await client.get(f"/v1/content/assets/{asset['id']}", headers=tenant.headers)
    assert read.json() == asset
    whole = await client.get(f"/v1/content/assets/{asset['id']}/file", headers=tenant.headers)
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["content-type"] == "image/png"
    assert whole.headers["content-disposition"] == "inline; filename*=UTF-8''photo.txt"
    part = await client.get(
        f"/v1/content/assets/{asset['id']}/file",
        headers={**tenant.headers, "Range": "bytes=1-3"},
    )
    assert part.status_code == 206
    assert part.content == data[1:4]
    assert part.headers["content-range"] == f"bytes 1-3/{len(data)}"
    tail = await client.get(
        f"/v1/content/assets/{asset['id']}/file",
        headers={**tenant.headers, "Range": "bytes=-4"},
    )
    assert tail.content == data[-4:]
    outside = await client.get(
        f"/v1/content/assets/{asset['id']}/file",
        headers={**tenant.headers, "Range": f"bytes={len(data)}-"},
    )
    assert outside.status_code == 416


async def test_a_disallowed_kind_is_a_415_whatever_its_name(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = await _upload(client, tenant, svg, "logo.png")
    assert refused.status_code == 415
    assert refused.json()["errors"][0]["field"] == "body.file"
    binary = await _upload(client, tenant, b"\x00\x01\x02MZ", "x.png")
    assert binary.status_code == 415
    text = await _upload(client, tenant, "grüße".encode(), "notes.bin")
    assert text.json()["content_type"] == "text/plain"


async def test_a_file_over_the_cap_is_a_413(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cap = 26_214_400
    too_big = await client.post(
        "/v1/content/assets",
        content=b"x",
        headers={
            **tenant.headers,
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(cap + 10_000_000),
        },
    )
    assert too_big.status_code == 413


async def test_an_asset_of_a_published_entry_is_not_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    asset = (await _upload(client, tenant, png(1, 1))).json()
    type_ = await make_type(client, tenant, [cfield("hero", "asset")])
    entry = await make_entry(client, tenant, type_["slug"], hero=asset["id"])
    await publish(client, tenant, entry["id"])
    refused = await client.delete(f"/v1/content/assets/{asset['id']}", headers=tenant.headers)
    assert refused.status_code == 409
    assert refused.json()["conflicting_id"] == entry["id"]
    await client.post(
        f"/v1/content/entries/{entry['id']}:unpublish", json={}, headers=tenant.headers
    )
    deleted = await client.delete(f"/v1/content/assets/{asset['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/content/assets/{asset['id']}/file", headers=tenant.headers)
    assert gone.status_code == 404
