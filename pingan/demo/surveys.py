"""The demo county's questionnaires and safety-production figures: a 安全感满意率 survey
of the demo year (about 3,000 answers, quotas per town proportional to its grids, i.e. its
population; 94–98 % positive, varying by town), last year's (about 2,500 answers, a
little lower) for the 同比, and 24 months of 三个零增长 figures for every town (most towns
at or under last year, a few not). Every choice from a generator seeded per town, so a
second build changes nothing (what exists is kept)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pingan.core import pii
from pingan.demo.organisation import Staff
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.safety.choices import Source
from pingan.safety.models import SafetyFigure
from pingan.surveys.choices import Channel, SurveyKind
from pingan.surveys.models import Response, Survey
from pingan.surveys.services import survey_close, survey_create, survey_open
from pingan.surveys.standard import standard_security_questions

THIS_YEAR_ANSWERS = 3000
LAST_YEAR_ANSWERS = 2500
CITIZEN_SHARE = 0.2
NOT_ACHIEVING = 2  # towns that miss 三个零增长 this year


@dataclass
class Written:
    surveys: int = 0
    responses: int = 0
    figures: int = 0


def _quotas(
    towns: list[Region], grids_by_town: dict[int, list[Region]], total: int
) -> dict[int, int]:
    """Answers per town proportional to its grids (the demo's stand-in for population)."""
    weights = {t.pk: max(len(grids_by_town.get(t.pk, [])), 1) for t in towns}
    whole = sum(weights.values())
    return {pk: max(round(total * w / whole), 30) for pk, w in weights.items()}


def _answers(survey: Survey, rng: random.Random, positive: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in survey.questions.all():
        opts = list(q.options.all())
        if q.headline:
            good = [o for o in opts if o.positive]
            bad = [o for o in opts if not o.positive]
            pick = rng.choices(good, weights=[6, 4])[0] if positive else rng.choice(bad)
            out[str(q.pk)] = pick.pk
        elif q.kind == "single":
            if positive:
                out[str(q.pk)] = rng.choices(opts, weights=[6, 3] + [1] * (len(opts) - 2))[0].pk
            else:
                out[str(q.pk)] = rng.choice(opts).pk
        elif q.kind == "multiple":
            picks = rng.sample(opts, rng.choice([0, 1, 1, 2]))
            if picks:
                out[str(q.pk)] = sorted(o.pk for o in picks)
        elif q.kind == "scale":
            out[str(q.pk)] = rng.choice([4, 5, 5, 4, 3]) if positive else rng.choice([1, 2, 3])
    return out


def _moment(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    days = max((end - start).days, 0)
    day = start + dt.timedelta(days=rng.randint(0, days))
    at = dt.datetime.combine(day, dt.time(rng.randint(9, 19), rng.randint(0, 59)))
    return timezone.make_aware(at)


def _survey(
    *,
    county: Region,
    office: Any,
    towns: list[Region],
    grids_by_town: dict[int, list[Region]],
    year: int,
    total: int,
    shift: float,
    now: dt.datetime,
    seed: int,
    written: Written,
) -> None:
    if Survey.objects.filter(region=county, kind=SurveyKind.SECURITY, year=year).exists():
        return
    quotas = _quotas(towns, grids_by_town, total)
    survey = survey_create(
        actor=office,
        data={
            "title": f"{year}年度群众安全感满意率调查",
            "kind": SurveyKind.SECURITY,
            "year": year,
            "opens_on": f"{year}-03-01",
            "closes_on": f"{year}-11-30",
            "intro": "为了解您对本地社会治安和平安建设的感受，请抽出几分钟填写本问卷。",
            "questions": standard_security_questions(),
            "quotas": [{"town": pk, "target": n} for pk, n in quotas.items()],
        },
    )
    survey = survey_open(actor=office, survey_id=survey.pk)
    survey = Survey.objects.prefetch_related("questions__options").get(pk=survey.pk)
    start = dt.date(year, 3, 1)
    end = min(dt.date(year, 11, 30), timezone.localdate(now) - dt.timedelta(days=1))
    if end < start:
        written.surveys += 1
        return  # opened, nothing answered yet
    rows = []
    phone_no = 0
    for t in towns:
        rng = random.Random(f"{seed}-survey-{year}-{t.code}")
        rate = rng.uniform(0.94, 0.98) + shift
        n = round(quotas[t.pk] * rng.uniform(0.92, 1.04))
        grids = grids_by_town.get(t.pk) or [t]
        villages = sorted({g.parent for g in grids if g.parent is not None}, key=lambda r: r.path)
        for _ in range(n):
            positive = rng.random() < rate
            citizen = rng.random() < CITIZEN_SHARE
            region = rng.choice(villages or [t]) if citizen else rng.choice(grids)
            phone = ""
            if citizen or rng.random() < 0.3:
                phone_no += 1
                phone = f"1{rng.choice('3589')}{year % 100:02d}{t.code[-3:]}{phone_no:04d}"[:11]
            rows.append(
                Response(
                    survey=survey,
                    channel=Channel.CITIZEN if citizen else Channel.GRID_WORKER,
                    region=region,
                    region_path=region.path,
                    town=t,
                    answers=_answers(survey, rng, positive),
                    positive=positive,
                    phone=phone,
                    phone_index=pii.blind_index(phone, kind="phone") if phone else "",
                    answered_at=_moment(rng, start, end),
                )
            )
    Response.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    written.surveys += 1
    written.responses += len(rows)
    if timezone.localdate(now) > dt.date(year, 11, 30):
        survey_close(actor=office, survey_id=survey.pk)


def _figures(
    towns: list[Region], year: int, now: dt.datetime, seed: int, entered_by: Any
) -> list[SafetyFigure]:
    """Last year's 12 months and this year's months so far, for every town."""
    this_month = timezone.localdate(now).month
    rows = []
    for i, t in enumerate(towns):
        rng = random.Random(f"{seed}-safety-{t.code}")
        failing = i % max(len(towns) // NOT_ACHIEVING, 1) == 1 and i < NOT_ACHIEVING * 4
        for month in range(1, 13):
            acc = rng.choice([0, 0, 1, 1, 2, 3])
            deaths = 1 if acc and rng.random() < 0.06 else 0
            loss = Decimal(str(round(acc * rng.uniform(0.5, 8), 2)))
            rows.append((t, dt.date(year - 1, month, 1), acc, deaths, loss))
            if month > this_month:
                continue
            if failing:
                acc_now = acc + rng.choice([0, 1, 1])
                deaths_now = deaths
                loss_now = (loss * Decimal(str(round(rng.uniform(1.0, 1.4), 2)))).quantize(
                    Decimal("0.01")
                )
            else:
                acc_now = max(acc - rng.choice([0, 0, 1]), 0)
                deaths_now = 0 if rng.random() < 0.5 else min(deaths, acc_now)
                loss_now = (
                    (loss * Decimal(str(round(rng.uniform(0.5, 1.0), 2)))).quantize(Decimal("0.01"))
                    if acc_now
                    else Decimal("0")
                )
            rows.append((t, dt.date(year, month, 1), acc_now, deaths_now, loss_now))
    have = set(SafetyFigure.objects.filter(town__in=towns).values_list("town_id", "month"))
    return [
        SafetyFigure(
            town=t,
            region_path=t.path,
            month=m,
            accidents=a,
            deaths=d,
            direct_loss=loss,
            source=Source.ENTERED,
            entered_by=entered_by.get(t.code),
            entered_at=timezone.make_aware(dt.datetime.combine(m, dt.time(10)))
            + dt.timedelta(days=33),
            note="",
        )
        for t, m, a, d, loss in rows
        if (t.pk, m) not in have
    ]


def build_surveys(
    *,
    county: Region,
    towns: list[Region],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda _s: None,
) -> Written:
    """The demo's surveys and safety figures (module docstring)."""
    written = Written()
    offices = staff.dispatchers.get(county.code) or []
    if not offices:
        return written
    office = offices[0]
    year = timezone.localdate(now).year
    grids_by_town: dict[int, list[Region]] = {}
    for g in Region.objects.filter(
        within_q("path", [county.path]), level=Level.GRID
    ).select_related("parent"):
        town_code = g.ancestor_codes()[-3] if len(g.ancestor_codes()) >= 3 else ""
        town = next((t for t in towns if t.code == town_code), None)
        if town is not None:
            grids_by_town.setdefault(town.pk, []).append(g)
    for y, total, shift in (
        (year - 1, LAST_YEAR_ANSWERS, -0.015),
        (year, THIS_YEAR_ANSWERS, 0.0),
    ):
        _survey(
            county=county,
            office=office,
            towns=towns,
            grids_by_town=grids_by_town,
            year=y,
            total=total,
            shift=shift,
            now=now,
            seed=seed,
            written=written,
        )
    entered_by = {t.code: (staff.dispatchers.get(t.code) or [office])[0] for t in towns}
    figures = _figures(towns, year, now, seed, entered_by)
    SafetyFigure.objects.bulk_create(figures, batch_size=1000)
    written.figures = len(figures)
    progress(
        f"问卷：{written.surveys} 份问卷、{written.responses} 份答卷；"
        f"安全生产月度数据 {written.figures} 条"
    )
    return written
