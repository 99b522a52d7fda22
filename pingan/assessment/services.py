"""Writes of the assessment (docs/assessment.md): schemes (create, standard, copy from
last year, publish), indicators and unit targets, entered values and their confirmation,
veto items, and the responsibility agreements. Scoring, ranking and finalising are in
`scoring.py`, appeals in `appeals.py`. Each write: validated first, one transaction,
one audit row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from pingan.access.actor import Actor
from pingan.assessment import sources
from pingan.assessment.choices import (
    AgreementStatus,
    AppliesTo,
    IndicatorKind,
    Rule,
    SchemeStatus,
)
from pingan.assessment.files import checked, ext
from pingan.assessment.models import (
    Agreement,
    EnteredValue,
    Indicator,
    Scheme,
    UnitTarget,
    VetoItem,
)
from pingan.assessment.permissions import (
    access_scheme,
    answers_for,
    office_counties,
    require_office,
)
from pingan.assessment.standard import STANDARD
from pingan.assessment.units import Unit, parse, units_of
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid

ENTRY_STATES = (SchemeStatus.PUBLISHED, SchemeStatus.SCORING)


def decimal_of(value: Any, field: str, *, low: Decimal | None = None) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("请填写数字")) from None
    if not d.is_finite() or abs(d) >= Decimal("1e10"):
        raise invalid(field, _("请填写数字"))
    if low is not None and d < low:
        raise invalid(field, _("不能小于%(low)s") % {"low": low})
    return d.quantize(Decimal("0.01"))


def _text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise invalid(field, _("请填写此项"))
    if len(text) > limit:
        raise invalid(field, _("不能超过%(n)s字") % {"n": limit})
    return text


def _who(actor: Actor) -> Any:
    """The acting person (writes are made by people, never by the system)."""
    if actor.user is None:
        raise Forbidden(_("请先登录"))
    return actor.user


def _locked(actor: Actor, scheme_id: int) -> Scheme:
    scheme = access_scheme(actor, scheme_id, for_update=True)
    require_office(actor, scheme)
    return scheme


# ---- schemes -----------------------------------------------------------------------------


def scheme_create(
    *,
    actor: Actor,
    year: int,
    name: str = "",
    county_id: int | None = None,
    standard: bool = True,
    copy_from: int | None = None,
) -> Scheme:
    """A draft scheme of the office's county for `year`: the standard indicators, the
    indicators and targets of scheme `copy_from` (复制上年方案), or none."""
    counties = office_counties(actor)
    if not counties:
        raise Forbidden(_("只有县平安办可以制定考核方案"))
    county = next((c for c in counties if c.pk == county_id), None) if county_id else counties[0]
    if county is None:
        raise invalid("county", _("只能为本县制定考核方案"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise invalid("year", _("年度不正确"))
    name = _text(name, "name", limit=120, required=False) or _("%(year)s年度平安建设考核方案") % {
        "year": year
    }
    source = None
    if copy_from is not None:
        source = Scheme.objects.filter(pk=copy_from, county=county).first()
        if source is None:
            raise invalid("copy_from", _("要复制的方案不存在"))
    if Scheme.objects.filter(county=county, year=year).exists():
        raise invalid("year", _("该年度已有考核方案"))
    with transaction.atomic():
        scheme = Scheme.objects.create(
            county=county,
            year=year,
            name=name,
            created_by=_who(actor),
            created_at=clock.now(),
            copied_from=source,
            **(
                {
                    "excellent_min": source.excellent_min,
                    "good_min": source.good_min,
                    "pass_min": source.pass_min,
                }
                if source
                else {}
            ),
        )
        if source is not None:
            for ind in source.indicators.all():
                old_targets = list(ind.targets.all())
                ind.pk = None
                ind.scheme = scheme
                ind.save()
                for t in old_targets:
                    t.pk = None
                    t.indicator = ind
                    t.save()
        elif standard:
            for order, row in enumerate(STANDARD):
                code, nm, weight, kind, applies, src, rule, target, floor, desc = row
                Indicator.objects.create(
                    scheme=scheme,
                    code=code,
                    name=_(nm),
                    weight=weight,
                    kind=kind,
                    applies_to=applies,
                    source=src,
                    rule=rule,
                    target=target,
                    floor=floor,
                    description=_(desc),
                    order=order,
                )
        actor.audit(
            "assessment.scheme_create",
            object_type="assessment_scheme",
            object_id=scheme.pk,
            detail={"year": year, "copy_from": copy_from, "standard": standard},
        )
    return scheme


def indicator_save(
    *, actor: Actor, scheme_id: int, data: dict[str, Any], indicator_id: int | None = None
) -> Indicator:
    """Add an indicator to a draft scheme, or change one (`indicator_id`)."""
    scheme = access_scheme(actor, scheme_id)
    require_office(actor, scheme)
    if indicator_id is None:
        ind = Indicator(scheme=scheme)
    else:
        found = Indicator.objects.filter(pk=indicator_id, scheme=scheme).first()
        if found is None:
            raise NotFound(_("考核指标不存在"))
        ind = found
    code = _text(data.get("code", ind.code), "code", limit=16)
    name = _text(data.get("name", ind.name), "name", limit=100)
    kind = str(data.get("kind", ind.kind) or "")
    if kind not in IndicatorKind.values:
        raise invalid("kind", _("指标类型不正确"))
    weight = decimal_of(data.get("weight", ind.weight if ind.pk else ""), "weight", low=Decimal(0))
    if weight > 100 or (weight == 0 and kind != IndicatorKind.VETO):
        raise invalid("weight", _("分值应大于0且不超过100"))
    applies_to = str(data.get("applies_to", ind.applies_to) or AppliesTo.BOTH)
    if applies_to not in AppliesTo.values:
        raise invalid("applies_to", _("适用对象不正确"))
    rule = str(data.get("rule", ind.rule) or Rule.LINEAR)
    if rule not in Rule.values:
        raise invalid("rule", _("计分规则不正确"))
    source = str(data.get("source", ind.source) or "")
    if kind == IndicatorKind.COMPUTED and source not in sources.SOURCES:
        raise invalid("source", _("请选择数据来源"))
    if kind != IndicatorKind.COMPUTED:
        source = ""
    raw_target, raw_floor = data.get("target", ind.target), data.get("floor", ind.floor)
    target = None if raw_target in (None, "") else decimal_of(raw_target, "target")
    floor = None if raw_floor in (None, "") else decimal_of(raw_floor, "floor")
    if kind in (IndicatorKind.COMPUTED, IndicatorKind.ENTERED) and target is None:
        raise invalid("target", _("请填写目标值"))
    description = _text(
        data.get("description", ind.description), "description", limit=2000, required=False
    )
    if Indicator.objects.filter(scheme=scheme, code=code).exclude(pk=ind.pk or 0).exists():
        raise invalid("code", _("编号已存在"))
    with transaction.atomic():
        scheme = _locked(actor, scheme_id)
        if scheme.status != SchemeStatus.DRAFT:
            raise Conflict(_("方案已发布，指标不能再改"))
        ind.code, ind.name, ind.kind, ind.weight = code, name, kind, weight
        ind.applies_to, ind.rule, ind.source = applies_to, rule, source
        ind.target, ind.floor, ind.description = target, floor, description
        if ind.pk is None:
            ind.order = scheme.indicators.count()
        ind.save()
        actor.audit(
            "assessment.indicator_save",
            object_type="assessment_indicator",
            object_id=ind.pk,
            detail={"scheme": scheme.pk, "code": code, "weight": str(weight), "kind": kind},
        )
    return ind


def unit_target_set(
    *, actor: Actor, indicator_id: int, unit: str, target: Any, floor: Any = None
) -> UnitTarget:
    """Set a unit's own target (and floor) for an indicator of a draft scheme."""
    ind = Indicator.objects.select_related("scheme__county").filter(pk=indicator_id).first()
    if ind is None:
        raise NotFound(_("考核指标不存在"))
    scheme = access_scheme(actor, ind.scheme_id)
    require_office(actor, scheme)
    u = parse(unit, scheme.county)
    t = decimal_of(target, "target")
    f = None if floor in (None, "") else decimal_of(floor, "floor")
    with transaction.atomic():
        scheme = _locked(actor, scheme.pk)
        if scheme.status != SchemeStatus.DRAFT:
            raise Conflict(_("方案已发布，目标不能再改"))
        row, _created = UnitTarget.objects.update_or_create(
            indicator=ind, **u.filter(), defaults={"target": t, "floor": f, **u.fk()}
        )
        actor.audit(
            "assessment.target_set",
            object_type="assessment_indicator",
            object_id=ind.pk,
            detail={"unit": u.key, "target": str(t), "floor": str(f) if f is not None else None},
        )
    return row


