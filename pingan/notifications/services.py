"""Writes of the notifications app: inbox rows, the outbox of e-mail, webhook and SMS
deliveries, their sending with retries, read marks, and long-term tracking reminders.

Every message has a `cause` (a timeline row and the recipient, or a tracking check);
inbox rows and deliveries are unique per cause, so nothing is created or sent twice.

Other apps tell people through two public functions: `users_tell` (these users: inbox and
e-mail) and `reporter_tell` (the citizen who reported an event without an account: SMS).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import clock, pii
from pingan.core.errors import Invalid
from pingan.core.mute import is_muted, muted  # noqa: F401 (re-exported)
from pingan.events import deadlines as event_deadlines
from pingan.events import workflow
from pingan.events.choices import Status, TrackingStatus, Urgency
from pingan.events.models import Event, EventTransition, TrackingCheck
from pingan.events.partitions import key_q
from pingan.events.workflow import ACTION_LABELS, action_label
from pingan.notifications import recipients, sms
from pingan.notifications.models import Delivery, Notification, WebhookEndpoint

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_S = 5
CLAIM_FOR = dt.timedelta(minutes=5)
BACKOFF_BASE_S = 60
BACKOFF_MAX_S = 6 * 3600
BATCH = 500
NO_GATEWAY = "未配置短信网关（PINGAN_SMS_GATEWAY_URL），未发送"
NOTHING_TO_SEND = "摘要中已没有通知（接收人已删除），未发送"

# ---- muting (the demo generator replays history without notifying anyone) -------------
# `muted` and `is_muted` live in pingan.core.mute (the events app reads the flag too).

# ---- texts ------------------------------------------------------------------------------


def _title_prefix(action: str, variant: str) -> str:
    titles = {
        "report": _("新事件待受理"),
        "escalate": _("提级事件待受理"),
        "auto_escalate": _("超期事件已自动提级"),
        "dispatch": _("新派遣待签收"),
        "accept_dispatch": _("新派遣待签收"),
        "return": _("事件被退回"),
        "extend": _("延期申请待审批"),
        "decide_extension": _("延期申请已审批"),
        "verify": _("核查不通过，请重新办理"),
        "reopen": _("事件重办"),
        "supervise": _("督办"),
        "reply_supervision": _("督办已回复"),
        "reassign": _("事件改派"),
        "add_assist": _("新增协办待签收"),
        "remove_assist": _("协办已撤销"),
        "consult": _("会商邀请"),
        "remind": _("催办"),
        "resolve": _("事件已办结反馈，待核查"),
        "warning": _("事件临期预警"),
        "overdue": _("事件已超期"),
        "merged_in": _("重复件已并入您上报的事件"),
    }
    return titles.get(action) or action_label(action)


def _title(prefix: str, event: Event) -> str:
    return f"{prefix}：{event.code} {event.title}"[:200]


def event_link(event_id: int) -> str:
    """The address of an event's page (absolute when settings.PINGAN_SITE_URL is set)."""
    try:
        path = reverse("event_detail", args=[event_id])
    except NoReverseMatch:
        path = f"/events/{event_id}/"
    return getattr(settings, "PINGAN_SITE_URL", "").rstrip("/") + path


# ---- grouping (the inbox shows groups, not rows) ----------------------------------------

# Kinds that arrive by the dozen at a busy centre: a dispatcher's inbox rolls the normal
# ones up into one item per kind and hour ("新事件待受理 42 件"). 紧急/特急 events stay
# individual (grouped with the other notifications about the same matter).
DIGEST_KINDS = frozenset({"report", "escalate"})


def group_key(*, kind: str, event: Event | None, at: dt.datetime) -> str:
    """The inbox group of a notification: the hour's digest of its kind for a normal
    event of a digest kind ("report@2026120609", local time), else its matter
    ("e<event id>"), else its kind and day."""
    if event is not None and kind in DIGEST_KINDS and event.urgency == Urgency.NORMAL:
        return f"{kind}@{timezone.localtime(at):%Y%m%d%H}"
    if event is not None:
        return f"e{event.pk}"
    return f"{kind}@{timezone.localtime(at):%Y%m%d}"[:60]


