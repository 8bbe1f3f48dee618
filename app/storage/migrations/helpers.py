"""Building blocks for revisions: constraints named like ``models.NAMING`` names them.

``fk("loan", "volume_id", "volume")`` is ``FOREIGN KEY(volume_id) REFERENCES volume (id)``
named ``fk_loan_volume_id_volume``; ``pk("loan", "id")`` is ``pk_loan``;
``unique("loan", "number")`` is ``uq_loan_number``; ``column("note", sa.Text())`` is a NOT NULL
column unless ``nullable=True``. A revision, once released, never changes what it creates: use
these for new revisions (the existing ones were rewritten with them only where the SQL they
create stayed byte for byte the same).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def fk(table: str, column: str, target: str, **kw: Any) -> sa.ForeignKeyConstraint:
    """``column`` references ``target.id`` (``ondelete=`` … passed on)."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", **kw
    )


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key of ``table`` over ``columns``."""
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def unique(table: str, column: str) -> sa.UniqueConstraint:
    """``column`` is unique in ``table``."""
    return sa.UniqueConstraint(column, name=f"uq_{table}_{column}")


def column(name: str, type_: Any, *, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    """A column, NOT NULL unless ``nullable``."""
    return sa.Column(name, type_, nullable=nullable, **kw)
