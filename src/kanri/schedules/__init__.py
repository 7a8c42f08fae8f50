"""Schedules: cron expressions that start runs of an automation, fired by one leader."""
