"""The audit trail: append, verify, purge. Call `record` inside the transaction of the act
it records.

Every row is a link of one hash chain. A writer locks the chain head (one row, `SELECT …
FOR UPDATE`; SQLite serialises writers anyway), takes the next sequence number and the
previous row's hash, and stores `hash = HMAC-SHA256(key, prev_hash + "\n" + canonical
content)`. The key (`audit_key()`) is not in the database: without it nobody can compute
a valid hash for a changed row, so rewriting a row and every later hash is found. Changing
any field of a row breaks its own hash; deleting a row leaves a gap in `seq` and breaks
the next row's `prev_hash`; deleting the newest rows leaves the head pointing past the
end. `verify()` finds each case and names the row.

A purge deletes a prefix of the chain (rows older than the retention) and first records an
`AuditAnchor` with the last purged row's place and hash, where verification then starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpRequest

from pingan.core import clock
from pingan.core.clientaddr import client_address
from pingan.core.models import AuditAnchor, AuditChainHead, AuditEntry

GENESIS = "0" * 64


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: behind a trusted proxy the one it names (core.clientaddr)."""
    return client_address(request)


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    username: str,
    action: str,
    object_type: str,
    object_id: str,
    result: str,
    ip: str | None,
    detail: Any,
) -> bytes:
    """The bytes a row's hash covers: every field but the hashes, in a fixed form."""
    body = [seq, _utc(at), actor_id, username, action, object_type, object_id, result,
            ip or "", detail]  # fmt: skip
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def audit_key() -> bytes:
    """The chain's HMAC key: PINGAN_AUDIT_KEY, required in production (PINGAN_ENV=production);
    elsewhere derived from SECRET_KEY (as pii.py derives its keys, for another purpose)."""
    raw = (getattr(settings, "PINGAN_AUDIT_KEY", "") or "").strip()
    if raw:
        return raw.encode()
    if bool(getattr(settings, "PRODUCTION", False)):
        raise ImproperlyConfigured("PINGAN_AUDIT_KEY must be set when PINGAN_ENV=production")
    from pingan.core.pii import _derived

    return _derived("audit-chain")


def chain_hash(prev_hash: str, content: bytes, key: bytes | None = None) -> str:
    """HMAC-SHA256 under the audit key of the previous hash, a newline and the content."""
    k = audit_key() if key is None else key
    return hmac.new(k, prev_hash.encode() + b"\n" + content, hashlib.sha256).hexdigest()


def anchor_hash(old_hash: str, key: bytes | None = None) -> str:
    """What a pre-key anchor's hash becomes (migration core 0004): its purged row is gone
    and cannot be rehashed, so the anchor keeps HMAC(key, old hash) instead."""
    k = audit_key() if key is None else key
    return hmac.new(k, old_hash.encode(), hashlib.sha256).hexdigest()


