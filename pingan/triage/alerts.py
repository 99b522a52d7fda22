"""Risk alerts: rules of several conditions, applied to a newly reported event; what the
people told decided (属实 / 误报); each rule's hit rate; a read-only trial of a rule.

A rule holds when all its conditions hold (`AlertRule`); several rules of one signal are
alternatives and an event alerts once per signal. `alerts_check` runs in the task worker
after a report and stays cheap: the event (with its category chain), the active rules and
their categories are three statements; a repeats condition adds one count, asked only
when the rule's other conditions already hold.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, as_actor
from pingan.core import audit, clock
from pingan.core.errors import Forbidden, Invalid, NotFound, invalid
from pingan.events.choices import Status, Urgency
from pingan.events.models import Category, Event, EventTransition
from pingan.events.partitions import key_q, keys_q
from pingan.events.permissions import access_event
from pingan.notifications import services as notify
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.triage.choices import RepeatBy, Signal, Verdict
from pingan.triage.models import Alert, AlertRule

# Keys of an event's `extra` that hold the number of people involved: the categories'
# extra field is "people" (涉及人数, routing.catalogue); the others are accepted from
# imported or hand-made categories.
PEOPLE_KEYS = ("people", "people_count", "人数", "涉及人数")
# Actions after which an alert counts as a real risk when nobody gave a verdict: the
# matter was escalated, supervised (督办) or consulted on (会商).
REAL_ACTIONS = ("escalate", "supervise", "consult")
URGENCY_RANK: dict[str, int] = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.CRITICAL: 2}
DRY_RUN_MAX_DAYS = 90
DRY_RUN_MAX_EVENTS = 5000
# Roles that receive or triage alerts and may mark them 属实 / 误报.
VERDICT_ROLES = (Role.LEADER, Role.DISPATCHER)


def event_text(event: Event) -> str:
    """The text the rules read: title and description."""
    return f"{event.title}\n{event.description}"


@dataclass(frozen=True)
class Match:
    rule: AlertRule
    text: str


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


# ---- rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A rule's conditions, read once (the categories included)."""

    rule: AlertRule
    words: tuple[str, ...]
    words_min: int
    also: tuple[str, ...]
    pattern: str
    people_min: int | None
    repeat_min: int | None
    repeat_days: int
    repeat_by: str
    category_ids: frozenset[int]
    min_urgency: str

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.pattern)


def rule_spec(rule: AlertRule, *, category_ids: Iterable[int] | None = None) -> RuleSpec:
    """The rule's conditions; `category_ids` for a rule not saved yet (a trial)."""
    if category_ids is None:
        category_ids = [c.pk for c in rule.categories.all()] if rule.pk else []
    return RuleSpec(
        rule=rule,
        words=tuple(rule.keyword_list()),
        words_min=max(rule.keywords_min or 1, 1),
        also=tuple(rule.keyword_also_list()),
        pattern=(rule.pattern or "").strip(),
        people_min=rule.people_min,
        repeat_min=rule.repeat_min,
        repeat_days=rule.repeat_days or 7,
        repeat_by=rule.repeat_by or RepeatBy.CATEGORY,
        category_ids=frozenset(category_ids),
        min_urgency=rule.min_urgency or "",
    )


def _text_hit(spec: RuleSpec, text: str) -> str | None:
    """What of the text satisfies the rule's word and regex conditions ("" when it has
    none), or None when they do not hold."""
    parts: list[str] = []
    if spec.words:
        found = [w for w in dict.fromkeys(spec.words) if w in text]
        if len(found) < spec.words_min:
            return None
        parts.extend(found)
        if spec.also:
            also = [w for w in spec.also if w in text]
            if not also:
                return None
            parts.append(also[0])
    if spec.pattern:
        rx = _compiled(spec.pattern)
        m = rx.search(text) if rx is not None else None
        if m is None:
            return None
        parts.append(m.group(0))
    return "、".join(dict.fromkeys(parts))


def rule_match(rule: AlertRule, text: str) -> str:
    """What of the text satisfies the rule's word and regex conditions, or "" (also when
    the rule has no such condition)."""
    return _text_hit(rule_spec(rule, category_ids=()), text) or ""


