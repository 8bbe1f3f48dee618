"""What a search box may pass to a query: typed text without control characters (issue 23).

A NUL (or any other C0/C1 control character, e.g. pasted from a spreadsheet or sent by a
badly configured scanner) ends a string in SQLite's FTS parser and in PostgreSQL's text type;
it is never part of what the user meant to find. Each becomes a space, so 张, NUL, 三 still
searches for both words.
"""

from __future__ import annotations

import unicodedata


def search_text(text: str) -> str:
    """``text`` with control characters turned into spaces, runs of spaces collapsed."""
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(cleaned.split())
