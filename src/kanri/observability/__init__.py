"""Observability: logs, metrics and business events that clients send (ingest with one
result per item), and their queries (AIP-160 log search, a live tail, metric series with
steps and aggregations, event counts and funnels)."""
