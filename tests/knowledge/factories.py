"""Factories for knowledge namespaces and entries, and small documents of each type."""

from __future__ import annotations

import io
from typing import Any

import httpx
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

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


def pdf_of_blank_pages(pages: int) -> bytes:
    """A PDF of `pages` empty letter-size pages, written by pypdf."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_sharing_one_content_stream(pages: int = 20, operations: int = 10_000) -> bytes:
    """A PDF of a few kB whose pages all draw one compressed content stream of `operations`
    text-showing operators: pypdf decompresses and interprets the stream again for each page,
    about 0.2 s a page here."""
    writer = PdfWriter()
    stream = StreamObject()
    stream.set_data(b"BT /F1 1 Tf " + b"(a) Tj " * operations + b"ET")
    shared = writer._add_object(stream.flate_encode(level=9))
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Contents")] = shared
        page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
