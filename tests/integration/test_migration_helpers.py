"""The revision helpers write the tables they describe, constraints in the order revisions rely on.

Revisions 0001-0019 were rewritten with ``create_entity``/``create_table`` on the condition that
the SQL they create stays the same: foreign keys in column order, then the key, the unique
columns, the pair. These tests hold the helpers to that on a real SQLite file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from app.storage.migrations import helpers

Run = Callable[[Callable[[], None]], sa.Engine]


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    """Run helper calls as a revision would (``op`` bound to a connection); return the engine."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'helpers.db'}")

    def _run(step: Callable[[], None]) -> sa.Engine:
        with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            step()
        return engine

    yield _run
    engine.dispose()


def _table_sql(engine: sa.Engine, name: str) -> str:
    with engine.connect() as conn:
        sql = conn.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": name}
        ).scalar_one()
    return str(sql)


def _parent() -> None:
    helpers.create_entity(
        "parent", helpers.column("number", sa.String(16)), unique_columns=["number"]
    )


def test_create_entity_lists_id_first_then_keys_in_the_order_revisions_rely_on(run: Run) -> None:
    def step() -> None:
        _parent()
        helpers.create_entity(
            "child",
            helpers.column("label", sa.String(16)),
            helpers.ref("parent_id", "parent", ondelete="CASCADE"),
            helpers.column("noted_at", helpers.TZ, nullable=True),
            helpers.ref("checked_by", "parent", nullable=True),
            unique_columns=["label"],
            pair=("parent_id", "label"),
            indexed=["parent_id", "checked_by"],
        )

    engine = run(step)
    assert _table_sql(engine, "child") == (
        "CREATE TABLE child (\n"
        "\tid INTEGER NOT NULL, \n"
        "\tlabel VARCHAR(16) NOT NULL, \n"
        "\tparent_id INTEGER NOT NULL, \n"
        "\tnoted_at DATETIME, \n"
        "\tchecked_by INTEGER, \n"
        "\tCONSTRAINT pk_child PRIMARY KEY (id), \n"
        "\tCONSTRAINT fk_child_parent_id_parent FOREIGN KEY(parent_id) REFERENCES parent (id)"
        " ON DELETE CASCADE, \n"
        "\tCONSTRAINT fk_child_checked_by_parent FOREIGN KEY(checked_by) REFERENCES parent (id), \n"
        "\tCONSTRAINT uq_child_label UNIQUE (label), \n"
        "\tCONSTRAINT uq_child_pair UNIQUE (parent_id, label)\n"
        ")"
    )
    with engine.connect() as conn:
        found = sa.inspect(conn)
        assert {(i["name"], tuple(i["column_names"])) for i in found.get_indexes("child")} == {
            ("ix_child_parent_id", ("parent_id",)),
            ("ix_child_checked_by", ("checked_by",)),
        }


def test_create_table_takes_its_key_and_a_named_pair(run: Run) -> None:
    def step() -> None:
        _parent()
        helpers.create_table(
            "line",
            helpers.ref("parent_id", "parent"),
            helpers.column("seq", sa.Integer()),
            key=("parent_id", "seq"),
            pair=("seq", "parent_id"),
            pair_name="seq_parent",
        )

    assert _table_sql(run(step), "line") == (
        "CREATE TABLE line (\n"
        "\tparent_id INTEGER NOT NULL, \n"
        "\tseq INTEGER NOT NULL, \n"
        "\tCONSTRAINT pk_line PRIMARY KEY (parent_id, seq), \n"
        "\tCONSTRAINT fk_line_parent_id_parent FOREIGN KEY(parent_id) REFERENCES parent (id), \n"
        "\tCONSTRAINT uq_line_seq_parent UNIQUE (seq, parent_id)\n"
        ")"
    )


def test_create_approvals_and_sealed_file_write_their_columns(run: Run) -> None:
    def step() -> None:
        helpers.create_entity("user_account", helpers.column("username", sa.String(64)))
        _parent()
        helpers.create_approvals("parent_approval", "parent_id", "parent", approver_nullable=True)
        helpers.create_entity(
            "form",
            *helpers.sealed_file("scan"),
            *helpers.sealed_file("copy", hash_nullable=True, size=True),
        )

    engine = run(step)
    with engine.connect() as conn:
        found = sa.inspect(conn)
        approval = {c["name"]: c["nullable"] for c in found.get_columns("parent_approval")}
        form = {c["name"]: c["nullable"] for c in found.get_columns("form")}
        keys = {
            (k["constrained_columns"][0], k["referred_table"], k["options"].get("ondelete"))
            for k in found.get_foreign_keys("parent_approval")
        }
        indexes = [i["name"] for i in found.get_indexes("parent_approval")]
    assert approval == {
        "id": False,
        "parent_id": False,
        "step": False,
        "approver_user_id": True,
        "approver_name": False,
        "approver_title": False,
        "decision": False,
        "opinion": False,
        "decided_at": False,
    }
    assert keys == {("parent_id", "parent", "CASCADE"), ("approver_user_id", "user_account", None)}
    assert indexes == ["ix_parent_approval_parent_id"]
    assert form == {
        "id": False,
        "scan_enc": True,
        "scan_name_enc": True,
        "scan_sha256": False,
        "copy_enc": True,
        "copy_name_enc": True,
        "copy_sha256": True,
        "copy_size": False,
    }


def test_a_numbered_entity_has_its_unique_number_right_after_id(run: Run) -> None:
    def step() -> None:
        helpers.create_entity(
            "register",
            helpers.column("code", sa.String(8)),
            numbered=True,
            unique_columns=["code"],
        )

    assert _table_sql(run(step), "register") == (
        "CREATE TABLE register (\n"
        "\tid INTEGER NOT NULL, \n"
        "\tnumber VARCHAR(16) NOT NULL, \n"
        "\tcode VARCHAR(8) NOT NULL, \n"
        "\tCONSTRAINT pk_register PRIMARY KEY (id), \n"
        "\tCONSTRAINT uq_register_number UNIQUE (number), \n"
        "\tCONSTRAINT uq_register_code UNIQUE (code)\n"
        ")"
    )
