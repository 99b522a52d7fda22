"""The audit trail is a hash chain: a changed or deleted row is found and named."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from pingan.conftest import on_postgres
from pingan.core import audit
from pingan.core.models import AuditAnchor, AuditEntry


def write(n: int, **kwargs) -> list[AuditEntry]:
    return [
        audit.record(action="test.act", username=f"u{i}", detail={"i": i, "名": "值"}, **kwargs)
        for i in range(n)
    ]


def tamper(sql: str, params: list) -> None:
    """Change the table as someone with database owner rights would, past the trigger."""
    with connection.cursor() as cur:
        if on_postgres():
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params)
        if on_postgres():
            cur.execute("SET LOCAL session_replication_role = origin")


def verify_output() -> tuple[bool, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as err:
        return False, out.getvalue() + str(err)
    return True, out.getvalue()


def test_rows_are_chained_in_order(db):
    rows = write(3)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == audit.GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    ok, out = verify_output()
    assert ok, out
    assert "共 3 条" in out


def test_a_chain_survives_reloading_from_the_database(db):
    audit.record(action="x", detail={"float": 1.5, "list": [1, "二"], "nested": {"b": 1, "a": 2}})
    entry = AuditEntry.objects.get()
    assert audit.entry_hash(entry) == entry.hash


def test_changing_one_row_is_found_and_named(db):
    rows = write(5)
    tamper("UPDATE core_auditentry SET username = %s WHERE id = %s", ["someone-else", rows[2].pk])
    ok, out = verify_output()
    assert not ok
    assert f"#3（id={rows[2].pk}）内容已被改动" in out
    # Only that row is reported: the rows after it still chain to its stored hash.
    assert out.count("内容已被改动") == 1


def test_changing_the_detail_or_time_is_found(db):
    rows = write(3)
    tamper("UPDATE core_auditentry SET result = %s WHERE id = %s", ["ok-forged", rows[0].pk])
    tamper(
        "UPDATE core_auditentry SET at = %s WHERE id = %s",
        [rows[1].at - dt.timedelta(seconds=1), rows[1].pk],
    )
    result = audit.verify()
    assert {p.entry_id for p in result.problems if p.kind == "changed"} == {rows[0].pk, rows[1].pk}


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link(db):
    rows = write(3)
    forged = AuditEntry.objects.get(pk=rows[1].pk)
    forged.username = "forger"
    tamper(
        "UPDATE core_auditentry SET username = %s, hash = %s WHERE id = %s",
        ["forger", audit.entry_hash(forged), rows[1].pk],
    )
    result = audit.verify()
    assert [(p.kind, p.entry_id) for p in result.problems] == [("changed", rows[2].pk)]
    assert "前序摘要不符" in result.problems[0].message


def test_deleting_a_row_in_the_middle_is_found_and_named(db):
    rows = write(5)
    tamper("DELETE FROM core_auditentry WHERE id = %s", [rows[1].pk])
    ok, out = verify_output()
    assert not ok
    assert f"审计记录序号 #2 已被删除（缺失于 id={rows[2].pk} 之前）" in out


def test_deleting_the_newest_rows_is_found(db):
    rows = write(4)
    tamper("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [rows[2].pk, rows[3].pk])
    ok, out = verify_output()
    assert not ok
    assert "链尾审计记录序号 #3–#4 已被删除" in out


def test_deleting_the_first_row_is_found(db):
    rows = write(3)
    tamper("DELETE FROM core_auditentry WHERE id = %s", [rows[0].pk])
    result = audit.verify()
    assert [p.kind for p in result.problems] == ["missing"]
    assert "#1" in result.problems[0].message


def test_the_model_refuses_updates_and_deletes(db):
    entry = audit.record(action="x")
    entry.username = "y"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_purge_keeps_183_days_and_the_chain_verifiable(db, settings):
    settings.PINGAN_AUDIT_RETENTION_DAYS = 30  # below the floor: 183 days still kept
    now = timezone.now()
    old = [audit.record(action="old", at=now - dt.timedelta(days=200 - i)) for i in range(3)]
    kept = audit.record(action="kept", at=now - dt.timedelta(days=100))
    young = audit.record(action="young", at=now - dt.timedelta(days=1))
    assert audit.purge(now=now) == 3
    assert not AuditEntry.objects.filter(pk__in=[o.pk for o in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[kept.pk, young.pk]).count() == 2
    anchor = AuditAnchor.objects.get()
    assert (anchor.seq, anchor.hash, anchor.purged) == (old[-1].seq, old[-1].hash, 3)
    assert AuditEntry.objects.filter(action="audit.purge").exists()  # the purge is audited
    ok, out = verify_output()
    assert ok, out
    # And a deletion at the new start of the chain is still found.
    tamper("DELETE FROM core_auditentry WHERE id = %s", [kept.pk])
    assert [p.kind for p in audit.verify().problems] == ["missing"]


def test_purge_never_cuts_the_chain_in_the_middle(db):
    now = timezone.now()
    audit.record(action="old", at=now - dt.timedelta(days=300))
    audit.record(action="replayed-late", at=now - dt.timedelta(days=10))
    audit.record(action="old-again", at=now - dt.timedelta(days=300))
    assert audit.purge(now=now) == 1
    assert audit.verify().ok


@pytest.mark.skipif(
    not on_postgres(), reason="the SQLite test database is in memory (shared cache, no waiting)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(10):
                audit.record(action="concurrent", username=f"w{k}", detail={"i": i})
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = sorted(AuditEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 41))
    assert audit.verify().ok


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL privileges and triggers")
def test_on_postgres_the_trigger_refuses_update_and_delete(db):
    entry = audit.record(action="x")
    for sql in (
        "UPDATE core_auditentry SET username = 'y' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [entry.pk])


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL privileges and triggers")
def test_on_postgres_a_restricted_role_cannot_update_or_delete(db):

    role = f"pingan_app_{uuid.uuid4().hex[:10]}"
    entry = audit.record(action="x")
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}" NOLOGIN')
        try:
            cur.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
            cur.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            call_command("audit", "revoke", "--role", role)
            cur.execute(f'SET LOCAL ROLE "{role}"')
            cur.execute("SELECT count(*) FROM core_auditentry")
            assert cur.fetchone()[0] == 1
            for sql in (
                "UPDATE core_auditentry SET username = 'y' WHERE id = %s",
                "DELETE FROM core_auditentry WHERE id = %s",
                "TRUNCATE core_auditentry",
            ):
                with pytest.raises(Exception, match="permission denied"), transaction.atomic():
                    cur.execute(sql, [entry.pk] if "%s" in sql else None)
            # Still allowed to append through the application.
            audit.record(action="y")
            cur.execute("RESET ROLE")
        finally:
            cur.execute("RESET ROLE")
            cur.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')
            cur.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{role}"')
            cur.execute(f'DROP ROLE "{role}"')
    assert audit.verify().ok


def test_revoke_prints_the_sql(db, capsys):
    call_command("audit", "revoke", "--role", "pingan_app", "--print")
    out = capsys.readouterr().out
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON core_auditentry FROM "pingan_app";' in out
    assert 'GRANT SELECT, INSERT ON core_auditentry TO "pingan_app";' in out
    with pytest.raises(ValueError):
        call_command("audit", "revoke", "--role", "x; DROP TABLE y", "--print")


def test_seq_is_unique(db):
    audit.record(action="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(action="y", seq=1)


def test_purge_and_verify_tasks(db):
    from pingan.core import tasks

    audit.record(action="old", at=timezone.now() - dt.timedelta(days=400))
    audit.record(action="new")
    assert tasks.audit_purge.enqueue().return_value == 1
    assert tasks.audit_verify.enqueue().return_value["ok"] is True