def entry_hash(entry: AuditEntry, key: bytes | None = None) -> str:
    """The hash `entry` should carry, recomputed from its stored fields."""
    content = canonical(
        seq=entry.seq or 0,
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
    return chain_hash(entry.prev_hash, content, key)


def _head() -> AuditChainHead:
    """The chain head, locked until the end of the current transaction."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record(
    *,
    action: str,
    actor: Any = None,
    username: str = "",
    object_type: str = "",
    object_id: object = "",
    result: str = "ok",
    request: HttpRequest | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one audit row to the chain. `detail` must not hold personal data in plain
    text; it must be JSON (it is stored as it reads back, so the hash survives a reload)."""
    if actor is not None and not hasattr(actor, "get_username"):
        # Not a person (e.g. a 12345 integration authenticated by its key): name it, but
        # never put its primary key in the user column.
        username = username or f"{type(actor).__name__}:{actor}"
        actor = None
    if actor is not None and getattr(actor, "pk", None) is None:
        actor = None
    values = {
        "at": at or clock.now(),
        "actor_id": actor.pk if actor is not None else None,
        "username": (username or (actor.get_username() if actor is not None else ""))[:150],
        "action": action[:64],
        "object_type": object_type[:64],
        "object_id": (str(object_id) if object_id != "" else "")[:64],
        "result": result[:32],
        "ip": ip if ip is not None else client_ip(request),
        "detail": json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
    }
    key = audit_key()  # before the lock: a missing production key fails early
    with transaction.atomic():
        head = _head()
        seq = head.seq + 1
        prev = head.hash or GENESIS
        digest = chain_hash(prev, canonical(seq=seq, **values), key)
        entry = AuditEntry.objects.create(seq=seq, prev_hash=prev, hash=digest, **values)
        AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return entry


def record_admin_log(sender: type, instance: Any, created: bool = False, **_: Any) -> None:
    """Copy a Django admin LogEntry (add, change, delete in the back office) into the trail."""
    if not created:
        return
    kinds = {1: "add", 2: "change", 3: "delete"}
    ct = instance.content_type
    record(
        action=f"admin.{kinds.get(instance.action_flag, 'change')}",
        actor=instance.user,
        object_type=f"{ct.app_label}.{ct.model}" if ct else "",
        object_id=instance.object_id or "",
        detail={"change": instance.get_change_message()[:500]},  # no object name: personal data
    )


# ---- verification ----------------------------------------------------------------------


@dataclass
class Problem:
    kind: str  # changed | missing | unchained | head
    message: str
    entry_id: int | None = None
    seq: int | None = None


@dataclass
class Verification:
    checked: int = 0
    start_seq: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows() -> Iterator[AuditEntry]:
    qs = AuditEntry.objects.filter(seq__isnull=False).order_by("seq")
    last = None
    while True:
        page = list((qs.filter(seq__gt=last) if last is not None else qs)[:2000])
        if not page:
            return
        yield from page
        last = page[-1].seq


def verify(*, limit_problems: int = 50) -> Verification:
    """Recompute the whole chain from the newest anchor (or the start) to the head."""
    result = Verification()
    key = audit_key()
    anchor = AuditAnchor.objects.order_by("-seq").first()
    expected_seq = (anchor.seq if anchor else 0) + 1
    prev_hash = anchor.hash if anchor else GENESIS
    result.start_seq = expected_seq
    unchained = AuditEntry.objects.filter(seq__isnull=True).values_list("pk", flat=True)[:10]
    for pk in unchained:
        result.problems.append(
            Problem("unchained", f"审计记录 id={pk} 不在哈希链中（无序号）", entry_id=pk)
        )
    for entry in _rows():
        result.checked += 1
        seq = entry.seq or 0  # _rows() yields chained rows only
        if seq < expected_seq:
            continue  # older than the anchor: kept past a purge, not part of the chain
        if seq > expected_seq:
            first, last = expected_seq, seq - 1
            span = f"#{first}" if first == last else f"#{first}–#{last}"
            result.problems.append(
                Problem(
                    "missing",
                    f"审计记录序号 {span} 已被删除（缺失于 id={entry.pk} 之前）",
                    entry_id=entry.pk,
                    seq=first,
                )
            )
        elif entry.prev_hash != prev_hash:
            result.problems.append(
                Problem(
                    "changed",
                    f"审计记录 #{entry.seq}（id={entry.pk}）的前序摘要不符：前一条被改动或删除",
                    entry_id=entry.pk,
                    seq=entry.seq,
                )
            )
        if entry_hash(entry, key) != entry.hash:
            result.problems.append(
                Problem(
                    "changed",
                    f"审计记录 #{entry.seq}（id={entry.pk}）内容已被改动",
                    entry_id=entry.pk,
                    seq=entry.seq,
                )
            )
        # Continue from the stored hash so that one changed row is reported once.
        prev_hash = entry.hash
        expected_seq = seq + 1
        if len(result.problems) >= limit_problems:
            return result
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq >= expected_seq:
        first, last = expected_seq, head.seq
        span = f"#{first}" if first == last else f"#{first}–#{last}"
        result.problems.append(Problem("missing", f"链尾审计记录序号 {span} 已被删除", seq=first))
    elif head is not None and head.seq and head.hash != prev_hash:
        result.problems.append(
            Problem("head", f"审计链尾摘要与最后一条记录 #{head.seq} 不符", seq=head.seq)
        )
    return result


# ---- retention ---------------------------------------------------------------------------


def retention_days() -> int:
    """Days audit rows are kept: the setting, never less than 183 (GB/T 22239: six months)."""
    return max(183, int(getattr(settings, "PINGAN_AUDIT_RETENTION_DAYS", 183)))


def purge(*, now: dt.datetime | None = None, actor: str = "system") -> int:
    """Delete the oldest rows that are past the retention, keeping the chain verifiable.

    Deletes the longest prefix of the chain whose rows are all older than the cutoff (a
    newer row stops the purge: the chain is never cut in the middle), after writing an
    anchor with the last purged row's place and hash. Records the purge in the audit log.
    """
    cutoff = (now or clock.now()) - dt.timedelta(days=retention_days())
    with transaction.atomic():
        _head()  # no writer appends while the prefix is cut
        first_young = (
            AuditEntry.objects.filter(seq__isnull=False, at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        old = AuditEntry.objects.filter(seq__isnull=False)
        if first_young is not None:
            old = old.filter(seq__lt=first_young)
        last = old.order_by("-seq").values("seq", "hash").first()
        if last is None or last["seq"] is None:
            return 0
        count = old.count()
        AuditAnchor.objects.create(
            seq=last["seq"], hash=last["hash"], purged=count, cutoff=cutoff, actor=actor
        )
        with _purge_allowed():
            old.delete()
        record(
            action="audit.purge",
            username=actor,
            object_type="audit",
            detail={"purged": count, "through_seq": last["seq"], "cutoff": _utc(cutoff)},
        )
    return count


class _purge_allowed:
    """On PostgreSQL the audit table's trigger refuses deletes unless the transaction says
    it is a purge (and then only of rows older than the retention)."""

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('pingan.audit_purge', 'on', true)")

    def __exit__(self, *exc: object) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('pingan.audit_purge', 'off', true)")
