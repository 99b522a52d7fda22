"""Bench: mediation figures (`GET /api/v1/mediation/stats`) at N cases.

Runs on the database DATABASE_URL names (PostgreSQL; migrated with `manage.py migrate`):

    createdb -h 127.0.0.1 -U postgres pingan_medstats
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_medstats
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/mediation_stats.py --count 1000000 --counties 5 --runs 15

`--count` cases are generated once (skipped when the bench's cases are there already):
a city of `--counties` counties, each with 10 towns of 10 villages; a committee per
village and per town and five per county (the joint centre, three professional ones,
an administrative one), two mediators each; cases registered over the five years to
yesterday (the project's clock), spread evenly over the committees (so over the counties), with
outcomes in realistic shares (most succeed; some fail, are withdrawn, rejected or still
open, a few overdue; agreements with follow-ups and judicial confirmations). Written by
one INSERT … SELECT over generate_series (cases still open two months before the end
then settled: `SETTLE`), then VACUUM ANALYZE; the monthly rollup is then recounted by
`mediation.rollup.rebuild` (what `manage.py mediation_rollup` runs) when it is empty.

Timed (p50 / p95 over `--runs`, after one cold run printed apart): the figures as the
API computes them (`analytics.mediation_figures.summary`: the period, a year before
and the period before, every breakdown) for the first county and its first town, for
the last whole month, the year to yesterday (the project's clock) and the five years to
that day, as a leader
of the city; and the HTTP answer for the county's five years. Figures go to
docs/performance.md, "Mediation statistics".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from pingan.analytics.kpis import year_before  # noqa: E402
from pingan.core import clock  # noqa: E402

# Periods ending yesterday (the project's clock), as the other benchmarks measure: the
# previous whole month, the year and the five years to yesterday.
END = timezone.localdate(clock.now()) - dt.timedelta(days=1)
_FIVE_BEFORE = END
for _ in range(5):
    _FIVE_BEFORE = year_before(_FIVE_BEFORE)
START = _FIVE_BEFORE + dt.timedelta(days=1)
_LAST_MONTH_END = END.replace(day=1) - dt.timedelta(days=1)
PERIODS = {
    "month": (_LAST_MONTH_END.replace(day=1), _LAST_MONTH_END),
    "year": (year_before(END) + dt.timedelta(days=1), END),
    "5 years": (START, END),
}


def ensure_regions(counties: int) -> list[Any]:
    from pingan.geo.models import Region
    from pingan.geo.services import region_upsert

    city, _ = region_upsert(code="MB00", name="基准市", level="city")
    out = []
    for c in range(1, counties + 1):
        code = f"MB{c:02d}"
        county = Region.objects.filter(code=code).first()
        if county is None:
            county, _ = region_upsert(code=code, name=f"基准县{c}", level="county", parent=city)
            for t in range(1, 11):
                town, _ = region_upsert(
                    code=f"{code}{t:03d}", name=f"基准镇{c}-{t}", level="town", parent=county
                )
                for v in range(1, 11):
                    region_upsert(
                        code=f"{code}{t:03d}{v:03d}",
                        name=f"基准村{c}-{t}-{v}",
                        level="village",
                        parent=town,
                    )
        out.append(county)
    return out


def ensure_committees(counties: list[Any]) -> None:
    from pingan.geo.models import Region
    from pingan.mediation.models import Committee, Mediator
    from pingan.mediation.services import committee_create

    if Committee.objects.filter(name__startswith="基准").exists():
        return
    for county in counties:
        made = [
            committee_create(name=f"基准{county.name}联调中心", level="joint_centre", region=county)
        ]
        for kind in ("traffic", "medical", "labour"):
            made.append(
                committee_create(
                    name=f"基准{county.name}{kind}调委会",
                    level="professional",
                    kind=kind,
                    region=county,
                )
            )
        made.append(
            committee_create(
                name=f"基准{county.name}行政调解室",
                level="county",
                kind="administrative",
                region=county,
            )
        )
        for r in Region.objects.filter(path__startswith=county.path, level__in=("town", "village")):
            made.append(committee_create(name=f"基准{r.name}调委会", level=r.level, region=r))
        Mediator.objects.bulk_create(
            Mediator(committee=c, name=f"调解员{c.pk}-{i}") for c in made for i in (1, 2)
        )


GENERATE = """
CREATE TEMP TABLE bench_slot AS
SELECT row_number() OVER (ORDER BY m.id) - 1 AS i, m.id AS mediator_id, c.id AS committee_id,
       c.level, c.region_id, r.path AS region_path
