"""Organizations, projects, environments and API keys."""
