"""Public contract of the knowledge base: namespaces, entries, search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from kanri.core.schemas import (
    Description,
    HttpUrlText,
    Int64,
    Model,
    Resource,
    Slug,
    examples,
    given,
)
from kanri.knowledge.extract import MEDIA_TYPE_PATTERN

EntryId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$")]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MetadataValue = str | Int64 | float | bool | None | list[str | Int64 | float | bool]
Metadata = Annotated[
    dict[MetadataKey, MetadataValue], Field(json_schema_extra={"additionalProperties": False})
]


_NULL: dict[str, Any] = {"type": "null"}
# The document's form of `_provider_fields` below: local, or openai through a provider or a URL.
_OPENAI: dict[str, Any] = {
    "required": ["provider", "model"],
    "properties": {"provider": {"const": "openai"}, "model": {"type": "string", "minLength": 1}},
}


class EmbeddingSettings(Model):
    """Which model embeds a namespace. `local`: all-MiniLM-L6-v2 in process (384 dimensions,
    256-token window). `openai`: an OpenAI-compatible `POST /embeddings`, either through a
    provider of the project (`provider_id`: its endpoint, key and options, with the official
    SDK) or at `base_url` (with `api_key`)."""

    provider: Literal["local", "openai"] = "local"
    model: str | None = Field(default=None, max_length=200, description="required for openai")
    provider_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="openai: id or name of a provider (kind openai) of the project",
    )
    base_url: HttpUrlText | None = Field(default=None, description="openai without provider_id")
    api_key: str | None = Field(
        default=None, max_length=500, description="with base_url; write-only, stored encrypted"
    )
    dimension: int | None = Field(
        default=None, ge=1, le=8192, description="openai: learned from the endpoint if absent"
    )
    max_tokens: int | None = Field(
        default=None, ge=32, le=32_768, description="the model's input window (openai: 8191)"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {
                        "provider": {"const": "local"},
                        "model": {"enum": ["all-MiniLM-L6-v2", None]},
                        **dict.fromkeys(("provider_id", "base_url", "api_key", "dimension"), _NULL),
                    }
                },
                {"allOf": [_OPENAI, given("provider_id", absent=("base_url", "api_key"))]},
                {"allOf": [_OPENAI, given("base_url", absent=("provider_id",))]},
            ]
        }
    )

    @model_validator(mode="after")
    def _provider_fields(self) -> EmbeddingSettings:
        if self.provider == "openai":
            if not self.model:
                raise ValueError("the openai provider needs model")
            if (self.provider_id is None) == (self.base_url is None):
                raise ValueError("the openai provider needs provider_id or base_url (not both)")
            if self.provider_id is not None and self.api_key is not None:
                raise ValueError("api_key goes with base_url; a provider keeps its own key")
        elif any(
            v is not None for v in (self.base_url, self.api_key, self.dimension, self.provider_id)
        ):
            raise ValueError(
                "provider_id, base_url, api_key and dimension apply to the openai provider only"
            )
        elif self.model not in (None, "all-MiniLM-L6-v2"):
            raise ValueError("the local provider has one model: all-MiniLM-L6-v2")
        return self


class EmbeddingInfo(Resource):
    provider: str
    model: str
    dimension: int | None
    max_tokens: int
    provider_id: str | None = None
    base_url: str | None = None
    api_key_set: bool = False


class ChunkingSettings(Model):
    """Chunk size and overlap in word pieces; capped by the embedding model's window."""

    max_tokens: int = Field(default=256, ge=32, le=8192)
    overlap_tokens: int = Field(default=32, ge=0, le=4096)

    @model_validator(mode="after")
    def _overlap_smaller(self) -> ChunkingSettings:
        if self.overlap_tokens * 2 > self.max_tokens:
            raise ValueError("overlap_tokens must be at most half of max_tokens")
        return self


class NamespaceCreate(Model):
    model_config = examples({"name": "help-center", "description": "Public help articles"})

    name: Slug
    description: Description = ""
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)


class NamespaceUpdate(Model):
    name: Slug | None = None
    description: Description | None = None
    embedding: EmbeddingSettings | None = Field(
        default=None, description="a different model re-embeds every entry (in the background)"
    )
    chunking: ChunkingSettings | None = Field(
        default=None, description="applies to entries written afterwards"
    )


class Namespace(Resource):
    id: str
    project_id: str
    environment_id: str | None
    name: str
    description: str
    embedding: EmbeddingInfo
    chunking: ChunkingSettings
    entry_count: int
    create_time: datetime
    update_time: datetime


