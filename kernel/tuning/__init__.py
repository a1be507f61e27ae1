"""Budget tuning from recorded runs: replay a trace under other budgets, recommend a split."""
