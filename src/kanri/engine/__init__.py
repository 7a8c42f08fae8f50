"""The automation engine: step definitions, templates and their execution."""
