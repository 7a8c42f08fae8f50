"""Text out of uploaded documents: plain text, Markdown, HTML, PDF and JSON.

HTML headings become Markdown headings so that chunking keeps them as context. PDF, HTML
and JSON are read by `Extractor` in worker processes, each document within a time limit.
"""

from __future__ import annotations

import asyncio
import io
import json
import multiprocessing
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from html.parser import HTMLParser
from multiprocessing.context import BaseContext
from typing import Any

from pebble import ProcessExpired, ProcessPool

from kanri.core.errors import (
    FieldError,
    KanriError,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from kanri.core.http import json_depth

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


def _any_case(text: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in text)


# What `media_type` takes without a file name, as a regular expression for the document:
# a supported type in any case, optionally with parameters.
MEDIA_TYPE_PATTERN = (
    r"^\s*(?:" + "|".join(_any_case(kind) for kind in SUPPORTED) + r")\s*(?:;[\s\S]*)?$"
)


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


@dataclass(frozen=True)
class Limits:
    """What reading one document may cost: PDF pages, characters of text, JSON nesting."""

    max_pages: int
    max_chars: int
    max_depth: int


class _Text:
    """A document's text made of pieces joined by `separator`, which stops growing past
    `limit` characters (PayloadTooLarge on `field`) instead of filling the memory first."""

    def __init__(self, limit: int, field: str, separator: str) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.field = field
        self.separator = separator

    def add(self, piece: str) -> None:
        self.size += len(piece) + (len(self.separator) if self.parts else 0)
        if self.size > self.limit:
            raise too_much_text(self.limit, self.field)
        self.parts.append(piece)

    def text(self) -> str:
        return self.separator.join(self.parts)


def too_much_text(limit: int, field: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the document holds more than {limit} characters of text",
        errors=[FieldError(field, f"more than {limit} characters of text", "too_much_text")],
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


def _json_lines(value: Any, path: str, out: _Text) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _json_lines(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _json_lines(item, f"{path}[{index}]", out)
    else:
        out.add(f"{path or 'value'}: {value if isinstance(value, str) else json.dumps(value)}")


def json_text(data: bytes, field: str, limits: Limits) -> str:
    """`path: value` lines of a JSON document nested at most `limits.max_depth` deep."""
    text = _decode(data, field)
    if json_depth(data) > limits.max_depth:
        raise _too_deep(limits.max_depth, field)
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(limits.max_depth, field) from None
    except ValueError as exc:
        raise ValidationFailed(
            "the document is not valid JSON", errors=[FieldError(field, str(exc)[:200])]
        ) from None
    lines = _Text(limits.max_chars, field, "\n")
    _json_lines(value, "", lines)
    return lines.text()


def _too_deep(depth: int, field: str) -> ValidationFailed:
    return ValidationFailed(
        f"the JSON document is nested deeper than {depth} levels",
        errors=[FieldError(field, f"nested deeper than {depth} levels", "too_deep")],
    )


def pdf_text(data: bytes, field: str, limits: Limits) -> str:
    """The text of a PDF's pages, at most `limits.max_pages` of them."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationFailed(
                "encrypted PDFs are not supported",
                errors=[FieldError(field, "the PDF is encrypted")],
            )
        if (count := len(reader.pages)) > limits.max_pages:
            raise PayloadTooLarge(
                f"the PDF has {count} pages; at most {limits.max_pages} are read",
                errors=[FieldError(field, f"more than {limits.max_pages} pages", "too_many_pages")],
            )
        pages = _Text(limits.max_chars, field, "\n\n")
        for page in reader.pages:
            if text := (page.extract_text() or "").strip():
                pages.add(text)
    except KanriError:
        raise
    except Exception as exc:  # whatever a malformed file makes pypdf raise
        raise ValidationFailed(
            "the PDF could not be read",
            errors=[FieldError(field, f"not a readable PDF ({type(exc).__name__})")],
        ) from None
    return pages.text().replace("\x00", "")


def extract(data: bytes, kind: str, field: str, limits: Limits) -> tuple[str, str]:
    """(text, title found in the document or "") of `data` of supported media type `kind`,
    in this thread: `Extractor.extract` is what a request calls.

    Raises ValidationFailed (on `field`) for undecodable text, invalid or too deeply nested
    JSON or an unreadable PDF; PayloadTooLarge for more pages or characters than `limits`.
    """
    if kind == "application/pdf":
        text, title = pdf_text(data, field, limits), ""
    elif kind == "application/json":
        text, title = json_text(data, field, limits), ""
    elif kind == "text/html":
        text, title = html_text(_decode(data, field))
    else:
        text, title = _decode(data, field), ""
    if len(text) > limits.max_chars:
        raise too_much_text(limits.max_chars, field)
    return text, title


# --- reading in worker processes --------------------------------------------------------------

# Plain text and Markdown are only decoded: cheaper in the request than a trip to a worker.
_IN_REQUEST = frozenset({"text/plain", "text/markdown"})
# Documents waiting for or in a worker, per worker; past it a request is answered 503.
_BACKLOG_PER_WORKER = 8


@dataclass(frozen=True)
class _Refusal:
    """A domain error raised in a worker, carried back as data (KanriError does not pickle)."""

    code: str
    detail: str
    errors: list[FieldError]


_REFUSALS: dict[str, type[KanriError]] = {
    error.code: error for error in (PayloadTooLarge, ValidationFailed)
}


def _extract_in_worker(
    data: bytes, kind: str, field: str, limits: Limits
) -> tuple[str, str] | _Refusal:
    try:
        return extract(data, kind, field, limits)
    except (PayloadTooLarge, ValidationFailed) as exc:
        return _Refusal(exc.code, exc.detail, exc.errors)


def _context() -> BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    # Workers fork from a server that has imported the readers (and the main module, which
    # each worker would import again otherwise) once: a worker stopped at the time limit is
    # replaced in milliseconds. Forking this process itself would copy its threads' locks
    # in whatever state they are.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__, "pypdf"])
    return context


class Extractor:
    """Reads PDF, HTML and JSON documents in a few worker processes (pebble's pool), each
    within `timeout` seconds: the worker still reading then is killed and replaced.

    Processes, not threads: pypdf and html.parser are pure Python, which in a thread would
    hold the GIL against the event loop, and a thread past its time could not be stopped.
    The pool starts with the first document.
    """

    def __init__(self, *, workers: int, timeout: float, limits: Limits) -> None:
        self.workers = workers
        self.timeout = timeout
        self.limits = limits
        self._pool: ProcessPool | None = None
        self._in_flight = 0

    async def extract(self, data: bytes, kind: str, field: str) -> tuple[str, str]:
        """(text, title or "") of `data` of supported media type `kind`.

        Raises what `extract` raises, ValidationFailed (code `extraction_timeout` on
        `field`) past the time limit, and ServiceUnavailable when the workers are busy.
        """
        if kind in _IN_REQUEST:
            return extract(data, kind, field, self.limits)
        if self._in_flight >= self.workers * _BACKLOG_PER_WORKER:
            raise ServiceUnavailable(
                "too many documents are being read; retry shortly", headers={"Retry-After": "1"}
            )
        self._in_flight += 1
        try:
            future = self._started().submit(
                _extract_in_worker, self.timeout, data, kind, field, self.limits
            )
            result = await asyncio.wrap_future(future)
        except TimeoutError:
            raise ValidationFailed(
                f"the document was not read within {self.timeout:g} seconds",
                errors=[
                    FieldError(
                        field, f"not read within {self.timeout:g} seconds", "extraction_timeout"
                    )
                ],
            ) from None
        except BrokenProcessPool:
            raise ServiceUnavailable("documents cannot be read right now") from None
        except ProcessExpired as exc:
            raise ValidationFailed(
                "the document could not be read",
                errors=[FieldError(field, f"its reader stopped (exit code {exc.exitcode})")],
            ) from None
        finally:
            self._in_flight -= 1
        if isinstance(result, _Refusal):
            raise _REFUSALS[result.code](result.detail, errors=result.errors)
        return result

    def _started(self) -> ProcessPool:
        if self._pool is None or not self._pool.active:
            self._pool = ProcessPool(max_workers=self.workers, context=_context())
        return self._pool

    def close(self) -> None:
        """Stop the workers (a document being read fails)."""
        if self._pool is not None:
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join()
            self._pool = None
