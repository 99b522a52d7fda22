"""The demo's assessment (平安考核): last year's scheme scored, ranked and final for every
town and county department, and this year's scheme copied from it, with entered values,
one bonus item, no veto, scored mid-year and year-end to date (docs/assessment.md,
"Demo"). Deterministic by seed; a second run leaves existing schemes as they are."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from pingan.access.actor import Actor
from pingan.assessment import scoring, services
from pingan.assessment.models import Scheme
from pingan.assessment.units import units_of
from pingan.core import clock
from pingan.geo.models import Region


def _evidence(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 200, 200)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _enter(office: Actor, scheme: Scheme, rng: random.Random, *, bonus_town: bool) -> None:
    b1 = scheme.indicators.filter(code="B1").first()
    b2 = scheme.indicators.filter(code="B2").first()
    d1 = scheme.indicators.filter(code="D1").first()
    units = units_of(scheme.county)
    for u in units:
        for ind in (b1, b2):
            if (
                ind is None
                or (ind.code == "B2" and u.is_town)
                or (ind.code == "B1" and not u.is_town)
            ):
                continue
            services.entry_submit(
                actor=office,
                scheme_id=scheme.pk,
                indicator_id=ind.pk,
                unit=u.key,
                value=str(rng.randint(70, 100)),
                note="台账检查评分",
            )
    towns = [u for u in units if u.is_town]
    if bonus_town and d1 is not None and towns:
        u = rng.choice(towns)
        services.entry_submit(
            actor=office,
            scheme_id=scheme.pk,
            indicator_id=d1.pk,
            unit=u.key,
            value="2",
            note="矛盾纠纷调处经验被市委政法委推广",
            evidence=_evidence("bonus.png"),
        )


def build_assessment(
    *,
    county: Region,
    staff: Any,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda s: None,
) -> dict[str, int]:
    """Last year's final results and this year's scores (module docstring)."""
    office_user = staff.dispatchers[county.code][0]
    office = Actor.for_user(office_user)
    rng = random.Random(f"assessment:{seed}")
    year = timezone.localdate(now).year
    out = {"schemes": 0}
    if not Scheme.objects.filter(county=county, year=year - 1).exists():
        tz = timezone.get_current_timezone()
        with clock.frozen(dt.datetime(year - 1, 12, 20, 10, tzinfo=tz)):
            last = services.scheme_create(actor=office, year=year - 1, county_id=county.pk)
            services.scheme_publish(actor=office, scheme_id=last.pk)
            _enter(office, last, rng, bonus_town=True)
            scoring.scheme_score(actor=office, scheme_id=last.pk)
            scoring.scheme_rank(
                actor=office, scheme_id=last.pk, appeal_deadline=dt.date(year - 1, 12, 27)
            )
        with clock.frozen(dt.datetime(year - 1, 12, 30, 10, tzinfo=tz)):
            scoring.scheme_finalise(actor=office, scheme_id=last.pk)
        out["schemes"] += 1
    last = Scheme.objects.get(county=county, year=year - 1)
    if not Scheme.objects.filter(county=county, year=year).exists():
        with clock.frozen(now):
            this = services.scheme_create(
                actor=office, year=year, county_id=county.pk, copy_from=last.pk
            )
            services.scheme_publish(actor=office, scheme_id=this.pk)
            _enter(office, this, rng, bonus_town=True)
            scoring.scheme_score(actor=office, scheme_id=this.pk)
        out["schemes"] += 1
    progress(f"平安考核：考核方案 {out['schemes']} 个（上年度结果已确定，本年度已评分）")
    return out


__all__ = ["build_assessment"]