FROM mediation_mediator m JOIN mediation_committee c ON c.id = m.committee_id
JOIN geo_region r ON r.id = c.region_id WHERE c.name LIKE '基准%%';

INSERT INTO mediation_mediationcase (
  code, status, channel, dispute_kind, summary, region_id, region_path, committee_id,
  mediator_id, level, sensitivity, created_at, accepted_at, due_at, deadline_state,
  ended_at, closed_at, agreement_terms, performance, failure_reason, referral,
  withdrawal_reason, judicial_requested_at, judicial_court, judicial_ruling, performed,
  updated_at)
SELECT 'BENCH-' || g.n,
  CASE WHEN g.o < 0.02 THEN 'registered' WHEN g.o < 0.04 THEN 'rejected'
       WHEN g.o < 0.07 THEN 'mediating' WHEN g.o < 0.09 THEN 'withdrawn'
       WHEN g.o < 0.20 THEN 'closed' WHEN g.o < 0.30 THEN 'succeeded' ELSE 'closed' END,
  (ARRAY['event','walk_in','hotline_12345','police_110','citizen','on_site','other'])[1 + g.n %% 7],
  (ARRAY['marriage_family','neighbour','contract','damages','labour','property','land',
         'traffic','medical','other'])[1 + (g.n / 7) %% 10],
  '基准纠纷', s.region_id, s.region_path,
  CASE WHEN g.o < 0.04 THEN NULL ELSE s.committee_id END,
  CASE WHEN g.o < 0.04 THEN NULL ELSE s.mediator_id END,
  CASE WHEN g.o < 0.04 THEN '' ELSE s.level END, '',
  g.at,
  CASE WHEN g.o >= 0.04 THEN g.at + interval '2 hours' END,
  CASE WHEN g.o >= 0.04 THEN g.at + interval '42 days' END,
  '',
  CASE WHEN g.o >= 0.07 THEN g.at + interval '10 days' END,
  CASE WHEN g.o >= 0.09 AND NOT (g.o >= 0.20 AND g.o < 0.30) THEN g.at + interval '20 days' END,
  CASE WHEN g.o >= 0.20 THEN '协议' ELSE '' END,
  CASE WHEN g.o >= 0.20 THEN 'at_once' ELSE '' END,
  CASE WHEN g.o >= 0.09 AND g.o < 0.20 THEN '分歧大' ELSE '' END,
  CASE WHEN g.o >= 0.09 AND g.o < 0.20 THEN 'litigation' ELSE '' END,
  CASE WHEN g.o >= 0.07 AND g.o < 0.09 THEN '撤回' ELSE '' END,
  CASE WHEN g.o >= 0.90 THEN g.at + interval '12 days' END,
  CASE WHEN g.o >= 0.90 THEN '基准法院' ELSE '' END,
  CASE WHEN g.o >= 0.93 THEN 'confirmed' WHEN g.o >= 0.90 THEN 'rejected' ELSE '' END,
  CASE WHEN g.o >= 0.30 THEN g.o < 0.98 WHEN g.o >= 0.25 THEN true END,
  g.at
