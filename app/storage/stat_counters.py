"""Running totals the statistics overview reads instead of counting a million rows (issue 19).

``stat_counter`` holds, per key, a count and two sums: ``volume`` (volumes, their items and
pages) and ``customer`` (customers). ``stat_hourly`` holds new customers per UTC hour (the
overview's 本月新增: at most 744 rows a month instead of an index range over every customer
registered). Both are kept by database triggers, so every writer — services, imports, the
demo's bulk load, a restore's purge — keeps them without knowing they exist; :func:`rebuild`
counts them afresh (the migration that adds them, and a bulk load that dropped the triggers
for speed). SQLite and PostgreSQL get the same triggers in their own dialects.

``stat_volume_group`` holds volumes, items and pages per 门类 × 年度 × 保管期限 × 密级 × state
(a few hundred rows for a million volumes): the holdings report reads it instead of a pass
over the volume index.

``use_log`` rows also get a snapshot of what the use report groups and filters by — the
volume's 密级, 门类 and 年度 and the items handed over (``loan.expected_items``) — filled by a
trigger when the row is written, so a year of uses is read from ``use_log`` alone instead of
looking up tens of thousands of volumes and register entries one by one. The 密级 counted is
the one the volume had when it was used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from app.storage.ddl import recreated_after

# SQLite stores times as 'YYYY-MM-DD HH:MM:SS…' in UTC: the first 13 characters are the hour
_SQLITE_HOUR = "substr({col}, 1, 13)"
_PG_HOUR = "to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"

SQLITE_TRIGGERS: tuple[str, ...] = (
    """CREATE TRIGGER trg_stat_volume_insert AFTER INSERT ON volume BEGIN
    UPDATE stat_counter SET n = n + 1, items = items + coalesce(NEW.item_count, 0),
    pages = pages + coalesce(NEW.page_count, 0) WHERE key = 'volume'; END""",
    """CREATE TRIGGER trg_stat_volume_delete AFTER DELETE ON volume BEGIN
    UPDATE stat_counter SET n = n - 1, items = items - coalesce(OLD.item_count, 0),
    pages = pages - coalesce(OLD.page_count, 0) WHERE key = 'volume'; END""",
    """CREATE TRIGGER trg_stat_volume_update AFTER UPDATE OF item_count, page_count ON volume
    BEGIN UPDATE stat_counter SET
    items = items + coalesce(NEW.item_count, 0) - coalesce(OLD.item_count, 0),
    pages = pages + coalesce(NEW.page_count, 0) - coalesce(OLD.page_count, 0)
    WHERE key = 'volume'; END""",
    """CREATE TRIGGER trg_stat_customer_insert AFTER INSERT ON customer BEGIN
    UPDATE stat_counter SET n = n + 1 WHERE key = 'customer';
    INSERT INTO stat_hourly (hour, key, n) VALUES (substr(NEW.created_at, 1, 13), 'customer', 1)
    ON CONFLICT (hour, key) DO UPDATE SET n = n + 1; END""",
    """CREATE TRIGGER trg_stat_customer_delete AFTER DELETE ON customer BEGIN
    UPDATE stat_counter SET n = n - 1 WHERE key = 'customer';
    UPDATE stat_hourly SET n = n - 1
    WHERE hour = substr(OLD.created_at, 1, 13) AND key = 'customer'; END""",
)
SQLITE_TRIGGERS += (
    """CREATE TRIGGER trg_stat_use_log AFTER INSERT ON use_log BEGIN
    UPDATE use_log SET
    volume_level = (SELECT secrecy_level FROM volume WHERE id = NEW.volume_id),
    volume_category = (SELECT category_code FROM volume WHERE id = NEW.volume_id),
    volume_year = (SELECT year FROM volume WHERE id = NEW.volume_id),
    items = coalesce((SELECT expected_items FROM loan WHERE id = NEW.loan_id), 0)
    WHERE id = NEW.id; END""",
)
_GROUP_KEYS = "category_code, year, retention, level, state"
_NEW_GROUP = (
    "coalesce(NEW.category_code, ''), NEW.year, NEW.retention, "
    "coalesce(NEW.secrecy_level, ''), NEW.state"
)
_OLD_MATCH = (
    "category_code = coalesce(OLD.category_code, '') AND year = OLD.year AND "
    "retention = OLD.retention AND level = coalesce(OLD.secrecy_level, '') AND state = OLD.state"
)
_GROUP_ADD = (
    f"INSERT INTO stat_volume_group ({_GROUP_KEYS}, n, items, pages) VALUES ({_NEW_GROUP}, 1, "
    "coalesce(NEW.item_count, 0), coalesce(NEW.page_count, 0)) "
    f"ON CONFLICT ({_GROUP_KEYS}) DO UPDATE SET n = stat_volume_group.n + 1, "
    "items = stat_volume_group.items + excluded.items, "
    "pages = stat_volume_group.pages + excluded.pages"
)
_GROUP_REMOVE = (
    "UPDATE stat_volume_group SET n = n - 1, items = items - coalesce(OLD.item_count, 0), "
    f"pages = pages - coalesce(OLD.page_count, 0) WHERE {_OLD_MATCH}"
)
SQLITE_TRIGGERS += (
    f"CREATE TRIGGER trg_stat_group_insert AFTER INSERT ON volume BEGIN {_GROUP_ADD}; END",
    f"CREATE TRIGGER trg_stat_group_delete AFTER DELETE ON volume BEGIN {_GROUP_REMOVE}; END",
    "CREATE TRIGGER trg_stat_group_update AFTER UPDATE OF category_code, year, retention, "
    f"secrecy_level, state, item_count, page_count ON volume BEGIN {_GROUP_REMOVE}; "
    f"{_GROUP_ADD}; END",
)
SQLITE_TRIGGER_NAMES = tuple(sql.split()[2] for sql in SQLITE_TRIGGERS)

PG_STATEMENTS = (
    """CREATE OR REPLACE FUNCTION stat_volume() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE stat_counter SET n = n + 1, items = items + coalesce(NEW.item_count, 0),
      pages = pages + coalesce(NEW.page_count, 0) WHERE key = 'volume';
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE stat_counter SET n = n - 1, items = items - coalesce(OLD.item_count, 0),
      pages = pages - coalesce(OLD.page_count, 0) WHERE key = 'volume';
  ELSE
    UPDATE stat_counter SET
      items = items + coalesce(NEW.item_count, 0) - coalesce(OLD.item_count, 0),
      pages = pages + coalesce(NEW.page_count, 0) - coalesce(OLD.page_count, 0)
      WHERE key = 'volume';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_stat_volume AFTER INSERT OR DELETE OR UPDATE OF item_count, page_count
  ON volume FOR EACH ROW EXECUTE FUNCTION stat_volume()""",
    """CREATE OR REPLACE FUNCTION stat_customer() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE stat_counter SET n = n + 1 WHERE key = 'customer';
    INSERT INTO stat_hourly (hour, key, n)
      VALUES (to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24'), 'customer', 1)
      ON CONFLICT (hour, key) DO UPDATE SET n = stat_hourly.n + 1;
  ELSE
    UPDATE stat_counter SET n = n - 1 WHERE key = 'customer';
    UPDATE stat_hourly SET n = n - 1
      WHERE hour = to_char(OLD.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')
      AND key = 'customer';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_stat_customer AFTER INSERT OR DELETE ON customer
  FOR EACH ROW EXECUTE FUNCTION stat_customer()""",
    """CREATE OR REPLACE FUNCTION stat_use_log() RETURNS trigger AS $$
BEGIN
  SELECT secrecy_level, category_code, year INTO NEW.volume_level, NEW.volume_category,
    NEW.volume_year FROM volume WHERE id = NEW.volume_id;
  NEW.items := coalesce((SELECT expected_items FROM loan WHERE id = NEW.loan_id), 0);
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_stat_use_log BEFORE INSERT ON use_log
  FOR EACH ROW EXECUTE FUNCTION stat_use_log()""",
    f"""CREATE OR REPLACE FUNCTION stat_volume_group() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {_GROUP_REMOVE};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_GROUP_ADD};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_stat_volume_group AFTER INSERT OR DELETE OR UPDATE OF category_code,
  year, retention, secrecy_level, state, item_count, page_count ON volume
  FOR EACH ROW EXECUTE FUNCTION stat_volume_group()""",
)


def create_triggers(conn: Connection) -> None:
    """Install the triggers (the tables exist)."""
    statements = PG_STATEMENTS if conn.dialect.name == "postgresql" else SQLITE_TRIGGERS
    for sql in statements:
        conn.exec_driver_sql(sql)


def drop_triggers(conn: Connection) -> None:
    """Remove the triggers (downgrade)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS trg_stat_volume ON volume")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS trg_stat_customer ON customer")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS trg_stat_use_log ON use_log")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS trg_stat_volume_group ON volume")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS stat_volume_group()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS stat_volume()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS stat_customer()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS stat_use_log()")
        return
    for name in SQLITE_TRIGGER_NAMES:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


