"""Rich text blocks and markdown rendered to HTML for the delivery API (`format=html`).

Every piece of HTML leaves through `nh3.clean` (the Ammonia sanitiser): whatever an editor
wrote, no script, event handler or `javascript:` URL reaches a page.
"""

from __future__ import annotations

from html import escape
from typing import Any

import nh3
from markdown_it import MarkdownIt

# Raw HTML in markdown is passed to the sanitiser, which keeps only safe tags and attributes.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


def _block(block: dict[str, Any], asset_url: str) -> str:
    kind = block["type"]
    if kind == "paragraph":
        return f"<p>{escape(block['text'])}</p>"
    if kind == "heading":
        level = block.get("level", 2)
        return f"<h{level}>{escape(block['text'])}</h{level}>"
    if kind == "list":
        tag = "ol" if block.get("ordered") else "ul"
        items = "".join(f"<li>{escape(item)}</li>" for item in block["items"])
        return f"<{tag}>{items}</{tag}>"
    if kind == "quote":
        return f"<blockquote>{escape(block['text'])}</blockquote>"
    if kind == "code":
        language = block.get("language")
        css = f' class="language-{escape(language)}"' if language else ""
        return f"<pre><code{css}>{escape(block['code'])}</code></pre>"
    if kind == "image":
        src = escape(asset_url.format(id=block["asset"]))
        return f'<img src="{src}" alt="{escape(block.get("alt") or "")}">'
    if kind == "embed":
        url = escape(block["url"])
        return f'<a href="{url}">{url}</a>'
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in block["rows"]
    )
    return f"<table><tbody>{rows}</tbody></table>"


def blocks_html(
    blocks: list[dict[str, Any]], asset_url: str = "/v1/content/assets/{id}/file"
) -> str:
    """The sanitised HTML of a rich text value."""
    return nh3.clean("".join(_block(block, asset_url) for block in blocks))


def markdown_html(text: str) -> str:
    """The sanitised HTML of a markdown value."""
    return nh3.clean(_MARKDOWN.render(text))


def as_html(definitions: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """`values` (one locale) with rich text and markdown fields as HTML strings."""
    out = dict(values)
    for field in definitions:
        value = out.get(field["name"])
        if value is None:
            continue
        if field["type"] == "rich_text":
            out[field["name"]] = blocks_html(value)
        elif field["type"] == "markdown":
            out[field["name"]] = markdown_html(value)
    return out
