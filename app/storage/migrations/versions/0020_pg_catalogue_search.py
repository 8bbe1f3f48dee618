"""PostgreSQL catalogue search: pg_trgm GIN indexes over volumes' and items' text (R14)

SQLite keeps its catalogue search tables outside Alembic (FTS5, created at start by
catalogue_search), so this revision does nothing there. On PostgreSQL it creates the tables of
app.storage.catalogue_search_pg and indexes the volumes and items already present.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    from app.storage import catalogue_search_pg

    for statement in catalogue_search_pg.SCHEMA:
        conn.exec_driver_sql(statement)
    catalogue_search_pg.index_all(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table in ("volume_text", "item_text"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
