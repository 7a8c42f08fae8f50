"""The `kanri` command line: serve, migrate, config, admin verbs."""