# An entry's content in the document: `text`, or `content_base64` with its `content_type`.
ONE_CONTENT: dict[str, Any] = {
    "oneOf": [
        given("text", absent=("content_base64",)),
        {
            "required": ["content_base64", "content_type"],
            "properties": {
                "content_base64": {"not": {"type": "null"}},
                "content_type": {"type": "string", "minLength": 1},
                "text": {"type": "null"},
            },
        },
    ]
}


class EntryWrite(Model):
    """An entry's content: `text`, or `content_base64` with its `content_type`."""

    model_config = ConfigDict(json_schema_extra=ONE_CONTENT)

    text: str | None = Field(default=None, max_length=1_000_000)
    content_base64: str | None = Field(
        default=None,
        max_length=1_400_000,
        json_schema_extra={
            "pattern": r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
        },
    )
    content_type: str | None = Field(
        default=None,
        max_length=100,
        json_schema_extra={"pattern": f"{MEDIA_TYPE_PATTERN}|^$"},
        description="text/plain (default for text), text/markdown, text/html, "
        "application/pdf, application/json",
    )
    title: str = Field(default="", max_length=500)
    metadata: Metadata = Field(default_factory=dict, max_length=64)
    source_url: str | None = Field(default=None, max_length=2000)
    chunking: ChunkingSettings | None = Field(
        default=None, description="overrides the namespace's defaults"
    )

    @model_validator(mode="after")
    def _one_content(self) -> EntryWrite:
        if (self.text is None) == (self.content_base64 is None):
            raise ValueError("give exactly one of text and content_base64")
        if self.content_base64 is not None and not self.content_type:
            raise ValueError("content_base64 needs content_type")
        return self

    @field_validator("metadata", mode="before")
    @classmethod
    def _integers_fit_64_bits(cls, value: Any) -> Any:
        # Refused here: the union would otherwise take a larger integer as a float.
        for key, item in value.items() if isinstance(value, dict) else ():
            for number in item if isinstance(item, list) else [item]:
                if isinstance(number, int) and not -(2**63) <= number < 2**63:
                    raise ValueError(f"metadata.{key}: integers must fit in 64 bits")
        return value

    @field_validator("metadata")
    @classmethod
    def _small_lists(cls, value: Metadata) -> Metadata:
        for key, item in value.items():
            if isinstance(item, list) and len(item) > 100:
                raise ValueError(f"metadata.{key}: at most 100 values")
            if isinstance(item, str) and len(item) > 2000:
                raise ValueError(f"metadata.{key}: at most 2000 characters")
        return value


class EntryCreate(EntryWrite):
    model_config = examples(
        {
            "id": "returns-policy",
            "title": "Returns policy",
            "text": "Items can be returned within 30 days of delivery.",
            "metadata": {"team": "support"},
            "source_url": "https://help.example.com/returns",
        },
        schema=ONE_CONTENT,
    )

    id: EntryId | None = Field(default=None, description="default: a server-made id")


class Entry(Resource):
    id: str = Field(description="the entry id (caller-chosen or made by the server)")
    namespace_id: str
    title: str
    metadata: dict[str, Any]
    source_url: str | None
    content_type: str
    status: Literal["processing", "ready", "failed"]
    error: str | None
    chunk_count: int
    token_count: int
    characters: int
    job_run_id: str | None = Field(
        default=None, description="the engine run ingesting it, when in the background"
    )
    create_time: datetime
    update_time: datetime


class EntryList(Resource):
    data: list[Entry]


class SearchWeights(Model):
    keyword: float = Field(default=1.0, ge=0, le=10)
    vector: float = Field(default=1.0, ge=0, le=10)


class SearchBase(Model):
    query: str = Field(min_length=1, max_length=2000)
    top_k: int = Field(default=5, ge=1, le=100)
    mode: Literal["hybrid", "keyword", "vector"] = "hybrid"
    filter: str | None = Field(
        default=None,
        max_length=2000,
        description="AIP-160 over metadata.<key>, entry_id, title, content_type",
    )
    min_score: float | None = Field(
        default=None,
        description="drop results below: hybrid = weighted reciprocal-rank fusion "
        "(1/(60+rank) per mode), keyword = full-text relevance, vector = cosine",
    )
    weights: SearchWeights = Field(default_factory=SearchWeights)


class SearchRequest(SearchBase):
    pass


class MultiSearchRequest(SearchBase):
    namespaces: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=20
    )


class Ranks(Resource):
    keyword: int | None
    vector: int | None


class SearchResult(Resource):
    namespace: str
    entry_id: str
    chunk_id: str
    title: str
    text: str
    context: str
    metadata: dict[str, Any]
    source_url: str | None
    score: float
    ranks: Ranks


class SearchResponse(Resource):
    data: list[SearchResult]
