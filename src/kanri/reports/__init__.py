"""Reports: daily, weekly, audit and incident reports that agents, automations and keys
submit, sanitised HTML or text, listed by type and date."""
