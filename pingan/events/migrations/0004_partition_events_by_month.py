"""PostgreSQL only: the events table becomes partitioned by month of `reported_at`
(docs/adr/0006-partitioning.md). Nothing happens on SQLite.

In one transaction, with writes to the events blocked (reads go on until the swap):
1. `events_event_partitioned (LIKE events_event ...) PARTITION BY RANGE (reported_at)`:
   same columns, defaults, generated columns, identity, NOT NULL and CHECK constraints;
   one partition per month from the oldest event to three months ahead, and DEFAULT.
2. The rows are copied with INSERT ... SELECT in id ranges (progress printed).
3. `events_eventkey(id PK, code UNIQUE, client_uuid UNIQUE, reported_at)` is filled
   from the events; it keeps id, code and client_uuid unique across all partitions.
4. Every foreign key that references events_event (read from pg_constraint, whichever
   app made it) is dropped; the old table is dropped; the new one takes its name; the
   primary key becomes (id, reported_at); every other index of the old table is built
   again under its own name (read from the catalog, so GIN, partial and expression
   indexes added by other migrations come along; the unique ones on code and
   client_uuid become plain indexes: the key table holds uniqueness); the foreign keys
   out of the table are added again, and those into it now reference events_eventkey(id)
   (still DEFERRABLE INITIALLY DEFERRED); user triggers are recreated.
5. The triggers that keep events_eventkey in step are installed.

Not reversible on PostgreSQL (see the ADR): restore the backup taken before migrating.
"""

from __future__ import annotations

import re
import sys
import time

from django.db import migrations
from django.db.migrations.exceptions import IrreversibleError

from pingan.events import partitions as p

NEW = "events_event_partitioned"
CHUNK = 1_000_000
# Keys the key table makes unique; a unique index on the events over anything else
# cannot be kept on a partitioned table and stops the migration.
KEY_COLUMNS = ({"code"}, {"client_uuid"}, {"id"})
REFERENCES = re.compile(r'REFERENCES (?:public\.)?"?events_event"?\(')

# The key table in step with the events: insert, update of a key column, delete. A
# cross-partition UPDATE of reported_at is run by PostgreSQL as a DELETE and an INSERT
# and fires those two triggers (in that order); the deferred foreign keys into the key
# table are checked at commit, when the row is back. A duplicate code or client_uuid
# fails the INSERT statement itself (IntegrityError), as a unique index on the events
# table would. TRUNCATE (Django's flush between transactional tests) empties the key
# table too, with DELETE: a TRUNCATE would refuse while other tables reference it, and
# the deferred foreign keys still refuse a TRUNCATE of events that leaves children behind.
# The function and the update trigger by themselves: migration 0015 puts them back when
# it is reversed.
KEY_SYNC_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION events_eventkey_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events_eventkey (id, code, client_uuid, reported_at)
        VALUES (NEW.id, NEW.code, NEW.client_uuid, NEW.reported_at);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE events_eventkey SET id = NEW.id, code = NEW.code,
            client_uuid = NEW.client_uuid, reported_at = NEW.reported_at
        WHERE id = OLD.id;
    ELSE
        DELETE FROM events_eventkey WHERE id = OLD.id;
    END IF;
    RETURN NULL;
END
$$;
"""
KEY_UPDATE_TRIGGER_SQL = """
CREATE TRIGGER events_eventkey_update AFTER UPDATE OF id, code, client_uuid, reported_at
    ON events_event FOR EACH ROW EXECUTE FUNCTION events_eventkey_sync();
"""
KEY_TRIGGERS_SQL = (
    KEY_SYNC_FUNCTION_SQL
    + """
CREATE TRIGGER events_eventkey_insert AFTER INSERT ON events_event
    FOR EACH ROW EXECUTE FUNCTION events_eventkey_sync();
"""
    + KEY_UPDATE_TRIGGER_SQL
    + """
CREATE TRIGGER events_eventkey_delete AFTER DELETE ON events_event
    FOR EACH ROW EXECUTE FUNCTION events_eventkey_sync();
CREATE OR REPLACE FUNCTION events_eventkey_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM events_eventkey;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_eventkey_truncate AFTER TRUNCATE ON events_event
    FOR EACH STATEMENT EXECUTE FUNCTION events_eventkey_truncate();
