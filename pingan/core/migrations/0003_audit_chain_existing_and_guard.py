"""Chain the audit rows written before hash chaining, then (PostgreSQL) install the trigger
that keeps the audit table append-only."""

from django.db import migrations


def chain_existing(apps, schema_editor):
    from pingan.core.audit import GENESIS, canonical, chain_hash

    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    seq, prev = head.seq, head.hash or GENESIS
    for entry in AuditEntry.objects.filter(seq__isnull=True).order_by("id").iterator():
        seq += 1
        content = canonical(
            seq=seq,
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
        digest = chain_hash(prev, content)
        AuditEntry.objects.filter(pk=entry.pk).update(seq=seq, prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev if seq else "")


def install_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from pingan.core.privileges import TRIGGER_SQL

        schema_editor.execute(TRIGGER_SQL, params=None)


def remove_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from pingan.core.privileges import DROP_TRIGGER_SQL

        schema_editor.execute(DROP_TRIGGER_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_chain")]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(install_guard, remove_guard),
    ]
