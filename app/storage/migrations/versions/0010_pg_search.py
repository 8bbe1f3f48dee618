"""PostgreSQL customer search: pg_trgm GIN indexes, 1–2 character grams, pinyin keys

SQLite keeps its search tables outside Alembic (FTS5, created at start by search_sqlite), so
this revision does nothing there. On PostgreSQL it creates the tables of app.storage.search_pg
and indexes the customers already present.

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-10
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("customer_text", "customer_gram", "customer_key")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    from app.storage import search_pg

    for statement in search_pg.SCHEMA:
        conn.exec_driver_sql(statement)
    last = 0
    while True:
        done = search_pg.index_batch(conn, last, 20_000)
        if done is None:
            break
        last = done[0]


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
