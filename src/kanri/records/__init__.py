"""Records: a headless CRM of typed objects, fields and records that agents and automations use."""
