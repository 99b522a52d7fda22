"""The audit chain is keyed (issue 16, finding 6): rewriting a row and recomputing every
later hash without the key is found; migration core 0004 rekeys an existing chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from pingan.core import audit
from pingan.core.models import AuditAnchor, AuditChainHead, AuditEntry
from pingan.core.tests.test_audit_chain import tamper, write

migration = importlib.import_module("pingan.core.migrations.0004_audit_chain_keyed")


def plain_sha256(prev: str, content: bytes) -> str:
    """The chain function before the key (what the outside probe used)."""
    return hashlib.sha256(prev.encode() + b"\n" + content).hexdigest()


def hmac_wrong_key(prev: str, content: bytes) -> str:
    return hmac.new(b"not-the-key", prev.encode() + b"\n" + content, hashlib.sha256).hexdigest()


def rechain(from_seq: int, fn: Callable[[str, bytes], str], prev: str | None = None) -> str:
    """Recompute prev_hash and hash of every row from `from_seq` on with `fn`, past the
    trigger, and point the head at the result, as someone with database rights would."""
    if prev is None:
        before = AuditEntry.objects.filter(seq=from_seq - 1).first()
        prev = before.hash if before else audit.GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        digest = fn(prev, migration._content(entry))
        tamper(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, entry.pk],
        )
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(hash=prev)
    return prev


@pytest.mark.parametrize("fn", [plain_sha256, hmac_wrong_key], ids=["sha256", "wrong-key"])
def test_the_probe_rewriting_a_row_and_every_later_hash_is_found(db, fn):
    rows = write(30)
    assert audit.verify().ok
    tamper("UPDATE core_auditentry SET detail = %s WHERE id = %s", ['{"i": 999}', rows[9].pk])
    rechain(10, fn)
    result = audit.verify()
    assert not result.ok
    changed = [p for p in result.problems if p.kind == "changed"]
    assert changed[0].entry_id == rows[9].pk
    assert f"#10（id={rows[9].pk}）内容已被改动" in changed[0].message


def test_the_key_comes_from_the_setting_and_is_required_in_production(settings):
    settings.PINGAN_AUDIT_KEY = ""
    settings.PRODUCTION = False
    derived = audit.audit_key()
    from pingan.core import pii

    assert derived not in {pii._derived("encryption"), pii._derived("index")}
    settings.PINGAN_AUDIT_KEY = "a-key-from-the-environment"
    assert audit.audit_key() == b"a-key-from-the-environment"
    settings.PINGAN_AUDIT_KEY = ""
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="PINGAN_AUDIT_KEY"):
        audit.audit_key()


def test_a_different_key_fails_verification(db, settings):
    write(3)
    assert audit.verify().ok
    settings.PINGAN_AUDIT_KEY = "another-key"
    assert {p.kind for p in audit.verify().problems} == {"changed"}


def _old_schema_editor() -> SimpleNamespace:
    def execute(sql: str, params: object = None) -> None:
        with connection.cursor() as cur:
            cur.execute(sql)

    return SimpleNamespace(connection=connection, execute=execute)


def test_the_migration_rekeys_a_chain_written_with_the_old_function(db):
    write(30)
    rechain(1, plain_sha256, prev=audit.GENESIS)  # as the table was before core 0004
    assert not audit.verify().ok
    migration.forwards(django_apps, _old_schema_editor())
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked == 30
    audit.record(action="after")  # and the chain goes on
    assert audit.verify().ok


def rekey_past_the_trigger() -> bool:
    """migration.rekey_chain with the table's trigger out of the way, as forwards() has it
    (here by the replica role: ALTER TABLE cannot run inside the test's transaction)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if postgres:
            cur.execute("SET LOCAL session_replication_role = replica")
        try:
            return migration.rekey_chain(AuditEntry, AuditChainHead, AuditAnchor, audit.audit_key())
        finally:
            if postgres:
                cur.execute("SET LOCAL session_replication_role = origin")


def test_the_migration_keeps_an_old_anchor_verifiable(db):
    now = timezone.now()
    write(10, at=now - dt.timedelta(days=400))
    rechain(1, plain_sha256, prev=audit.GENESIS)
    # An old purge of rows 1..4: the anchor holds row 4's old hash.
    row4 = AuditEntry.objects.get(seq=4)
    AuditAnchor.objects.create(seq=4, hash=row4.hash, purged=4, cutoff=now)
    tamper("DELETE FROM core_auditentry WHERE seq <= %s", [4])
    ok = rekey_past_the_trigger()
    assert ok
    anchor = AuditAnchor.objects.get()
    assert anchor.hash == audit.anchor_hash(row4.hash)
    result = audit.verify()
    assert result.ok, result.problems
    assert result.start_seq == 5
    # A deletion at the start of the kept chain is still found.
    tamper("DELETE FROM core_auditentry WHERE seq = %s", [5])
    assert [p.kind for p in audit.verify().problems] == ["missing"]


def test_the_migration_rehashes_a_chain_that_did_not_verify_and_says_so(db):
    rows = write(5)
    rechain(1, plain_sha256, prev=audit.GENESIS)
    tamper("UPDATE core_auditentry SET username = %s WHERE id = %s", ["forger", rows[2].pk])
    ok = rekey_past_the_trigger()
    assert not ok
    assert audit.verify().ok  # rehashed all the same (docs/security.md)
