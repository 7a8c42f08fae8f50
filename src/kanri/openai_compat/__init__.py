"""An OpenAI-compatible Chat Completions endpoint in front of agents (`model` = agent name)."""