"""
)


def _say(message: str) -> None:
    sys.stdout.write(f"  [分区] {message}\n")
    sys.stdout.flush()


def _fetch(c, sql: str, params=None) -> list[tuple]:
    c.execute(sql, params or [])
    return list(c.fetchall())


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as c:
        _convert(c)


def _convert(c) -> None:
    table = p.TABLE
    kind = _fetch(c, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    if kind and kind[0][0] == "p":
        return
    started = time.monotonic()
    c.execute(f"LOCK TABLE {table} IN SHARE MODE")
    count, first_id, last_id, oldest, newest = _fetch(
        c, f"SELECT count(*), min(id), max(id), min(reported_at), max(reported_at) FROM {table}"
    )[0]
    say = _say if count else (lambda _m: None)
    say(f"{count} 条事件，开始转换")

    # What the old table has, from the catalog.
    columns = p.stored_columns(table)
    indexes = _fetch(
        c,
        """
        SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique, x.indisprimary,
               array(SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)),
               x.indexprs IS NOT NULL
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = to_regclass(%s)
        """,
        [table],
    )
    incoming = _fetch(
        c,
        """
        SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass(%s)
        ORDER BY conrelid::regclass::text, conname
        """,
        [table],
    )
    outgoing = _fetch(
        c,
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'f' AND conrelid = to_regclass(%s) AND confrelid <> conrelid
        ORDER BY conname
        """,
        [table],
    )
    triggers = _fetch(
        c,
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
        [table],
    )
    code_type = _fetch(
        c,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attname = 'code'",
        [table],
    )[0][0]
    for name, _definition, unique, primary, cols, expression in indexes:
        if unique and not primary and (expression or set(cols) not in KEY_COLUMNS):
            raise RuntimeError(
                f"索引 {name} 要求唯一，分区表上无法保持（只有 id、code、client_uuid 经由 "
                f"{p.KEY_TABLE} 保持全局唯一）"
            )

    # 1. The partitioned table and its partitions.
    c.execute(
        f"CREATE TABLE {NEW} (LIKE {table} INCLUDING DEFAULTS INCLUDING GENERATED "
        f"INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS) "
        f"PARTITION BY RANGE (reported_at)"
    )
    from django.utils import timezone

    now = p.month_of(timezone.now())
    first = p.month_of(oldest) if oldest else now
    last = p.add_months(max(now, p.month_of(newest) if newest else now), 3)
    months = p.months_between(min(first, now), last)
    for month in months:
        c.execute(p.partition_sql(month, parent=NEW))
    c.execute(f"CREATE TABLE {p.DEFAULT_PARTITION} PARTITION OF {NEW} DEFAULT")
    say(
        f"建立 {len(months)} 个月分区（{p.partition_name(months[0])} 至 "
        f"{p.partition_name(months[-1])}）和默认分区"
    )

    # 2. The rows, in id ranges.
    cols = ", ".join(columns)
    copied = 0
    if count:
        low = first_id
        while low <= last_id:
            high = low + CHUNK
            c.execute(
                f"INSERT INTO {NEW} ({cols}) SELECT {cols} FROM {table} "  # noqa: S608
                f"WHERE id >= %s AND id < %s",
                [low, high],
            )
            copied += c.rowcount
            say(f"已复制 {copied}/{count} 条，{time.monotonic() - started:.0f} 秒")
            low = high

    # 3. The key table.
    c.execute(
        f"CREATE TABLE {p.KEY_TABLE} (id bigint NOT NULL, code {code_type} NOT NULL, "
        f"client_uuid uuid NULL, reported_at timestamp with time zone NOT NULL)"
    )
    c.execute(
        f"INSERT INTO {p.KEY_TABLE} (id, code, client_uuid, reported_at) "  # noqa: S608
        f"SELECT id, code, client_uuid, reported_at FROM {table}"
    )
    c.execute(
        f"ALTER TABLE {p.KEY_TABLE} ADD CONSTRAINT {p.KEY_TABLE}_pkey PRIMARY KEY (id), "
        f"ADD CONSTRAINT {p.KEY_TABLE}_code_key UNIQUE (code), "
        f"ADD CONSTRAINT {p.KEY_TABLE}_client_uuid_key UNIQUE (client_uuid)"
    )
    c.execute(
        f"COMMENT ON TABLE {p.KEY_TABLE} IS 'Global keys of events_event (partitioned): "
        f"unique id, code, client_uuid; foreign keys to events reference this table. "
        f"Kept in step by triggers; see docs/adr/0006-partitioning.md'"
    )
    say(f"键表 {p.KEY_TABLE} 已填写，{time.monotonic() - started:.0f} 秒")

    # 4. Swap.
    for name, owner, _definition in incoming:
        c.execute(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')
    sequence = _fetch(c, "SELECT pg_get_serial_sequence(%s, 'id')", [NEW])[0][0]
    c.execute(f"DROP TABLE {table}")
    c.execute(f"ALTER TABLE {NEW} RENAME TO {table}")
    if sequence:
        c.execute(f"ALTER SEQUENCE {sequence} RENAME TO {table}_id_seq")
        c.execute(
            f"SELECT setval('{table}_id_seq', %s, %s)",
            [last_id or 1, last_id is not None],
        )
    c.execute("SET LOCAL maintenance_work_mem = '512MB'")
    c.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, reported_at)")
    for name, definition, unique, primary, _cols, _expr in indexes:
        if primary:
            continue
        if unique:
            definition = definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1)
        c.execute(definition)
        say(f"索引 {name} 已重建，{time.monotonic() - started:.0f} 秒")
    for name, definition in outgoing:
        c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, owner, definition in incoming:
        definition = REFERENCES.sub(f"REFERENCES {p.KEY_TABLE}(", definition)
        c.execute(f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {definition}')
    say(f"外键已指向 {p.KEY_TABLE}：{len(incoming)} 个，{time.monotonic() - started:.0f} 秒")
    for _name, definition in triggers:
        c.execute(definition)

    # 5. The key table follows the events from now on.
    c.execute(KEY_TRIGGERS_SQL)
    c.execute(f"ANALYZE {table}")
    c.execute(f"ANALYZE {p.KEY_TABLE}")
    say(f"完成，{time.monotonic() - started:.0f} 秒")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    raise IrreversibleError(
        "事件表已按月分区，不能自动还原为单表：请恢复迁移前的备份（docs/adr/0006-partitioning.md）"
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0003_source_open311"), ("ops", "0002_event_search_bigrams")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