FROM (
  SELECT n, random() AS o,
         %(start)s::timestamptz + (n::float8 / %(count)s) * (%(span)s * interval '1 second') AS at
  FROM generate_series(1, %(count)s) n
) g JOIN bench_slot s ON s.i = g.n %% (SELECT count(*) FROM bench_slot);
"""


# Cases still open more than two months before the end are settled as a county settles
# them: registered ones withdrawn, mediating ones closed with a performed agreement. A
# county has tens or hundreds of overdue cases, not 3 % of five years.
SETTLE = """
UPDATE mediation_mediationcase SET status = 'withdrawn', withdrawal_reason = '撤回',
  ended_at = created_at + interval '5 days'
WHERE code LIKE 'BENCH-%%' AND status = 'registered' AND created_at < %(cut)s;
UPDATE mediation_mediationcase SET status = 'closed', agreement_terms = '协议',
  performance = 'at_once', performed = true, ended_at = created_at + interval '10 days',
  closed_at = created_at + interval '20 days'
WHERE code LIKE 'BENCH-%%' AND status = 'mediating' AND created_at < %(cut)s;
"""


def ensure_cases(count: int) -> None:
    from pingan.mediation.models import MediationCase, MonthlyRollup

    have = MediationCase.objects.filter(code__startswith="BENCH-").count()
    if have >= count:
        print(f"{have} bench cases already there")
        return
    MediationCase.objects.filter(code__startswith="BENCH-").delete()
    MonthlyRollup.objects.all().delete()
    start = dt.datetime.combine(START, dt.time(8), tzinfo=dt.UTC)
    span = int((dt.datetime.combine(END, dt.time(8), tzinfo=dt.UTC) - start).total_seconds())
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(GENERATE, {"start": start, "count": count, "span": span})
        cut = dt.datetime.combine(END - dt.timedelta(days=60), dt.time(), tzinfo=dt.UTC)
        cur.execute(SETTLE, {"cut": cut})
    print(f"generated {count} cases in {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) mediation_mediationcase")


def leader() -> Any:
    from pingan.geo.models import Region
    from pingan.org.choices import Role
    from pingan.org.services import membership_grant, user_upsert

    user = user_upsert(username="bench-med-city", name="基准市领导", password="bench-pass-1234")
    if not user.memberships.exists():
        membership_grant(user=user, role=Role.LEADER, region=Region.objects.get(code="MB00"))
    return user


def timed(fn: Any, runs: int) -> tuple[float, float, float]:
    first = _once(fn)
    times = sorted(_once(fn) for _ in range(runs))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return first, statistics.median(times), p95


def _once(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=5)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL database")

    from django.test import Client

    from pingan.analytics import mediation_figures
    from pingan.geo.models import Region

    counties = ensure_regions(args.counties)
    ensure_committees(counties)
    ensure_cases(args.count)
    from pingan.mediation import rollup
    from pingan.mediation.models import MonthlyRollup

    if not MonthlyRollup.objects.exists():
        started = time.perf_counter()
        n = rollup.rebuild()
        print(f"rollup rebuilt: {n} rows in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) mediation_monthlyrollup")
    user = leader()
    county = Region.objects.get(code="MB01")
    town = Region.objects.get(code="MB01001")
    from pingan.mediation.models import MediationCase

    n = MediationCase.objects.filter(region_path__startswith=county.path).count()
    print(f"cases in the county: {n}")
    print(f"{'region':8} {'period':8} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for region in (county, town):
        for label, (f, t) in PERIODS.items():

            def run(region: Any = region, f: dt.date = f, t: dt.date = t) -> None:
                mediation_figures.summary(
                    user=user, region_id=region.pk, date_from=f, date_to=t, today=END
                )

            first, p50, p95 = timed(run, args.runs)
            print(f"{region.level:8} {label:8} {first:9.1f} {p50:8.1f} {p95:8.1f}")
    client = Client()
    client.force_login(user)
    url = f"/api/v1/mediation/stats?region={county.pk}&from={START}&to={END}"

    def http() -> None:
        r = client.get(url)
        assert r.status_code == 200, r.content[:300]

    first, p50, p95 = timed(http, args.runs)
    print(f"HTTP     5 years  {first:9.1f} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