USE_LOG_SNAPSHOT = (
    "UPDATE use_log SET "
    "volume_level = (SELECT secrecy_level FROM volume WHERE volume.id = use_log.volume_id), "
    "volume_category = (SELECT category_code FROM volume WHERE volume.id = use_log.volume_id), "
    "volume_year = (SELECT year FROM volume WHERE volume.id = use_log.volume_id), "
    "items = coalesce((SELECT expected_items FROM loan WHERE loan.id = use_log.loan_id), 0)"
)


def rebuild_statements(dialect: str) -> tuple[str, ...]:
    """The SQL that counts both tables afresh (one pass each)."""
    hour = (_PG_HOUR if dialect == "postgresql" else _SQLITE_HOUR).format(col="created_at")
    return (
        "DELETE FROM stat_counter",
        "DELETE FROM stat_hourly",
        "DELETE FROM stat_volume_group",
        f"INSERT INTO stat_volume_group ({_GROUP_KEYS}, n, items, pages) SELECT "
        "coalesce(category_code, ''), year, retention, coalesce(secrecy_level, ''), state, "
        "count(*), coalesce(sum(item_count), 0), coalesce(sum(page_count), 0) FROM volume "
        "GROUP BY coalesce(category_code, ''), year, retention, coalesce(secrecy_level, ''), "
        "state",
        "INSERT INTO stat_counter (key, n, items, pages) SELECT 'volume', count(*), "
        "coalesce(sum(item_count), 0), coalesce(sum(page_count), 0) FROM volume",
        "INSERT INTO stat_counter (key, n, items, pages) SELECT 'customer', count(*), 0, 0 "
        "FROM customer",
        f"INSERT INTO stat_hourly (hour, key, n) SELECT {hour}, 'customer', count(*) "
        f"FROM customer GROUP BY {hour}",
        USE_LOG_SNAPSHOT,
    )


