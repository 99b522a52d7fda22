"""The registers at scale (docs/registry.md, "At scale"): build N persons (default
5,000,000) in the demo county's grids on a PostgreSQL database of your own, then time the
persons list (a grid, a town, the county; first page), the search by ID number and by
phone, and the overview figures of a town and of the county, through the selectors and
over HTTP (Django's test client, the whole stack).

    createdb -h 127.0.0.1 -U postgres pingan_regbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_regbench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_regbench \\
        .venv/bin/python bench/registry_bench.py build --persons 5000000
    DATABASE_URL=... .venv/bin/python bench/registry_bench.py measure [--runs 20]

Building: rows go in with COPY, the table's secondary indexes dropped and made again
after, foreign-key triggers off (session_replication_role = replica). Encrypting 5M x 4
values with Fernet costs ~16 us each (over five minutes of one core), so the ciphertexts
of names, addresses, ID numbers and phones come from pools of a few thousand tokens made
once and reused; the BLIND INDEXES are computed for every person from their own unique
ID number and phone (HMAC, ~2 us), so searching finds exactly one person, as in life.
A benchmark database only: a reused token decrypts to another person's value.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import logging  # noqa: E402

logging.disable(logging.INFO)  # one request log line per page would bury the figures

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from pingan.access.actor import Actor  # noqa: E402
from pingan.core import clock, pii  # noqa: E402
from pingan.demo import geography  # noqa: E402
from pingan.geo.models import Region  # noqa: E402
from pingan.geo.scope import within_q  # noqa: E402
from pingan.org.choices import Role  # noqa: E402
from pingan.org.services import membership_grant, user_upsert  # noqa: E402
from pingan.places import stats as places_stats  # noqa: E402
from pingan.places.models import Camera, Place, RentalHouse  # noqa: E402
from pingan.registry import rollup  # noqa: E402
from pingan.registry import selectors as sel  # noqa: E402
from pingan.registry import stats as registry_stats  # noqa: E402
from pingan.registry.models import (  # noqa: E402
    KeyPerson,
    KeyPersonCategory,
    Person,
    ResidencePermit,
    VisitTask,
)

COUNTY = "330424"
POOL = 5_000  # ciphertexts per personal field, reused
CHUNK = 200_000
PASSWORD = "Bench@2026-registry"
W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
DAYS = 29_000  # birth dates: 29,000 days from 1940-01-01


def id_of(i: int) -> str:
    """The i-th unique valid ID number of the county (birth day × sequence)."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=i % DAYS)
    first17 = f"{COUNTY}{born:%Y%m%d}{i // DAYS:03d}"
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, W, strict=True)) % 11]


def phone_of(i: int) -> str:
    return f"170{i:08d}"


def _tokens(make: Callable[[random.Random], str], rng: random.Random) -> list[str]:
    return [pii.encrypt(make(rng)) for _i in range(POOL)]


