"""Automations: versioned definitions of steps, published and rolled back as deployments."""
