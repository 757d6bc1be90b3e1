"""Data shipped with wagerkit (the quickstart betslip used by the demo)."""