def rebuild(conn: Connection) -> None:
    """Count both tables afresh in ``conn``'s transaction."""
    for sql in rebuild_statements(conn.dialect.name):
        conn.exec_driver_sql(sql)


_CUSTOMER_INSERT = SQLITE_TRIGGERS[3]
assert _CUSTOMER_INSERT.split()[2] == "trg_stat_customer_insert"


@contextmanager
def customers_counted_after(conn: Connection, first_id: int) -> Iterator[None]:
    """Count the customers inserted in the block once at its end, not by a trigger per row.

    SQLite, in the caller's transaction; the block inserts ids from ``first_id`` on.
    The trigger is dropped and created again in the same transaction (nobody else sees it
    missing); the totals get the same numbers the trigger would have given.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    with recreated_after(conn, ["DROP TRIGGER trg_stat_customer_insert"], [_CUSTOMER_INSERT]):
        yield
    conn.exec_driver_sql(
        "UPDATE stat_counter SET n = n + (SELECT count(*) FROM customer WHERE id >= ?) "
        "WHERE key = 'customer'",
        (first_id,),
    )
    hour = _SQLITE_HOUR.format(col="created_at")
    conn.exec_driver_sql(
        f"INSERT INTO stat_hourly (hour, key, n) SELECT {hour}, 'customer', count(*) "
        f"FROM customer WHERE id >= ? GROUP BY {hour} "
        "ON CONFLICT (hour, key) DO UPDATE SET n = n + excluded.n",
        (first_id,),
    )
