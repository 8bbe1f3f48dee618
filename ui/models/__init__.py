"""Table models over service DTOs (no sessions held)."""
