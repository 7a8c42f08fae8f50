"""Development tools of the repository (not shipped with kanri)."""