def _copy(table: str, columns: list[str], rows: Any) -> int:
    n = 0
    with (
        connection.cursor() as c,
        c.cursor.copy(  # type: ignore[attr-defined]
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as c:
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE '%%_pkey'",
            [table],
        )
        return [(r[0], r[1]) for r in c.fetchall()]


def _constraint_indexes(table: str) -> set[str]:
    with connection.cursor() as c:
        c.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        return {r[0] for r in c.fetchall()}


def _max_id(table: str) -> int:
    with connection.cursor() as c:
        c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(c.fetchone()[0])


def _reset_sequence(table: str) -> None:
    with connection.cursor() as c:
        c.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def ensure_regions() -> Region:
    county = Region.objects.filter(code=COUNTY).first()
    if county is not None:
        return county
    geo = geography.build(seed=2026)
    out = Path("var/bench-registry")
    csv_path, geojson_path = geography.write_files(geo, out)
    call_command("import_regions", csv=str(csv_path), geojson=str(geojson_path), stdout=StringIO())
    return Region.objects.get(code=COUNTY)


def ensure_users(county: Region) -> dict[str, Any]:
    town = Region.objects.filter(parent=county).order_by("code")[0]
    grid = Region.objects.filter(within_q("path", [town.path]), level="grid").order_by("code")[0]
    who = {
        "bench-county": (Role.DISPATCHER, county),
        "bench-town": (Role.DISPATCHER, town),
        "bench-grid": (Role.GRID_WORKER, grid),
    }
    users = {}
    for username, (role, region) in who.items():
        user = user_upsert(username=username, name=username, password=PASSWORD)
        if not user.memberships.filter(role=role, region=region).exists():
            membership_grant(user=user, role=role, region=region)
        users[username] = user
    return {"users": users, "town": town, "grid": grid}


def build(persons: int, seed: int) -> None:
    t0 = time.monotonic()
    county = ensure_regions()
    ensure_users(county)
    grids = list(
        Region.objects.filter(
            within_q("path", [county.path]), level="grid", is_special=False
        ).order_by("code")
    )
    have = Person.objects.count()
    if have >= persons:
        print(f"already {have} persons")
        return
    rng = random.Random(seed)
    names = _tokens(lambda r: r.choice("张王李陈沈朱徐吴顾周") + r.choice("伟芳敏静强磊军洋"), rng)
    ids = _tokens(lambda r: id_of(r.randrange(10**6)), rng)
    phones = _tokens(lambda r: phone_of(r.randrange(10**6)), rng)
    addresses = _tokens(lambda r: f"武原路{r.randint(1, 999)}号{r.randint(1, 30)}幢", rng)
    print(f"pools ready in {time.monotonic() - t0:.1f}s")
    table = Person._meta.db_table
    indexes = _secondary_indexes(table)
    unique = _constraint_indexes(table)
    now = timezone.now()
    today = timezone.localdate(clock.now())
    first = _max_id(table) + 1
    columns = [
        "id",
        "name",
        "id_number",
        "id_index",
        "sex",
        "birth_date",
        "phone",
        "phone_index",
        "kind",
        "household_id",
        "relation",
        "address",
        "region_id",
        "region_path",
        "county_id",
        "status",
        "moved_in_at",
        "moved_out_at",
        "sensitivity",
        "points_total",
        "anonymised_at",
        "created_by_id",
        "created_at",
        "updated_by_id",
        "updated_at",
    ]
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("SET LOCAL session_replication_role = replica")
            for name, _def in indexes:
                if name in unique:
                    c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                else:
                    c.execute(f'DROP INDEX "{name}"')
        print(f"indexes dropped: {[n for n, _d in indexes]}")
        todo = persons - have

        def rows() -> Any:
            for k in range(todo):
                i = have + k
                number, phone = id_of(i), phone_of(i)
                grid = grids[(i * 7919) % len(grids)]
                born = dt.date(1940, 1, 1) + dt.timedelta(days=i % DAYS)
                new = i % 5 == 0
                gone = i % 31 == 0
                yield (
                    first + k,
                    names[i % POOL],
                    ids[i % POOL],
                    pii.blind_index(number, kind="id_number"),
                    "male" if int(number[16]) % 2 else "female",
                    born,
                    phones[i % POOL] if i % 7 else "",
                    pii.blind_index(phone, kind="phone") if i % 7 else "",
                    "new_resident" if new else "registered",
                    None,
                    "",
                    addresses[i % POOL],
                    grid.pk,
                    grid.path,
                    county.pk,
                    "moved_out" if gone else "present",
                    today - dt.timedelta(days=i % 2000) if new else None,
                    today - dt.timedelta(days=i % 700) if gone else None,
                    "",
                    0,
                    None,
                    None,
                    now,
                    None,
                    now,
                )

        t1 = time.monotonic()
        n = _copy(table, columns, rows())
        print(f"persons: {n} copied in {time.monotonic() - t1:.1f}s")
        t2 = time.monotonic()
        with connection.cursor() as c:
            c.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for name, definition in indexes:
                if name in unique:
                    continue
                c.execute(definition)
            for name in unique:
                # The one-person-per-ID-number-per-county constraint, as the migration has it.
                c.execute(
                    f'CREATE UNIQUE INDEX "{name}" ON {table} (county_id, id_index) '
                    "WHERE NOT (id_index = '')"
                )
        print(f"indexes made in {time.monotonic() - t2:.1f}s")
        _reset_sequence(table)
        _side_tables(county, grids, first, n, today, now, rng, addresses)
    with connection.cursor() as c:
        t3 = time.monotonic()
        c.execute("VACUUM ANALYZE")
        print(f"vacuum analyze in {time.monotonic() - t3:.1f}s")
    t4 = time.monotonic()
    grids_counted = rollup.rebuild()  # the figures' per-grid rollup, as bulk writers do
    print(f"rollup of {grids_counted} grids rebuilt in {time.monotonic() - t4:.1f}s")
    print(f"built in {time.monotonic() - t0:.1f}s")


def _side_tables(
    county: Region,
    grids: list[Region],
    first: int,
    n: int,
    today: dt.date,
    now: dt.datetime,
    rng: random.Random,
    addresses: list[str],
) -> None:
    """Permits of the new residents, key persons with tasks, rental houses, places and
    cameras in proportion (the overview counts them)."""
    t = time.monotonic()
    permits = _copy(
        ResidencePermit._meta.db_table,
        [
            "person_id",
            "status",
            "number",
            "applied_on",
            "issued_on",
            "expires_on",
            "note",
            "region_path",
            "created_at",
            "updated_at",
        ],
        (
            (
                first + k,
                "issued",
                "",
                today - dt.timedelta(days=400),
                today - dt.timedelta(days=390),
                today + dt.timedelta(days=(k * 13) % 365),
                "",
                grids[((k + (first - 1)) * 7919) % len(grids)].path,
                now,
                now,
            )
            for k in range(0, n, 5)
        ),
    )
    cats = list(KeyPersonCategory.objects.order_by("pk"))
    kp_first = _max_id(KeyPerson._meta.db_table) + 1
    kps = [
        (
            kp_first + j,
            first + k,
            cats[j % len(cats)].pk,
            today - dt.timedelta(days=300),
            "low",
            "",
            "active",
            cats[j % len(cats)].sensitivity,
            grids[((k + first - 1) * 7919) % len(grids)].pk,
            grids[((k + first - 1) * 7919) % len(grids)].path,
            now,
            now,
        )
        for j, k in enumerate(range(3, n, max(1, n // 5000)))
    ]
    _copy(
        KeyPerson._meta.db_table,
        [
            "id",
            "person_id",
            "category_id",
            "since",
            "risk_level",
            "note",
            "status",
            "sensitivity",
            "region_id",
            "region_path",
            "created_at",
            "updated_at",
        ],
        kps,
    )
    tasks = _copy(
        VisitTask._meta.db_table,
        ["key_person_id", "opens_on", "due_on", "missed", "region_path", "created_at", "done_at"],
        (
            (
                kp[0],
                today - dt.timedelta(days=30 * m + 7),
                today - dt.timedelta(days=30 * m),
                m > 0 and kp[0] % 9 == 0,
                kp[9],
                now,
                None if (m == 0 or kp[0] % 9 == 0) else now - dt.timedelta(days=30 * m),
            )
            for kp in kps
            for m in range(12)
        ),
    )
    houses = _copy(
        RentalHouse._meta.db_table,
        [
            "address",
            "rooms",
            "kind",
            "managed",
            "status",
            "rating",
            "note",
            "region_id",
            "region_path",
            "lat",
            "lng",
            "created_at",
            "updated_at",
            "registered_on",
            "last_check_on",
            "last_check_result",
            "last_hazards",
        ],
        (
            (
                addresses[h % POOL],
                1 + h % 6,
                "rooms",
                "[]",
                "let",
                ("green", "green", "yellow", "red", "")[h % 5],
                "",
                g.pk,
                g.path,
                None,
                None,
                now,
                now,
                today - dt.timedelta(days=800),
                today - dt.timedelta(days=h % 400),
                "pass",
                0,
            )
            for h in range(n // 50)
            for g in [grids[(h * 31) % len(grids)]]
        ),
    )
    places = _copy(
        Place._meta.db_table,
        [
            "kind",
            "name",
            "credit_code",
            "address",
            "owner_is_person",
            "manager_name",
            "manager_phone",
            "sector",
            "status",
            "region_id",
            "region_path",
            "lat",
            "lng",
            "created_at",
            "updated_at",
            "registered_on",
            "last_check_result",
            "last_hazards",
        ],
        (
            (
                ("school", "catering", "enterprise", "market")[p % 4],
                f"单位{p}",
                "",
                "",
                False,
                "",
                "",
                "",
                "open",
                g.pk,
                g.path,
                None,
                None,
                now,
                now,
                today - dt.timedelta(days=500),
                "",
                0,
            )
            for p in range(n // 500)
            for g in [grids[(p * 17) % len(grids)]]
        ),
    )
    cameras = _copy(
        Camera._meta.db_table,
        [
            "code",
            "name",
            "kind",
            "owner_unit",
            "link_name",
            "status",
            "region_id",
            "region_path",
            "lat",
            "lng",
            "created_at",
            "updated_at",
        ],
        (
            (
                f"BENCH{c:08d}",
                f"点位{c}",
                "social",
                "",
                "",
                "online",
                g.pk,
                g.path,
                30.5,
                120.9,
                now,
                now,
            )
            for c in range(n // 1000)
            for g in [grids[(c * 13) % len(grids)]]
        ),
    )
    for model in (KeyPerson, VisitTask, RentalHouse, Place, Camera, ResidencePermit):
        _reset_sequence(model._meta.db_table)
    print(
        f"permits {permits}, key persons {len(kps)}, tasks {tasks}, rental houses {houses}, "
        f"places {places}, cameras {cameras} in {time.monotonic() - t:.1f}s"
    )


# ---- measuring -------------------------------------------------------------------------------


def _time(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    fn()  # warm-up
    samples = []
    for _i in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, samples[-1]


def _first_page(qs: Any) -> None:
    qs.order_by().values("pk")[:5001].count()  # the pager's capped count
    list(qs[:50])


def sel_update(person: Any) -> None:
    """A change through the services (the relation field, plain text): its transaction
    recounts the person's grid."""
    from pingan.registry import services

    services.person_update(
        actor=Actor.system("bench"), person_id=person.pk, relation=f"子{time.monotonic_ns()}"[:20]
    )


def measure(runs: int, only: str) -> None:
    county = Region.objects.get(code=COUNTY)
    who = ensure_users(county)
    users = who["users"]
    town, grid = who["town"], who["grid"]
    n = Person.objects.count()
    print(f"persons: {n:,}; town {town.name}, grid {grid.name}")
    actor_c = Actor.for_user(users["bench-county"])
    actor_t = Actor.for_user(users["bench-town"])
    actor_g = Actor.for_user(users["bench-grid"])
    sample = Person.objects.filter(region_id=grid.pk).order_by("id")[0]
    k = sample.pk - Person.objects.order_by("id")[0].pk
    id_number, phone = id_of(k), phone_of(k)
    day = timezone.localdate(clock.now())
    if not rollup.fresh(county, day):
        t = time.monotonic()
        rollup.rebuild()
        print(f"rollup rebuilt (not counted today) in {time.monotonic() - t:.1f}s")
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("rollup: recount one grid", lambda: rollup.recount([grid.path])),
        (
            "rollup: a write with its grid's recount (person_update)",
            lambda: sel_update(sample),
        ),
        (
            "selector: figures direct count, town",
            lambda: registry_stats.direct_counts(actor_t, town),
        ),
        ("selector: figures from rollup, town", lambda: registry_stats.counts(actor_t, town)),
        ("selector: figures from rollup, county", lambda: registry_stats.counts(actor_c, county)),
        (
            "selector: persons, grid (grid worker)",
            lambda: _first_page(sel.person_list(actor=actor_g)),
        ),
        ("selector: persons, town", lambda: _first_page(sel.person_list(actor=actor_t))),
        ("selector: persons, county", lambda: _first_page(sel.person_list(actor=actor_c))),
        (
            "selector: county, grid filter",
            lambda: _first_page(sel.person_list(actor=actor_c, grid=grid.pk)),
        ),
        (
            "selector: search ID number (county)",
            lambda: _first_page(sel.person_list(actor=actor_c, q=id_number)),
        ),
        (
            "selector: search phone (county)",
            lambda: _first_page(sel.person_list(actor=actor_c, q=phone)),
        ),
        (
            "selector: overview figures, town",
            lambda: (registry_stats.counts(actor_t, town), places_stats.counts(actor_t, town)),
        ),
        (
            "selector: overview figures, county",
            lambda: (registry_stats.counts(actor_c, county), places_stats.counts(actor_c, county)),
        ),
    ]
    clients = {}
    for name, user in users.items():
        c = Client()
        c.force_login(user)
        clients[name] = c

    def get(user: str, url: str) -> Callable[[], Any]:
        def call() -> None:
            r = clients[user].get(url)
            assert r.status_code == 200, (url, r.status_code)

        return call

    cases += [
        ("HTTP: /registry/persons/ grid worker", get("bench-grid", "/registry/persons/")),
        ("HTTP: /registry/persons/ town", get("bench-town", "/registry/persons/")),
        ("HTTP: /registry/persons/ county", get("bench-county", "/registry/persons/")),
        ("HTTP: search ID number", get("bench-county", f"/registry/persons/?q={id_number}")),
        ("HTTP: search phone", get("bench-county", f"/registry/persons/?q={phone}")),
        ("HTTP: /registry/ overview, town", get("bench-town", "/registry/")),
        ("HTTP: /registry/ overview, county", get("bench-county", "/registry/")),
    ]
    print(f"{'case':45} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, fn in cases:
        if only and only not in label:
            continue
        p50, p95, top = _time(fn, runs)
        print(f"{label:45} {p50:8.1f} {p95:8.1f} {top:8.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["build", "measure"])
    ap.add_argument("--persons", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL to a database of your own")
    if args.what == "build":
        build(args.persons, args.seed)
    else:
        measure(args.runs, args.only)


if __name__ == "__main__":
    main()