def scheme_publish(*, actor: Actor, scheme_id: int) -> Scheme:
    """Publish a draft scheme: the units see it, its agreements are generated."""
    with transaction.atomic():
        scheme = _locked(actor, scheme_id)
        if scheme.status != SchemeStatus.DRAFT:
            raise Conflict(_("方案已发布"))
        if not scheme.indicators.exists():
            raise invalid("indicators", _("方案还没有考核指标"))
        scheme.status = SchemeStatus.PUBLISHED
        scheme.published_at = clock.now()
        scheme.save(update_fields=["status", "published_at"])
        _generate_agreements(scheme)
        actor.audit(
            "assessment.scheme_publish", object_type="assessment_scheme", object_id=scheme.pk
        )
    return scheme


# ---- agreements (目标责任书) ---------------------------------------------------------------


def _generate_agreements(scheme: Scheme, only: Unit | None = None) -> int:
    from pingan.assessment.documents import agreement_docx

    n = 0
    now = clock.now()
    for u in units_of(scheme.county):
        if only is not None and u.key != only.key:
            continue
        row = Agreement.objects.filter(scheme=scheme, **u.filter()).first()
        if row is not None and row.status == AgreementStatus.SIGNED:
            continue
        data = agreement_docx(scheme, u)
        if row is None:
            row = Agreement(scheme=scheme, **u.fk())
        row.generated_at = now
        row.document.save(
            f"agreement-{scheme.year}-{u.kind}-{u.id}.docx", ContentFile(data), save=False
        )
        row.save()
        n += 1
    return n