def is_digest(key: str) -> bool:
    """Whether a group key names an hour's digest of a kind (not a matter)."""
    return "@" in key and key.split("@", 1)[0] in DIGEST_KINDS


def digest_kind(key: str) -> str:
    return key.split("@", 1)[0]


def group_title(kind: str) -> str:
    """The words that open a digest's title ("新事件待受理")."""
    return _title_prefix(kind, "")


# ---- e-mail digests (the e-mail follows the inbox's grouping) ----------------------------

DIGEST_CAUSE = "digest:"
# A digest e-mail lists at most this many matters; the rest are counted ("另有 N 件").
DIGEST_MAX_LINES = 50


def digest_due(at: dt.datetime) -> dt.datetime:
    """When the hour's digest holding a notification made at `at` is sent: the end of
    that local hour (the window of `group_key`)."""
    hour = timezone.localtime(at).replace(minute=0, second=0, microsecond=0)
    return hour + dt.timedelta(hours=1)


def _digest_delivery(user: Any, group: str, at: dt.datetime) -> Delivery:
    """The user's one e-mail for an hour's digest: made by the group's first notification
    (the others find it by its cause), sent when the hour is over; its text is written
    then, from the inbox rows of the group (`_digest_mail`)."""
    return Delivery(
        channel=Delivery.Channel.EMAIL,
        target=user.email,
        cause=f"{DIGEST_CAUSE}{group}:u{user.pk}"[:100],
        payload={"digest": group, "user": user.pk},
        next_attempt_at=digest_due(at),
    )


def _digest_mail(group: str, user_id: int) -> dict[str, str] | None:
    """Subject and body of a digest e-mail: the matters of the group (code, title, link),
    the newest last, nothing else about them (no reporter, no note). One matter alone is
    told as its own e-mail would have been, title and link. None when the group holds
    nothing any more (the recipient was removed)."""
    rows = list(
        Notification.objects.filter(recipient_id=user_id, group_key=group)
        .select_related("event")
        .order_by("created_at", "id")
    )
    if not rows:
        return None
    if len(rows) == 1:
        only = rows[0]
        link = event_link(only.event_id) if only.event_id else ""
        return {"subject": only.title, "body": link or only.title}
    subject = _("%(kind)s %(n)d 件") % {"kind": group_title(digest_kind(group)), "n": len(rows)}
    lines = [
        f"{n.event.code} {n.event.title}\n{event_link(n.event.pk)}"
        for n in rows[:DIGEST_MAX_LINES]
        if n.event is not None
    ]
    if len(rows) > DIGEST_MAX_LINES:
        lines.append(_("另有 %(n)d 件，请到平台查看。") % {"n": len(rows) - DIGEST_MAX_LINES})
    return {"subject": subject, "body": "\n\n".join(lines)}


# ---- creating messages ----------------------------------------------------------------


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return

    def enqueue() -> None:
        from pingan.notifications.tasks import deliver

        for pk in delivery_ids:
            try:
                deliver.enqueue(pk)
            except Exception:
                log.exception("could not enqueue delivery %s", pk)

    transaction.on_commit(enqueue)


def _notify(
    users: Iterable[Any],
    *,
    cause_of: Any,
    event: Event | None,
    kind: str,
    title: str,
    body: str,
    at: dt.datetime,
) -> list[Delivery]:
    """Inbox rows (and e-mail deliveries for users with an address), once per cause, each
    in its inbox group (`group_key`). The e-mail follows the group: a digest's
    notifications share one e-mail sent when its hour is over; the others (a matter's,
    every 紧急/特急 one) go at once."""
    rows = []
    emails = []
    group = group_key(kind=kind, event=event, at=at)
    digest = is_digest(group)
    for user in users:
        cause = cause_of(user)
        rows.append(
            Notification(
                recipient=user,
                event=event,
                kind=kind,
                title=title,
                body=body,
                cause=cause,
                created_at=at,
                group_key=group,
            )
        )
        if user.email and digest:
            # The hour's digest of its kind: one e-mail when the hour is over.
            emails.append(_digest_delivery(user, group, at))
        elif user.email:
            link = event_link(event.pk) if event is not None else ""
            emails.append(
                Delivery(
                    channel=Delivery.Channel.EMAIL,
                    target=user.email,
                    cause=cause,
                    payload={"subject": title, "body": "\n\n".join(x for x in (body, link) if x)},
                    next_attempt_at=at,
                )
            )
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return emails


