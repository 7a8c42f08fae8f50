"""Text out of uploaded documents: plain text, Markdown, HTML, PDF and JSON.

HTML headings become Markdown headings so that chunking keeps them as context.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from typing import Any

from kanri.core.errors import FieldError, UnsupportedMediaType, ValidationFailed

SUPPORTED = {
    "text/plain": "text/plain",
    "text/markdown": "text/markdown",
    "text/x-markdown": "text/markdown",
    "text/html": "text/html",
    "application/xhtml+xml": "text/html",
    "application/pdf": "application/pdf",
    "application/json": "application/json",
}
EXTENSIONS = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".json": "application/json",
}
_GENERIC = {"", "application/octet-stream", "binary/octet-stream"}


def media_type(declared: str | None, filename: str | None = None, *, field: str) -> str:
    """The supported media type of a document: its declared type (parameters dropped), or
    for a generic/missing one the type its file extension names. UnsupportedMediaType else."""
    kind = (declared or "").split(";", 1)[0].strip().lower()
    if kind in SUPPORTED:
        return SUPPORTED[kind]
    if kind in _GENERIC and filename:
        suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
    raise UnsupportedMediaType(
        f"unsupported content type '{kind or 'none'}'"
        + (f" for '{filename}'" if filename else "")
        + f"; supported: {', '.join(sorted(set(SUPPORTED.values())))}",
        errors=[FieldError(field, "unsupported content type")],
    )


def _decode(data: bytes, field: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "the document is not valid UTF-8",
            errors=[FieldError(field, f"invalid UTF-8 at byte {exc.start}")],
        ) from None
    return text.replace("\x00", "")


class _HtmlText(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
    _BLOCK = frozenset(
        {
            "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "br",
            "li", "ul", "ol", "table", "tr", "blockquote", "pre", "hr", "dd", "dt", "figure",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK:
            self.parts.append("\n\n" if tag != "li" else "\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(html: str) -> tuple[str, str]:
    """(text with Markdown headings, <title>) of an HTML document."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), parser.title.strip()


def _json_lines(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _json_lines(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _json_lines(item, f"{path}[{index}]", out)
    else:
        out.append(f"{path or 'value'}: {value if isinstance(value, str) else json.dumps(value)}")


def pdf_text(data: bytes, field: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationFailed(
                "encrypted PDFs are not supported",
                errors=[FieldError(field, "the PDF is encrypted")],
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValidationFailed(
            "the PDF could not be read",
            errors=[FieldError(field, f"not a readable PDF ({type(exc).__name__})")],
        ) from None
    return "\n\n".join(page.strip() for page in pages if page.strip()).replace("\x00", "")


def extract(data: bytes, kind: str, field: str) -> tuple[str, str]:
    """(text, title found in the document or "") of `data` of supported media type `kind`.

    Raises ValidationFailed (on `field`) for undecodable text, invalid JSON or an
    unreadable PDF.
    """
    if kind == "application/pdf":
        return pdf_text(data, field), ""
    text = _decode(data, field)
    if kind == "text/html":
        return html_text(text)
    if kind == "application/json":
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValidationFailed(
                "the document is not valid JSON", errors=[FieldError(field, str(exc)[:200])]
            ) from None
        lines: list[str] = []
        _json_lines(value, "", lines)
        return "\n".join(lines), ""
    return text, ""
