"""Agents: versioned instructions + runtime + tools, run as durable loops on the run engine."""