def _webhooks(event: Event, action: str, transition: EventTransition) -> list[Delivery]:
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True).order_by("pk")
        if not e.actions or action in e.actions
    ]
    if not endpoints:
        return []
    label = ACTION_LABELS.get(action, action)
    payload = {
        "event_id": event.pk,
        "code": event.code,
        "title": event.title,
        "action": action,
        "action_label": label,
        "status": event.status,
        "status_label": str(Status(event.status).label),
        "time": transition.at.isoformat(),
        "link": event_link(event.pk),
        "text": f"【{label}】{event.code} {event.title}",
    }
    return [
        Delivery(
            channel=Delivery.Channel.WEBHOOK,
            target=str(e.pk),
            cause=f"t{transition.pk}",
            payload=payload,
            next_attempt_at=transition.at,
        )
        for e in endpoints
    ]


def _store_deliveries(deliveries: list[Delivery]) -> None:
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    causes = {d.cause for d in deliveries}
    # A digest is due when its hour is over: the sweep sends it (`send_pending`), a task
    # now would find nothing to do.
    ids = list(
        Delivery.objects.filter(
            cause__in=causes,
            state=Delivery.State.PENDING,
            attempts=0,
            next_attempt_at__lte=clock.now(),
        ).values_list("pk", flat=True)
    )
    _enqueue_on_commit(ids)


