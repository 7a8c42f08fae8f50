"""The subset of OpenAI's Chat Completions contract kanri answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class CompatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = Field(default=None, max_length=64)
    tool_call_id: str | None = Field(default=None, max_length=200)

    def as_chat(self) -> dict[str, Any]:
        """The message in the shape agents take (text parts joined)."""
        content = self.content
        if isinstance(content, list):
            content = "".join(
                str(part.get("text", "")) for part in content if part.get("type") == "text"
            )
        role = "system" if self.role == "developer" else self.role
        out: dict[str, Any] = {"role": role, "content": content}
        if self.tool_calls:
            out["tool_calls"] = self.tool_calls
        if self.tool_call_id:
            out["tool_call_id"] = self.tool_call_id
        return out


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: StrictBool = False


class ChatCompletionRequest(BaseModel):
    """Fields kanri does not use (temperature, tools, …) are accepted and ignored: the agent's
    published version decides them."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "support-agent",
                    "messages": [{"role": "user", "content": "Where is my order 1042?"}],
                }
            ]
        },
    )

    model: str = Field(min_length=1, max_length=100, description="the agent's name or id")
    messages: list[CompatMessage] = Field(min_length=1, max_length=500)
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(default=None, max_length=200)


class CompletionUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: dict[str, int]
    completion_tokens_details: dict[str, int]


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[dict[str, Any]]
    usage: CompletionUsage


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "kanri"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    message: str = Field(examples=["the model 'support' does not exist"])
    type: str = Field(
        description="`invalid_request_error`, `authentication_error`, `permission_error`, "
        "`rate_limit_error` or `server_error`, by status",
        examples=["invalid_request_error"],
    )
    code: str | None = Field(
        description="kanri's error code in lower case (`invalid_api_key` and "
        "`rate_limit_exceeded` as OpenAI names them)",
        examples=["model_not_found"],
    )
    param: str | None = Field(description="the offending field", examples=["model"])


class ErrorResponse(BaseModel):
    """An error as OpenAI answers it (every error under `/v1/openai/`)."""

    error: ErrorDetail