def agreements_generate(*, actor: Actor, scheme_id: int) -> int:
    """(Re)generate the unsigned agreements of a published scheme; how many."""
    with transaction.atomic():
        scheme = _locked(actor, scheme_id)
        if scheme.status == SchemeStatus.DRAFT:
            raise Conflict(_("方案尚未发布"))
        n = _generate_agreements(scheme)
        actor.audit(
            "assessment.agreements_generate",
            object_type="assessment_scheme",
            object_id=scheme.pk,
            detail={"generated": n},
        )
    return n


def agreement_sign(*, actor: Actor, agreement_id: int, upload: Any) -> Agreement:
    """Keep the signed scan of an agreement (the office or the unit uploads it)."""
    row = (
        Agreement.objects.select_related("unit_region", "unit_department")
        .filter(pk=agreement_id)
        .first()
    )
    if row is None:
        raise NotFound(_("责任书不存在"))
    scheme = access_scheme(actor, row.scheme_id)
    from pingan.assessment.units import of_row

    unit = of_row(row)
    if not (answers_for(actor, scheme, unit) or _office(actor, scheme)):
        from pingan.assessment.permissions import reads_all

        if reads_all(actor, scheme):
            raise Forbidden(_("只有责任单位或县平安办可以上传签订扫描件"))
        raise NotFound(_("责任书不存在"))
    file, ctype = checked(upload, "file")
    with transaction.atomic():
        row = Agreement.objects.select_for_update().get(pk=row.pk)
        row.scan.save(
            f"signed-{scheme.year}-{unit.kind}-{unit.id}.{ext(file)}",
            file,
            save=False,
        )
        row.scan_type = ctype
        row.status = AgreementStatus.SIGNED
        row.signed_at = clock.now()
        row.signed_by = actor.user
        row.save()
        actor.audit(
            "assessment.agreement_sign",
            object_type="assessment_agreement",
            object_id=row.pk,
            detail={"scheme": scheme.pk, "unit": unit.key},
        )
    return row


def _office(actor: Actor, scheme: Scheme) -> bool:
    from pingan.assessment.permissions import is_office

    return is_office(actor, scheme)


# ---- entered values, bonus items and vetoes ----------------------------------------------------


def _indicator(scheme: Scheme, indicator_id: Any, kinds: tuple[str, ...]) -> Indicator:
    ind = (
        Indicator.objects.filter(pk=indicator_id, scheme=scheme).first()
        if str(indicator_id).isdigit()
        else None
    )
    if ind is None or ind.kind not in kinds:
        raise invalid("indicator", _("请选择本方案中可填报的指标"))
    return ind