def users_tell(
    *,
    users: Iterable[Any],
    event: Event | None,
    kind: str,
    title: str,
    cause: str,
    body: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Tell these users about this event: an inbox row each and an e-mail to those with an
    address (sent after commit), once per cause and user (cause "<cause>:u<user id>");
    returns how many users were asked for. Nothing inside `muted()`."""
    if is_muted():
        return 0
    users = list(users)
    with transaction.atomic():
        emails = _notify(
            users,
            cause_of=lambda u: f"{cause}:u{u.pk}",
            event=event,
            kind=kind,
            title=title[:200],
            body=body,
            at=at or clock.now(),
        )
        _store_deliveries(emails)
    return len(users)


# Timeline actions that can be news for a citizen reporter (the rest never are).
NEWS_ACTIONS = frozenset(
    {"merge", "merged_in"}
    | {t.action for t in workflow.TABLE if t.target in (Status.CLOSED, Status.REJECTED)}
)


def reporter_news(transition: EventTransition, event_id: int | None = None) -> str:
    """What a timeline row means for the citizen who reported event `event_id` (default:
    the row's own event): merged into another matter, another matter merged into theirs,
    closed, not taken in; for an event merged into the row's event, that matter closed;
    "" for anything else."""
    closes = transition.to_status == Status.CLOSED and transition.from_status != Status.CLOSED
    if event_id is not None and event_id != transition.event_id:
        return sms.NEWS_MASTER_CLOSED if closes else ""
    if transition.action == "merge":
        return sms.NEWS_MERGED
    if transition.action == "merged_in":
        return sms.NEWS_MERGED_IN
    if closes:
        return sms.NEWS_CLOSED
    if transition.to_status == Status.REJECTED and transition.from_status != Status.REJECTED:
        return sms.NEWS_REJECTED
    return ""


def news_events(*, event_id: int, transition_id: int | None) -> list[int]:
    """The events whose reporters a timeline row of `event_id` may be news for: the event
    itself and, when the row closes it, the events merged into it (their reporters were
    told their matter goes on as this one)."""
    if transition_id is None:
        return [event_id]
    closing = EventTransition.objects.filter(
        pk=transition_id, event_id=event_id, to_status=Status.CLOSED
    ).exclude(from_status=Status.CLOSED)
    if not closing.exists():
        return [event_id]
    merged = Event.objects.filter(master_id=event_id, status=Status.MERGED).order_by("pk")
    return [event_id, *merged.values_list("pk", flat=True)]


def _mobile(phone: str) -> str:
    """The 11-digit mainland mobile number in `phone`, or "" (landlines get no SMS)."""
    try:
        return pii.validate_phone(phone, mobile_only=True)
    except Invalid:
        return ""


def _site_link(path: str) -> str:
    site = (getattr(settings, "PINGAN_SITE_URL", "") or "").rstrip("/")
    if not path or path.startswith(("http://", "https://")):
        return path
    return site + path if site else ""


def reporter_tell(
    *, event_id: int, transition_id: int | None, ref: str, track_path: str = ""
) -> Delivery | None:
    """Tell the citizen who reported the event without an account what a timeline row
    means for them (see `reporter_news`), by SMS to the event's reporter phone; `ref` is
    how the citizen knows the matter ("查询码AB23CD45", "工单号…"), `track_path` where a
    closed matter is followed and rated. Once per row (cause "t<row id>"). None for other
    rows, without a mobile number, or inside `muted()`. Without a gateway the message is
    stored as unsent, not dropped."""
    if is_muted() or transition_id is None:
        return None
    transition = EventTransition.objects.filter(pk=transition_id).first()
    if transition is None:
        return None
    # The event by its key (one partition planned), not joined to the row: the row's own
    # event, or the event merged into it whose reporter is told.
    event: Event | None = Event.objects.filter(key_q(pk=event_id)).first()
    if event is not None and transition.event_id == event_id:
        transition.event = event
    if event is None or (
        event.pk != transition.event_id and event.master_id != transition.event_id
    ):
        return None
    if transition.event_id != event_id:
        master = Event.objects.filter(key_q(pk=transition.event_id)).first()
        if master is None:
            return None
        transition.event = master
    news = reporter_news(transition, event_id)
    phone = _mobile(event.reporter_phone) if news else ""
    if not phone:
        return None
    rate_at = ""
    if news == sms.NEWS_CLOSED and track_path:
        rate_at = _site_link(track_path) or _("“群众随手拍”页面")
    master_code = (transition.data or {}).get("master_code", "")
    if news == sms.NEWS_MASTER_CLOSED:
        master_code = transition.event.code
    text = sms.text_for(
        news,
        ref=ref,
        master_code=master_code,
        rate_at=rate_at,
        # Why it was not taken in: the public reply only, never the internal note.
        reason=pii.mask_in_text(transition.public_reply) if news == sms.NEWS_REJECTED else "",
    )
    delivery = Delivery(
        channel=Delivery.Channel.SMS,
        target=f"e{event_id}",
        cause=f"t{transition.pk}",
        phone=phone,
        payload={"text": text, "news": news, "event_id": event_id},
        next_attempt_at=transition.at,
    )
    configured = sms.gateway_configured()
    if not configured:
        delivery.state = Delivery.State.UNSENT
        delivery.last_error = NO_GATEWAY
    with transaction.atomic():
        Delivery.objects.bulk_create([delivery], ignore_conflicts=True)
        row = Delivery.objects.get(
            cause=delivery.cause, channel=delivery.channel, target=delivery.target
        )
        if configured and row.state == Delivery.State.PENDING and row.attempts == 0:
            _enqueue_on_commit([row.pk])
    return row


def _body(event: Event, action: str, transition: EventTransition) -> str:
    """The note of a timeline row; for an extension, first the days asked or granted, in
    the event's own days (自然日 on natural time, else 工作日)."""
    days = (transition.data or {}).get("days")
    if action not in ("extend", "decide_extension") or not isinstance(days, int):
        return transition.note
    text = _("延期 %(n)d 个%(unit)s") % {"n": days, "unit": event_deadlines.day_word(event)}
    return "\n".join(x for x in (text, transition.note) if x)


def notify_event_change(
    *, event_id: int, action: str, transition_id: int | None, variant: str = ""
) -> int:
    """Create the inbox rows, e-mails and webhook deliveries for one timeline row; returns
    how many inbox rows were asked for. Running it twice for one row changes nothing."""
    if is_muted():
        return 0
    event = (
        Event.objects.select_related("queue_region", "category").filter(key_q(pk=event_id)).first()
    )
    if event is None:
        return 0
    transition = None
    if transition_id is not None:
        transition = EventTransition.objects.filter(pk=transition_id).first()
    elif action == "report":
        transition = event.timeline.filter(action="report").order_by("id").first()
    if transition is None:
        return 0
    users = recipients.recipients_for(event, action, variant, transition)
    prefix = _title_prefix(action, variant)
    if recipients.reaches_verification(action, variant, transition):
        # Whichever row completed the result (the lead's, the last assisting part's).
        prefix = _("事件已办结反馈，待核查")
    if action == "merge":
        master_code = (transition.data or {}).get("master_code", "")
        prefix = _("您上报的事件已并入%(code)s") % {"code": master_code}
    with transaction.atomic():
        emails = _notify(
            users,
            cause_of=lambda u: f"t{transition.pk}:u{u.pk}",
            event=event,
            kind=action,
            title=_title(prefix, event),
            body=_body(event, action, transition),
            at=transition.at,
        )
        _store_deliveries(emails + _webhooks(event, action, transition))
    return len(users)


def tracking_reminders(*, now: dt.datetime | None = None) -> int:
    """Tell each assignee of a pending re-check that has come due (once per check:
    cause "track<check id>"); returns how many were told."""
    if is_muted():
        return 0
    now = now or clock.now()
    today = timezone.localdate(now)
    total = 0
    last = 0
    while True:
        checks = list(
            TrackingCheck.objects.filter(
                pk__gt=last,
                status=TrackingStatus.PENDING,
                due_on__lte=today,
                assignee__isnull=False,
                assignee__is_active=True,
            )
            .annotate(c=Concat(Value("track"), Cast("pk", CharField())))
            .exclude(Exists(Notification.objects.filter(cause=OuterRef("c"))))
            .select_related("event", "assignee")
            .order_by("pk")[:BATCH]
        )
        if not checks:
            return total
        last = checks[-1].pk
        with transaction.atomic():
            emails: list[Delivery] = []
            for check in checks:
                emails += _notify(
                    [check.assignee],
                    cause_of=lambda u, c=check: f"track{c.pk}",
                    event=check.event,
                    kind="track_due",
                    title=_title(_("跟踪复查到期"), check.event),
                    body=_("请于%(day)s前后对该事件进行第%(n)s天跟踪复查。")
                    % {"day": check.due_on.isoformat(), "n": check.interval_days},
                    at=now,
                )
            _store_deliveries(emails)
        total += len(checks)


# ---- sending --------------------------------------------------------------------------


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S))


