"""PostgreSQL privileges and the trigger that keep the audit table append-only.

Two layers:
- the application's role holds only SELECT and INSERT on the audit table
  (`manage.py audit revoke --role <role>` or the SQL from `audit_privilege_sql`);
- a trigger (installed by migration core 0003) refuses UPDATE always, and DELETE unless
  the transaction is a purge (`pingan.audit_purge` set by `audit.purge`) of rows older
  than the retention. It binds every role but a superuser that disables it.
"""

from __future__ import annotations

import re

AUDIT_TABLE = "core_auditentry"
RETENTION_FLOOR_DAYS = 183

TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION pingan_audit_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('pingan.audit_purge', true) = 'on'
     AND OLD.at < now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON {AUDIT_TABLE};
CREATE TRIGGER core_auditentry_append_only
  BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
  FOR EACH ROW EXECUTE FUNCTION pingan_audit_guard();
"""

DROP_TRIGGER_SQL = f"""
DROP TRIGGER IF EXISTS core_auditentry_append_only ON {AUDIT_TABLE};
DROP FUNCTION IF EXISTS pingan_audit_guard();
"""


def _ident(role: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]{0,62}", role):
        raise ValueError(f"not a plain role name: {role!r}")
    return '"' + role + '"'


def audit_privilege_sql(role: str) -> list[str]:
    """Statements leaving `role` with SELECT and INSERT only on the audit table."""
    r = _ident(role)
    return [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM PUBLIC",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {r}",
    ]
