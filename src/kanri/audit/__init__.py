"""The audit trail as an API: list and verify the hash chain."""
