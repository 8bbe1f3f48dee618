"""Column helpers: one definition of the kinds of column many tables repeat.

Each call returns a new ``mapped_column``; the annotation beside it (``Mapped[int]`` or
``Mapped[int | None]``) still decides whether the column may be NULL. ``sort_order`` is for
mixins: the ORM puts a mixin's columns after the table's own unless they sort first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import MappedColumn, mapped_column

# sort_order of the columns a mixin opens the table with (before the class's own columns)
LEADING = -1


def row_id(*, sort_order: int = 0) -> MappedColumn[Any]:
    """The table's integer primary key ``id`` (for mixins; tables spell their own out)."""
    return mapped_column(Integer, primary_key=True, sort_order=sort_order)


def owned_by(table: str, *, sort_order: int = 0) -> MappedColumn[Any]:
    """The key of a row that belongs to one row of ``table``: deleted with it, indexed."""
    return mapped_column(
        ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True, sort_order=sort_order
    )


def outlives(table: str, *, sort_order: int = 0) -> MappedColumn[Any]:
    """The key of a row of ``table`` this row is kept after: set NULL when it goes, indexed."""
    return mapped_column(
        ForeignKey(f"{table}.id", ondelete="SET NULL"), index=True, sort_order=sort_order
    )


def encrypted() -> MappedColumn[Any]:
    """A protected value, encrypted at rest and bound to its row (R6); never stored in clear."""
    return mapped_column(LargeBinary)


def blind_index() -> MappedColumn[Any]:
    """An indexed keyed hash of a protected value: exact look-ups without decrypting (R6, R14)."""
    return mapped_column(LargeBinary, index=True)
