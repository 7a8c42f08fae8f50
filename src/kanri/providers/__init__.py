"""Model providers: OpenAI-compatible endpoints, Anthropic, and a deterministic offline one."""
