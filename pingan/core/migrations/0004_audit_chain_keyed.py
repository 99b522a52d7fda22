"""Key the audit hash chain (issue 16, finding 6): rehash every chained row with
HMAC-SHA256 under the audit key (`pingan.core.audit.audit_key`), in `seq` order.

The purged rows behind an anchor are gone, so an anchor cannot be recomputed: each anchor
keeps `HMAC(key, old anchor hash)` and the first kept row chains to that value, so
`audit verify` starts from the newest anchor exactly as before.

The old (plain SHA-256) chain is checked first. If it does not verify, the rows are still
rehashed (the migration must not stop a deployment) and a warning goes to stderr; run
`manage.py audit verify` with the old code before migrating to keep that evidence
(docs/security.md).

PostgreSQL: the trigger of migration 0003 refuses every UPDATE on the audit table. The
migration runs as the table's owner (docs/security.md), disables that one trigger inside
its own transaction and enables it again before committing; no other session sees the
table without it.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from django.db import migrations

TABLE = "core_auditentry"
TRIGGER = "core_auditentry_append_only"
GENESIS = "0" * 64


def plain_chain_hash(prev_hash: str, content: bytes) -> str:
    """The chain function before this migration (frozen here)."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def _content(entry: Any) -> bytes:
    from pingan.core.audit import canonical

    return canonical(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        username=entry.username,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        result=entry.result,
        ip=entry.ip,
        detail=entry.detail,
    )


def rekey_chain(entry_model: Any, head_model: Any, anchor_model: Any, key: bytes) -> bool:
    """Rehash the chain with the keyed function; True when the old chain verified."""
    from pingan.core.audit import anchor_hash, chain_hash

    anchor = anchor_model.objects.order_by("-seq").first()
    start = anchor.seq if anchor else 0
    old_prev = anchor.hash if anchor else GENESIS
    new_prev = anchor_hash(anchor.hash, key) if anchor else GENESIS
    for a in anchor_model.objects.all():
        anchor_model.objects.filter(pk=a.pk).update(hash=anchor_hash(a.hash, key))
    old_ok = True
    expected = start + 1
    rows = entry_model.objects.filter(seq__gt=start).order_by("seq")
    for entry in rows.iterator(chunk_size=2000):
        content = _content(entry)
        if (
            entry.seq != expected
            or entry.prev_hash != old_prev
            or plain_chain_hash(old_prev, content) != entry.hash
        ):
            old_ok = False
        digest = chain_hash(new_prev, content, key)
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=new_prev, hash=digest)
        old_prev, new_prev, expected = entry.hash, digest, entry.seq + 1
    head = head_model.objects.filter(pk=1).first()
    if head is not None and head.seq:
        if head.seq != expected - 1 or head.hash != old_prev:
            old_ok = False
        head_model.objects.filter(pk=1).update(hash=new_prev)
    return old_ok


def forwards(apps: Any, schema_editor: Any) -> None:
    from pingan.core.audit import audit_key

    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditAnchor = apps.get_model("core", "AuditAnchor")
    if not AuditEntry.objects.exists() and not AuditAnchor.objects.exists():
        return  # a new database: nothing to rehash, and no key is needed yet
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Deferred foreign-key checks of rows written earlier in the same transaction would
        # make ALTER TABLE fail ("pending trigger events"): run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE", params=None)
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}", params=None)
    ok = rekey_chain(
        AuditEntry,
        apps.get_model("core", "AuditChainHead"),
        AuditAnchor,
        audit_key(),
    )
    if postgres:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}", params=None)
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED", params=None)
    if not ok:
        sys.stderr.write(
            "core 0004: the audit chain did not verify under the old function before it was "
            "rehashed with the key (see docs/security.md).\n"
        )


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("core", "0003_audit_chain_existing_and_guard")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
