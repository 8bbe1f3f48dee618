"""Use cases: one function per action, each one transaction with its audit record."""
