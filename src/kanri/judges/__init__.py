"""Judges: rule or model scoring of completed runs, sampled, asynchronous."""
