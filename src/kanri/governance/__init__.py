"""Governance: policies and their evaluation, policy exceptions, external executions."""