def webhook_signature(secret: str, body: bytes) -> str:
    """The value of the X-Pingan-Signature header: "sha256=" + HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post_webhook(delivery: Delivery) -> None:
    endpoint = WebhookEndpoint.objects.filter(pk=int(delivery.target)).first()
    if endpoint is None or not endpoint.is_active:
        raise RuntimeError("webhook endpoint removed or disabled")
    if urllib.parse.urlsplit(endpoint.url).scheme not in ("http", "https"):
        raise ValueError("webhook URL must be http or https")
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Pingan-Webhook/1",
        "X-Pingan-Delivery": str(delivery.pk),
        "X-Pingan-Cause": delivery.cause,
    }
    if endpoint.secret:
        headers["X-Pingan-Signature"] = webhook_signature(endpoint.secret, body)
    request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise RuntimeError(f"HTTP {response.status}")


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        send_mail(
            delivery.payload.get("subject", ""),
            delivery.payload.get("body", ""),
            None,
            [delivery.target],
            fail_silently=False,
        )
    elif delivery.channel == Delivery.Channel.WEBHOOK:
        _post_webhook(delivery)
    elif delivery.channel == Delivery.Channel.SMS:
        sms.gateway_send(
            phone=delivery.phone,
            text=delivery.payload.get("text", ""),
            message_id=f"pingan-{delivery.pk}",
        )
    else:
        raise ValueError(f"unknown channel {delivery.channel!r}")


def _due_q(now: dt.datetime) -> Q:
    return Q(
        state__in=[Delivery.State.PENDING, Delivery.State.SENDING], next_attempt_at__lte=now
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def delivery_send(*, delivery_id: int) -> bool:
    """Claim the delivery (a conditional UPDATE: only one worker wins), send it and record
    the outcome; True only when this call sent it. A failure is retried later with
    exponential backoff, and given up after settings.PINGAN_NOTIFY_MAX_ATTEMPTS."""
    now = clock.now()
    claim = now + CLAIM_FOR
    won = Delivery.objects.filter(_due_q(now), pk=delivery_id).update(
        state=Delivery.State.SENDING, claimed_until=claim
    )
    if not won:
        return False
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.channel == Delivery.Channel.SMS and not sms.gateway_configured():
        # The gateway was removed since the message was queued: keep it, unsent.
        Delivery.objects.filter(pk=delivery_id, claimed_until=claim).update(
            state=Delivery.State.UNSENT, claimed_until=None, last_error=NO_GATEWAY
        )
        return False
    if delivery.channel == Delivery.Channel.EMAIL and "digest" in delivery.payload:
        # Written now, from the whole hour; kept on the row as what was sent.
        mail = _digest_mail(delivery.payload["digest"], int(delivery.payload["user"]))
        if mail is None:
            Delivery.objects.filter(pk=delivery_id, claimed_until=claim).update(
                state=Delivery.State.FAILED, claimed_until=None, last_error=NOTHING_TO_SEND
            )
            return False
        delivery.payload = {**delivery.payload, **mail}
        Delivery.objects.filter(pk=delivery_id, claimed_until=claim).update(
            payload=delivery.payload
        )
    error = ""
    try:
        _send(delivery)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:2000] or "error"
    attempts = delivery.attempts + 1
    mine = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.SENDING, claimed_until=claim
    )
    if not error:
        mine.update(
            state=Delivery.State.SENT,
            attempts=attempts,
            sent_at=clock.now(),
            claimed_until=None,
            last_error="",
        )
        return True
    log.warning("delivery %s attempt %s failed: %s", delivery_id, attempts, error)
    if attempts >= settings.PINGAN_NOTIFY_MAX_ATTEMPTS:
        mine.update(
            state=Delivery.State.FAILED, attempts=attempts, claimed_until=None, last_error=error
        )
    else:
        mine.update(
            state=Delivery.State.PENDING,
            attempts=attempts,
            claimed_until=None,
            last_error=error,
            next_attempt_at=clock.now() + _backoff(attempts),
        )
    return False


def delivery_retry(*, ids: list[int]) -> int:
    """Give deliveries that were given up (or SMS kept unsent for want of a gateway) a
    fresh set of attempts, due now; returns how many. Sent ones are never sent again."""
    return Delivery.objects.filter(
        pk__in=ids, state__in=[Delivery.State.FAILED, Delivery.State.UNSENT]
    ).update(
        state=Delivery.State.PENDING, attempts=0, next_attempt_at=clock.now(), claimed_until=None
    )


def send_pending(*, limit: int = 200) -> int:
    """Send deliveries that are due (new, due for a retry, or abandoned by a crashed
    worker), oldest first; returns how many were sent."""
    now = clock.now()
    ids = list(
        Delivery.objects.filter(_due_q(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if delivery_send(delivery_id=pk))


# ---- the inbox --------------------------------------------------------------------------


def notification_mark_read(
    *, user: Any, ids: list[int] | None = None, groups: list[str] | None = None
) -> int:
    """Mark the user's unread notifications read (only `ids` and the rows of `groups`
    when either is given, all when both are None); returns how many changed. Other users'
    notifications are never touched."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None or groups is not None:
        qs = qs.filter(
            Q(pk__in=[int(i) for i in ids or []]) | Q(group_key__in=[g[:60] for g in groups or []])
        )
    return qs.update(read_at=clock.now())