def entry_submit(
    *,
    actor: Actor,
    scheme_id: int,
    indicator_id: int,
    unit: str,
    value: Any,
    note: str = "",
    evidence: Any = None,
) -> EnteredValue:
    """Enter a unit's value of an entered or bonus indicator with its evidence, by the
    unit (to be confirmed) or by the office (confirmed at once); replaces the unit's
    earlier value of that indicator."""
    scheme = access_scheme(actor, scheme_id)
    office = _office(actor, scheme)
    u = parse(unit, scheme.county)
    if not office and not answers_for(actor, scheme, u):
        raise Forbidden(_("只能填报本单位的指标"))
    ind = _indicator(scheme, indicator_id, (IndicatorKind.ENTERED, IndicatorKind.BONUS))
    from pingan.assessment.units import applies

    if not applies(ind.applies_to, u):
        raise invalid("indicator", _("该指标不适用于此单位"))
    v = decimal_of(value, "value", low=Decimal(0))
    if ind.kind == IndicatorKind.BONUS and v > ind.weight:
        raise invalid("value", _("加分不能超过%(w)s分") % {"w": ind.weight})
    note = _text(note, "note", limit=2000, required=False)
    file = checked(evidence) if evidence is not None else None
    if ind.kind == IndicatorKind.BONUS and file is None:
        raise invalid("evidence", _("加分项须附佐证材料"))
    with transaction.atomic():
        scheme = access_scheme(actor, scheme_id, for_update=True)
        if scheme.status not in ENTRY_STATES:
            raise Conflict(_("当前不在填报期"))
        now = clock.now()
        row = EnteredValue.objects.filter(indicator=ind, **u.filter()).first() or EnteredValue(
            indicator=ind, **u.fk()
        )
        row.value, row.note, row.entered_by, row.entered_at = v, note, _who(actor), now
        row.confirmed = office
        row.confirmed_by = actor.user if office else None
        row.confirmed_at = now if office else None
        if file is not None:
            row.evidence.save(
                f"evidence-{u.kind}-{u.id}-{ind.code}.{ext(file[0])}",
                file[0],
                save=False,
            )
            row.evidence_type = file[1]
        row.save()
        actor.audit(
            "assessment.entry_submit",
            object_type="assessment_entry",
            object_id=row.pk,
            detail={"indicator": ind.code, "unit": u.key, "value": str(v), "confirmed": office},
        )
    return row


def entry_confirm(*, actor: Actor, entry_id: int) -> EnteredValue:
    """The office confirms a unit's entered value (it counts from the next scoring)."""
    row = EnteredValue.objects.select_related("indicator").filter(pk=entry_id).first()
    if row is None:
        raise NotFound(_("填报记录不存在"))
    scheme = access_scheme(actor, row.indicator.scheme_id)
    require_office(actor, scheme)
    with transaction.atomic():
        row = EnteredValue.objects.select_for_update().get(pk=row.pk)
        if row.confirmed:
            raise Conflict(_("已确认"))
        row.confirmed, row.confirmed_by, row.confirmed_at = True, actor.user, clock.now()
        row.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])
        actor.audit("assessment.entry_confirm", object_type="assessment_entry", object_id=row.pk)
    return row


def veto_add(
    *, actor: Actor, scheme_id: int, indicator_id: int, unit: str, reason: str, evidence: Any = None
) -> VetoItem:
    """A one-vote veto against a unit (the office, with the reason and evidence)."""
    scheme = access_scheme(actor, scheme_id)
    require_office(actor, scheme)
    u = parse(unit, scheme.county)
    ind = _indicator(scheme, indicator_id, (IndicatorKind.VETO,))
    reason = _text(reason, "reason", limit=2000)
    file = checked(evidence) if evidence is not None else None
    with transaction.atomic():
        scheme = _locked(actor, scheme_id)
        if scheme.status in (SchemeStatus.DRAFT, SchemeStatus.FINAL):
            raise Conflict(_("当前不能认定一票否决"))
        row = VetoItem(
            indicator=ind, reason=reason, created_by=actor.user, created_at=clock.now(), **u.fk()
        )
        if file is not None:
            row.evidence.save(f"veto-{u.kind}-{u.id}.{ext(file[0])}", file[0], save=False)
            row.evidence_type = file[1]
        row.save()
        actor.audit(
            "assessment.veto_add",
            object_type="assessment_veto",
            object_id=row.pk,
            detail={"scheme": scheme.pk, "unit": u.key},
        )
    return row


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate(clock.now())
