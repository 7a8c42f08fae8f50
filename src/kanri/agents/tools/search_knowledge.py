"""`search_knowledge`: search the agent's knowledge namespaces; each result is a cited chunk
(entry id, title, text, score) and the run records them with the tool call."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError

from kanri.agents.tools import ToolContext, ToolOutcome, ToolResult, parse, principal, refused, tool
from kanri.core.errors import KanriError
from kanri.core.schemas import Model
from kanri.knowledge import flows
from kanri.knowledge import schemas as knowledge

MAX_TOP_K = 20
MAX_TEXT_CHARS = 4000  # per chunk handed to the model


class SearchArguments(Model):
    query: str = Field(min_length=1, max_length=2000)
    top_k: int = Field(default=5, ge=1, le=MAX_TOP_K)
    namespaces: list[str] | None = Field(default=None, min_length=1, max_length=20)
    filter: str | None = Field(default=None, max_length=2000)


@tool(
    "search_knowledge",
    "Search the knowledge base for passages relevant to a question. Each result cites its "
    "entry (entry_id, title) with the passage text and a relevance score.",
    {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2000,
                "description": "what to look for, in plain words",
            },
            "top_k": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_TOP_K,
                "default": 5,
                "description": "how many passages to return",
            },
            "namespaces": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "only these of the agent's namespaces (default: all of them)",
            },
            "filter": {
                "type": "string",
                "description": "AIP-160 filter over metadata.<key>, entry_id, title, "
                'content_type, e.g. `metadata.lang = "en"`',
            },
        },
        "required": ["query"],
        "additionalProperties": False,
    },
)
async def run(ctx: ToolContext, arguments: dict[str, Any]) -> ToolOutcome:
    args = parse(SearchArguments, arguments)
    if isinstance(args, ToolResult):
        return args
    allowed = ctx.knowledge_namespaces
    if not allowed:
        return ToolResult({"error": "this agent has no knowledge namespaces"}, ok=False)
    namespaces = args.namespaces or allowed
    outside = [name for name in namespaces if name not in allowed]
    if outside:
        return ToolResult(
            {
                "error": f"not one of this agent's namespaces: {', '.join(outside)}",
                "namespaces": allowed,
            },
            ok=False,
        )
    mode: Literal["hybrid", "keyword", "vector"] = ctx.config.get("mode", "hybrid")
    try:
        request = knowledge.SearchBase(
            query=args.query,
            top_k=args.top_k,
            mode=mode,
            filter=args.filter,
            min_score=ctx.config.get("min_score"),
        )
        who = await principal(ctx, "knowledge:read")
        found = await flows.search_knowledge(ctx.services.kanri, who, namespaces, request)
    except ValidationError as exc:  # the agent's tool config (mode, min_score) is wrong
        return ToolResult({"error": f"invalid tool config: {exc.errors()[0]['msg']}"}, ok=False)
    except KanriError as exc:
        return refused(exc)
    return ToolResult(
        {
            "results": [
                {
                    "entry_id": f.entry_id,
                    "title": f.title,
                    "text": f.text[:MAX_TEXT_CHARS],
                    "score": f.score,
                    "namespace": f.namespace,
                    "chunk_id": f.chunk_id,
                    "source_url": f.source_url,
                }
                for f in found
            ]
        }
    )
