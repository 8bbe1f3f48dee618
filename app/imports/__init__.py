"""Reading ledgers for import: files, cells, header rows and column guesses (no Qt, no database)."""