def people_of(event: Event) -> float | None:
    """The number of people involved, from the event's extra information; None if absent."""
    extra = event.extra if isinstance(event.extra, dict) else {}
    for key in PEOPLE_KEYS:
        value = extra.get(key)
        if value in (None, ""):
            continue
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def _category_chain(event: Event) -> set[int]:
    """The event's category and its ancestors (two levels up, as the catalogue has)."""
    chain = {event.category_id}
    cat: Category | None = event.category
    parent_field = Category._meta.get_field("parent")
    for _level in range(2):
        if cat is None or cat.parent_id is None:
            break
        chain.add(cat.parent_id)
        cat = cat.parent if parent_field.is_cached(cat) else None
    return chain


@dataclass
class _Facts:
    """One event as the rules see it; repeat counts are asked once per kind of count."""

    event: Event
    text: str
    urgency: str
    chain: set[int]
    counts: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def repeats(self, spec: RuleSpec) -> int:
        key = (spec.repeat_by, spec.repeat_days, spec.rule.signal)
        if key not in self.counts:
            self.counts[key] = _repeat_count(self.event, spec)
        return self.counts[key]


def _facts(event: Event) -> _Facts:
    return _Facts(
        event=event,
        text=event_text(event),
        urgency=event.urgency,
        chain=_category_chain(event),
    )


def _repeat_count(event: Event, spec: RuleSpec) -> int:
    """Earlier events in the event's grid within the rule's days: of the same category, or
    that raised the same signal. Ranges of the (region_path, reported_at) and (category,
    reported_at) indexes, or of alerts by (signal, created_at)."""
    until = event.reported_at
    since = until - dt.timedelta(days=spec.repeat_days)
    if spec.repeat_by == RepeatBy.SIGNAL:
        ids = set(
            Alert.objects.filter(signal=spec.rule.signal, created_at__gte=since)
            .exclude(event_id=event.pk)
            .values_list("event_id", flat=True)[:1000]
        )
        if not ids:
            return 0
        return (
            Event.objects.filter(
                keys_q(ids),
                region_path=event.region_path,
                reported_at__gte=since,
                reported_at__lte=until,
            )
            .exclude(status=Status.MERGED)
            .count()
        )
    return (
        Event.objects.filter(
            region_path=event.region_path,
            category_id=event.category_id,
            reported_at__gte=since,
            reported_at__lte=until,
        )
        .exclude(pk=event.pk)
        .exclude(status=Status.MERGED)
        .count()
    )


def _event_hit(spec: RuleSpec, facts: _Facts) -> str | None:
    """What satisfied every condition of the rule for this event, or None. The cheap
    conditions first; the repeats count last."""
    text = _text_hit(spec, facts.text)
    if text is None:
        return None
    parts = [text] if text else []
    if spec.category_ids and not (spec.category_ids & facts.chain):
        return None
    if spec.min_urgency and URGENCY_RANK.get(facts.urgency, 0) < URGENCY_RANK.get(
        spec.min_urgency, 0
    ):
        return None
    if spec.people_min is not None:
        people = people_of(facts.event)
        if people is None or people < spec.people_min:
            return None
        parts.append(_("涉及%(n)s人") % {"n": f"{people:g}"})
    if spec.repeat_min is not None:
        n = facts.repeats(spec)
        if n < spec.repeat_min:
            return None
        parts.append(_("同网格近%(days)s天已有%(n)s件") % {"days": spec.repeat_days, "n": n})
    if not parts:
        parts.append(spec.rule.name)
    return "；".join(parts)[:200]


def active_specs() -> list[RuleSpec]:
    """The active rules in signal order, with their categories (two statements)."""
    rules = AlertRule.objects.filter(is_active=True).order_by("signal", "pk")
    return [rule_spec(r) for r in rules.prefetch_related("categories")]


def signals_in(text: str, rules: list[AlertRule] | None = None) -> list[Match]:
    """For a text without an event (an online post): one match per signal, the first rule
    whose word and regex conditions hold; conditions on people, grid, category or urgency
    cannot be known from a text and are not asked. Rules without words or regex are
    skipped."""
    if rules is None:
        rules = list(AlertRule.objects.filter(is_active=True).order_by("signal", "pk"))
    out: dict[str, Match] = {}
    for rule in rules:
        if rule.signal in out:
            continue
        spec = rule_spec(rule, category_ids=())
        if not spec.has_text:
            continue
        hit = _text_hit(spec, text)
        if hit:
            out[rule.signal] = Match(rule=rule, text=hit[:200])
    return list(out.values())


