"""Runs of automations (and later agents): the public view of durable execution."""
