"""Factories for knowledge namespaces and entries, and small documents of each type."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Tenant, unique


async def make_namespace(
    client: httpx.AsyncClient,
    tenant: Tenant,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body = {"name": unique("kb"), **fields}
    response = await client.post(
        "/v1/knowledge/namespaces", json=body, headers=headers or tenant.headers
    )
    assert response.status_code == 201, response.text
    namespace: dict[str, Any] = response.json()
    return namespace


async def put_entry(
    client: httpx.AsyncClient,
    tenant: Tenant,
    namespace: str,
    entry_id: str,
    text: str,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    response = await client.put(
        f"/v1/knowledge/namespaces/{namespace}/entries/{entry_id}",
        json={"text": text, **fields},
        headers=headers or tenant.headers,
    )
    assert response.status_code == 200, response.text
    entry: dict[str, Any] = response.json()
    return entry


async def search(
    client: httpx.AsyncClient,
    tenant: Tenant,
    namespace: str,
    query: str,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> list[dict[str, Any]]:
    response = await client.post(
        f"/v1/knowledge/namespaces/{namespace}/search",
        json={"query": query, **fields},
        headers=headers or tenant.headers,
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def pdf_with_text(*lines: str) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica, uncompressed)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream = content + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return out