def event_signals(event: Event, specs: list[RuleSpec] | None = None) -> list[Match]:
    """One match per signal for the event: the first active rule all of whose conditions
    hold."""
    if specs is None:
        specs = active_specs()
    facts = _facts(event)
    out: dict[str, Match] = {}
    for spec in specs:
        if spec.rule.signal in out:
            continue
        hit = _event_hit(spec, facts)
        if hit is not None:
            out[spec.rule.signal] = Match(rule=spec.rule, text=hit)
    return list(out.values())


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


def leaders_over(event: Event) -> list[Any]:
    """Active leaders whose region contains the event's region."""
    ids = set(
        Membership.objects.filter(
            role=Role.LEADER, is_active=True, region__path__in=_ancestor_paths(event.region_path)
        ).values_list("user_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def alerts_check(*, event_id: int) -> list[Alert]:
    """Apply the active rules to the event: for each signal raised, mark the event urgent,
    write a timeline line, tell the leaders in scope at once and audit the alert. An event
    alerts once per signal."""
    event = Event.objects.select_related("category__parent").filter(key_q(pk=event_id)).first()
    if event is None:
        return []
    matches = event_signals(event)
    alerts = []
    for m in matches:
        with transaction.atomic():
            alert, created = Alert.objects.get_or_create(
                event=event,
                signal=m.rule.signal,
                defaults={"rule": m.rule, "matched": m.text, "created_at": clock.now()},
            )
            if not created:
                continue
            label = Signal(m.rule.signal).label
            if event.urgency == Urgency.NORMAL:
                Event.objects.filter(
                    pk=event.pk, reported_at=event.reported_at, urgency=Urgency.NORMAL
                ).update(urgency=Urgency.URGENT)
                event.urgency = Urgency.URGENT
            now = clock.now()
            EventTransition.objects.create(
                event=event,
                action="risk_alert",
                from_status=event.status,
                to_status=event.status,
                actor_role="system",
                note=_("风险预警：%(signal)s（命中“%(text)s”），已标记紧急并通知领导")
                % {"signal": label, "text": m.text},
                data={"signal": m.rule.signal, "rule": m.rule.pk},
                at=now,
            )
            leaders = leaders_over(event)
            notify.users_tell(
                users=leaders,
                event=event,
                kind="risk_alert",
                title=f"{_('风险预警')}【{label}】{event.code} {event.title}",
                body=_("命中规则“%(rule)s”：%(text)s") % {"rule": m.rule.name, "text": m.text},
                cause=f"alert{alert.pk}",
                at=now,
            )
            alert.notified = len(leaders)
            alert.save(update_fields=["notified"])
            audit.record(
                action="triage.alert",
                object_type="event",
                object_id=event.pk,
                detail={
                    "signal": m.rule.signal,
                    "rule": m.rule.pk,
                    "alert": alert.pk,
                    "leaders": [u.pk for u in leaders],
                },
            )
            alerts.append(alert)
    return alerts


# ---- validation and defaults ----------------------------------------------------------


def _count(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def alert_rule_errors(data: dict[str, Any]) -> dict[str, str]:
    """Field → Chinese reason for every problem of a rule's conditions (empty when fine)."""
    errors: dict[str, str] = {}
    keywords = str(data.get("keywords") or "").strip()
    pattern = str(data.get("pattern") or "").strip()
    also = str(data.get("keywords_also") or "").strip()
    people_min = _count(data, "people_min")
    repeat_min = _count(data, "repeat_min")
    categories = data.get("categories")
    has_categories = bool(categories) and (
        categories.exists() if isinstance(categories, QuerySet) else True
    )
    if not (
        keywords
        or pattern
        or people_min is not None
        or repeat_min is not None
        or has_categories
        or data.get("min_urgency")
    ):
        errors["keywords"] = _(
            "请至少设置一个条件：关键词、正则表达式、涉及人数、同网格多发、分类或紧急程度"
        )
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            errors["pattern"] = _("正则表达式有误：%(error)s") % {"error": exc}
    words = {w.strip() for w in keywords.splitlines() if w.strip()}
    keywords_min = _count(data, "keywords_min")
    if keywords_min is not None and keywords_min < 1:
        errors["keywords_min"] = _("至少命中关键词数应为不小于 1 的整数")
    elif keywords_min is not None and words and keywords_min > len(words):
        errors["keywords_min"] = _("至少命中关键词数不能多于所填关键词的个数")
    if also and not words:
        errors["keywords_also"] = _("请先填写关键词")
    if people_min is not None and people_min < 1:
        errors["people_min"] = _("涉及人数应为不小于 1 的整数")
    if repeat_min is not None and repeat_min < 1:
        errors["repeat_min"] = _("事件数应为不小于 1 的整数")
    repeat_days = _count(data, "repeat_days")
    if repeat_days is not None and not 1 <= repeat_days <= 365:
        errors["repeat_days"] = _("统计天数应在 1 到 365 之间")
    return errors


def alert_rule_validate(*, keywords: str = "", pattern: str = "", **conditions: Any) -> None:
    """Raise Invalid (422, every field with its reason) when a rule has no condition, a
    regex that does not compile, or a count out of range."""
    errors = alert_rule_errors({"keywords": keywords, "pattern": pattern, **conditions})
    if errors:
        first = next(iter(errors))
        raise Invalid(f"{first}: {errors[first]}", fields=errors)


_LEGACY_SPLIT = "（正则）"


def alert_rules_install_defaults() -> int:
    """Create the default rules that are missing (by name) and switch off the one-word
    rules first shipped where they are still exactly as shipped; returns how many rules
    were added. Migrations install the first set; this brings the current one."""
    from pingan.triage.defaults import DEFAULT_RULES, LEGACY_RULES

    added = 0
    for spec in DEFAULT_RULES:
        fields = {k: v for k, v in spec.items() if k != "name"}
        _rule, created = AlertRule.objects.get_or_create(name=spec["name"], defaults=fields)
        added += created
    for name, keywords, pattern in LEGACY_RULES:
        AlertRule.objects.filter(
            Q(name=name, keywords=keywords, pattern__in=[pattern, ""])
            | Q(name=name + _LEGACY_SPLIT, keywords="", pattern=pattern),
            keywords_min=1,
            keywords_also="",
            people_min=None,
            repeat_min=None,
            min_urgency="",
            is_active=True,
        ).exclude(pattern="", keywords="").update(is_active=False)
    return added


# ---- verdicts ------------------------------------------------------------------------------


def alert_verdict(*, actor: Actor | Any, alert_id: int, verdict: str) -> Alert:
    """Record that an alert was 属实 (confirmed) or 误报 (a false alarm), by a leader or
    dispatcher who can see its event; a second verdict replaces the first."""
    actor = as_actor(actor)
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("风险预警不存在"))
    access_event(actor, alert.event_id)
    if not actor.has_role(*VERDICT_ROLES):
        raise Forbidden(_("当前角色不能研判风险预警"))
    if verdict not in Verdict.values:
        raise invalid("verdict", _("请选择“属实”或“误报”"))
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert_id)
        alert.verdict = verdict
        alert.verdict_by = actor.user
        alert.verdict_at = clock.now()
        alert.save(update_fields=["verdict", "verdict_by", "verdict_at"])
        actor.audit(
            "triage.alert_verdict",
            object_type="event",
            object_id=alert.event_id,
            detail={"alert": alert.pk, "rule": alert.rule_id, "verdict": verdict},
        )
    return alert


# ---- hit rates -----------------------------------------------------------------------------


def _handled_as_risk() -> Q:
    """No verdict, but the event was escalated, supervised or consulted on, or made 特急."""
    acted = Exists(
        EventTransition.objects.filter(event_id=OuterRef("event_id"), action__in=REAL_ACTIONS)
    )
    return Q(acted) | Q(event__urgency=Urgency.CRITICAL)


def alert_real_q() -> Q:
    """Alerts that turned out a real risk: confirmed, or handled as one without a verdict."""
    return Q(verdict=Verdict.CONFIRMED) | (Q(verdict="") & _handled_as_risk())


def alert_dismissed_q() -> Q:
    """Alerts dismissed: marked 误报, or without a verdict on an event not accepted and not
    handled as a risk."""
    return Q(verdict=Verdict.FALSE_ALARM) | (
        Q(verdict="", event__status=Status.REJECTED) & ~_handled_as_risk()
    )


def _alert_count(since: dt.datetime, until: dt.datetime, q: Q | None = None) -> Subquery:
    qs = Alert.objects.filter(rule=OuterRef("pk"), created_at__gte=since, created_at__lt=until)
    if q is not None:
        qs = qs.filter(q)
    return Subquery(
        qs.order_by().values("rule").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def rules_with_rates(
    qs: QuerySet[AlertRule], *, since: dt.datetime, until: dt.datetime
) -> QuerySet[AlertRule]:
    """The rules annotated with their alerts in [since, until): `n_alerts`, `n_real`
    (confirmed or handled as a risk) and `n_dismissed` (误报 or not accepted)."""
    return qs.annotate(
        n_alerts=Coalesce(_alert_count(since, until), 0),
        n_real=Coalesce(_alert_count(since, until, alert_real_q()), 0),
        n_dismissed=Coalesce(_alert_count(since, until, alert_dismissed_q()), 0),
    )


def events_checked(*, since: dt.datetime, until: dt.datetime) -> int:
    """Events reported in [since, until): each was checked against the rules."""
    return Event.objects.filter(reported_at__gte=since, reported_at__lt=until).count()


def rate_text(part: int, whole: int) -> str:
    """「12 / 40，30.0%」; 「0 / 0，—」 when there is nothing to divide."""
    if not whole:
        return f"{part} / {whole}，—"
    return f"{part} / {whole}，{100 * part / whole:.1f}%"


# ---- trial ---------------------------------------------------------------------------------


@dataclass
class DryRun:
    """What a rule would have raised over the last days (nothing is written)."""

    days: int
    checked: int
    hits: int
    truncated: bool
    examples: list[tuple[Event, str]]


def _with_descendants(ids: Iterable[int]) -> set[int]:
    ids = set(ids)
    if not ids:
        return ids
    below = Category.objects.filter(Q(parent_id__in=ids) | Q(parent__parent_id__in=ids))
    return ids | set(below.values_list("pk", flat=True))


def rule_dry_run(*, rule: AlertRule, category_ids: Iterable[int] = (), days: int = 30) -> DryRun:
    """Run a rule (saved or not) over the events reported in the last `days` days, from
    the project clock, and count those it would have alerted; read-only."""
    if not 1 <= days <= DRY_RUN_MAX_DAYS:
        raise invalid("days", _("试运行天数应在 1 到 %(max)s 之间") % {"max": DRY_RUN_MAX_DAYS})
    spec = rule_spec(rule, category_ids=category_ids)
    until = clock.now()
    since = until - dt.timedelta(days=days)
    window = Event.objects.filter(reported_at__gte=since, reported_at__lt=until)
    checked = window.count()
    # Narrow in the database where a condition allows it; the rest is asked per event.
    candidates = window.exclude(status=Status.MERGED)
    if spec.words:
        any_word = Q()
        for w in spec.words:
            any_word |= Q(title__contains=w) | Q(description__contains=w)
        candidates = candidates.filter(any_word)
    if spec.category_ids:
        candidates = candidates.filter(category_id__in=_with_descendants(spec.category_ids))
    if spec.min_urgency:
        ranks = [u for u, r in URGENCY_RANK.items() if r >= URGENCY_RANK[spec.min_urgency]]
        candidates = candidates.filter(urgency__in=ranks)
    rows = list(
        candidates.select_related("category__parent").order_by("-reported_at", "-pk")[
            : DRY_RUN_MAX_EVENTS + 1
        ]
    )
    truncated = len(rows) > DRY_RUN_MAX_EVENTS
    hits = 0
    examples: list[tuple[Event, str]] = []
    for event in rows[:DRY_RUN_MAX_EVENTS]:
        hit = _event_hit(spec, _facts(event))
        if hit is not None:
            hits += 1
            if len(examples) < 20:
                examples.append((event, hit))
    return DryRun(days=days, checked=checked, hits=hits, truncated=truncated, examples=examples)
