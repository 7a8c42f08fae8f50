"""Persistence: declarative base, column types, the Database (reads and write commands)."""
