"""kanri: a self-hosted, API-first control plane for AI agents and automations."""

__version__ = "0.1.0"
