"""Building blocks for revisions: constraints named like ``models.NAMING`` names them.

``fk("loan", "volume_id", "volume")`` is ``FOREIGN KEY(volume_id) REFERENCES volume (id)``
named ``fk_loan_volume_id_volume``; ``pk("loan", "id")`` is ``pk_loan``;
``unique("loan", "number")`` is ``uq_loan_number``; ``column("note", sa.Text())`` is a NOT NULL
column unless ``nullable=True``; ``ref("volume_id", "volume")`` is such an integer column that
refers to ``volume.id``. ``create_table`` and ``create_entity`` write a whole table with those
constraints from a short description (its columns, which of them are unique, which get an
index).

A revision, once released, never changes what it creates. Revisions 0001-0019 were rewritten
with these helpers only where the schema they create stayed the same on SQLite and PostgreSQL
at every revision, up and down (every CREATE TABLE byte for byte; only the order in which some
CREATE INDEX statements of one table run changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

#: A point in time (stored with its zone).
TZ = sa.DateTime(timezone=True)


def fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """``column`` references ``target.id`` (``ondelete``: what a deleted target does to it)."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
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


def ref(
    name: str, target: str, *, nullable: bool = False, ondelete: str | None = None
) -> sa.Column[Any]:
    """An integer column referring to ``target.id``: ``create_table`` gives it its foreign key
    ``fk(table, name, target, ondelete=ondelete)``."""
    return column(name, sa.Integer(), nullable=nullable, info={"ref": (target, ondelete)})


def sealed_file(
    prefix: str, *, hash_nullable: bool = False, size: bool = False
) -> tuple[sa.Column[Any], ...]:
    """The columns of a file kept in a row, sealed: ``<prefix>_enc`` and ``<prefix>_name_enc``
    (its content and name, NULL while there is none), ``<prefix>_sha256`` (NULL allowed with
    ``hash_nullable``) and, with ``size``, ``<prefix>_size``."""
    columns = (
        column(f"{prefix}_enc", sa.LargeBinary(), nullable=True),
        column(f"{prefix}_name_enc", sa.LargeBinary(), nullable=True),
        column(f"{prefix}_sha256", sa.String(64), nullable=hash_nullable),
    )
    return (*columns, column(f"{prefix}_size", sa.Integer())) if size else columns


def indexes(table: str, *columns: str) -> None:
    """One plain index ``ix_<table>_<column>`` per column."""
    for name in columns:
        op.create_index(f"ix_{table}_{name}", table, [name])


def _target(col: sa.Column[Any]) -> tuple[str, str | None]:
    """The table a ``ref`` column refers to, and its ``ondelete``."""
    target, ondelete = col.info["ref"]
    return str(target), ondelete


def create_table(
    name: str,
    *columns: sa.Column[Any],
    key: Sequence[str],
    unique_columns: Sequence[str] = (),
    pair: tuple[str, str] | None = None,
    pair_name: str = "pair",
    indexed: Sequence[str] = (),
) -> None:
    """Create table ``name`` of ``columns`` with its constraints, then its plain indexes.

    The constraints: the foreign key of each ``ref`` column, in column order; the primary key
    over ``key``; one unique constraint per ``unique_columns``; ``pair``, two columns unique
    together (``uq_<name>_<pair_name>``). They are made in this order, which is the order
    ``CREATE TABLE`` lists them in after the key. ``indexed``: one plain index each
    (``indexes``).
    """
    constraints: list[sa.Constraint] = [
        fk(name, col.name, *_target(col)) for col in columns if "ref" in col.info
    ]
    constraints.append(pk(name, *key))
    constraints.extend(unique(name, col) for col in unique_columns)
    if pair is not None:
        constraints.append(sa.UniqueConstraint(*pair, name=f"uq_{name}_{pair_name}"))
    op.create_table(name, *columns, *constraints)
    indexes(name, *indexed)


def create_entity(
    name: str,
    *columns: sa.Column[Any],
    numbered: bool = False,
    unique_columns: Sequence[str] = (),
    pair: tuple[str, str] | None = None,
    pair_name: str = "pair",
    indexed: Sequence[str] = (),
) -> None:
    """``create_table`` for a table whose key is an integer ``id``, its first column.

    ``numbered``: a register whose rows carry their own number (a loan's, a destruction
    list's …): a ``number`` column right after ``id``, unique before ``unique_columns``.
    """
    first = [column("id", sa.Integer())]
    uniques = list(unique_columns)
    if numbered:
        first.append(column("number", sa.String(16)))
        uniques.insert(0, "number")
    create_table(
        name,
        *first,
        *columns,
        key=("id",),
        unique_columns=uniques,
        pair=pair,
        pair_name=pair_name,
        indexed=indexed,
    )


def create_approvals(
    name: str,
    parent_column: str,
    parent: str,
    *,
    approver_nullable: bool = False,
    opinion_default: str | None = None,
) -> None:
    """The approvals table of an approval chain (审批): one row per step decided on a
    ``parent`` row, deleted with it and indexed by ``parent_column``; who decided (account, name
    and title at the time), the decision, the opinion (``opinion_default``: its server default)
    and when."""
    create_entity(
        name,
        ref(parent_column, parent, ondelete="CASCADE"),
        column("step", sa.Integer()),
        ref("approver_user_id", "user_account", nullable=approver_nullable),
        column("approver_name", sa.String(64)),
        column("approver_title", sa.String(32)),
        column("decision", sa.String(16)),
        column("opinion", sa.Text(), server_default=opinion_default),
        column("decided_at", TZ),
        indexed=[parent_column],
    )
