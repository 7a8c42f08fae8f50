"""Usage and costs of model calls: prices, per-call usage, cost reports and budgets."""
