"""PostgreSQL backend: Django's, with a schema editor that knows the events table is
partitioned (docs/adr/0006-partitioning.md).

A foreign key into a partitioned table must reference a unique constraint that includes
the partition key, so nothing references `events_event(id)` directly: foreign keys
reference the key table `events_eventkey(id)`, kept in step with the events by triggers.
Django's schema editor would write `REFERENCES events_event(id)` for a new ForeignKey to
Event (and PostgreSQL would refuse it); this one writes `REFERENCES events_eventkey(id)`
once the key table exists. settings select this backend for every PostgreSQL URL."""

from __future__ import annotations

from typing import Any

from django.db.backends.ddl_references import Columns, Table
from django.db.backends.postgresql import base, schema

# Partitioned table -> the unpartitioned table that holds its globally unique keys.
KEY_TABLES = {"events_event": "events_eventkey"}


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def key_table_for(self, table: str) -> str | None:
        """The key table foreign keys into `table` must reference, when `table` is a
        partitioned table with a key table (else None: reference `table` itself)."""
        key = KEY_TABLES.get(table)
        if key is None:
            return None
        with self.connection.cursor() as c:
            c.execute(
                "SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)),"
                " to_regclass(%s) IS NOT NULL",
                [table, key],
            )
            relkind, key_exists = c.fetchone()
        return key if relkind == "p" and key_exists else None

    def _create_fk_sql(self, model: Any, field: Any, suffix: str) -> Any:
        statement = super()._create_fk_sql(model, field, suffix)  # type: ignore[misc]
        key = self.key_table_for(field.target_field.model._meta.db_table)
        if key is not None:
            statement.parts["to_table"] = Table(key, self.quote_name)
            statement.parts["to_column"] = Columns(
                key, [field.target_field.column], self.quote_name
            )
        return statement

    def add_field(self, model: Any, field: Any) -> None:
        # Django adds the constraint inline ("ADD COLUMN ... REFERENCES events_event");
        # for a redirected target, add it afterwards through _create_fk_sql instead.
        # A many-to-many field adds no column (its table is created apart): left to Django.
        remote = getattr(field, "remote_field", None)
        if (
            remote is not None
            and not field.many_to_many
            and field.db_constraint
            and getattr(field, "target_field", None) is not None
            and self.key_table_for(field.target_field.model._meta.db_table)
        ):
            self.sql_create_column_inline_fk = None  # type: ignore[assignment]
            try:
                super().add_field(model, field)
            finally:
                del self.sql_create_column_inline_fk
            return
        super().add_field(model, field)


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
