"""What one request of the load scenario costs alone (issue 24; docs/performance.md,
"Cost of one request").

    DATABASE_URL=sqlite:////tmp/cost.sqlite3 .venv/bin/python bench/request_cost.py \\
        [--runs 30] [--warmup 3] [--profile bench/profiles] [--only report,accept]
    .venv/bin/python bench/request_cost.py --argon2        # the hashers' cost only

Every request kind that `bench/load/locustfile.py` makes (same URLs, same bodies, same
users: the demo county's accounts), plus the dispatcher's workbench and the phone app's
start (`/m/`, field bootstrap and tasks, as bench/load/shift_change.py asks), goes
through Django's whole stack in this process (`django.test.Client`: every middleware,
the URL resolver, the API's schemas, the templates), one at a time, as one gunicorn
worker thread serves it: `--warmup` requests first (URL resolution, template
compilation, the API schema, the process's caches), then `--runs` timed ones. Per
request: CPU time of the process (`time.process_time`: far less sensitive to the other
work on the machine than wall time, not immune), wall time, and the SQL statements. The
table gives p50 / p95 and the issue's budget for the kind; then one Argon2 hash with
Django's and OWASP's parameters (`--argon2` alone). Sign-ins pay the configured hasher,
or Django's own Argon2 parameters with `--django-argon2`.

With `--profile DIR` (default bench/profiles) each kind is run `--profile-runs` more
times under cProfile (CPU-time clock) and `DIR/<kind>.txt` gets the top 25: the project's
functions by cumulative time, all by own time, all by cumulative time; then the SQL
statements of one request.

With `--plans` (PostgreSQL) the statements of one more request of each kind are planned
again with `EXPLAIN (SUMMARY)`: the table gets the kind's planning milliseconds in all,
and the statements planned in more than 2 ms are printed after it (a statement that
names no month is planned over every monthly partition of the events table:
docs/adr/0006-partitioning.md).

The data it needs it makes through the services: the demo county (`load_demo --events
N`, if the database has none), events waiting for acceptance and accepted events for
dispatch (`event_report`, `event_transition`), API tokens (`token_issue`); it sets the
demo password again on the two sign-in accounts (`user_upsert`), so that they are hashed
with the hasher being measured. It writes, so
it refuses a database that does not look throwaway (a SQLite file outside `var/`, or a
PostgreSQL database whose name contains "bench", "cost", "tmp" or "test") unless `--yes`.
Photos go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import gc
import io
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As bench/load/run.sh serves it: no debug pages or query log (CaptureQueriesContext
# still sees every statement).
os.environ.setdefault("DEBUG", "false")
if "MEDIA_ROOT" not in os.environ:
    # Photos of the run go to a temporary directory, removed at exit.
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="pingan_cost_media_")
    atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], ignore_errors=True)


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=30, help="timed requests per kind")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per kind first")
    p.add_argument("--profile", nargs="?", const="bench/profiles", default=None, metavar="DIR")
    p.add_argument("--profile-runs", type=int, default=10)
    p.add_argument(
        "--plans",
        action="store_true",
        help="PostgreSQL: each statement's planning time (EXPLAIN (SUMMARY)) per kind",
    )
    p.add_argument("--only", default="", help="comma-separated kind keys (see --list)")
    p.add_argument("--list", action="store_true", help="list the kinds and exit")
    p.add_argument("--events", type=int, default=2000, help="load_demo --events when empty")
    p.add_argument("--argon2", action="store_true", help="only the password hashers' cost")
    p.add_argument(
        "--django-argon2",
        action="store_true",
        help="sign in with Django's Argon2PasswordHasher (the parameters before issue 24)",
    )
    p.add_argument("--yes", action="store_true", help="write into any database")
    return p.parse_args()


ARGS = _args()

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.disable(logging.INFO)  # the request log would bury the table

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# The same request bodies as bench/load/locustfile.py (not imported: locust may not be
# installed where this runs).
PASSWORD = "Pingan@2026"
SEARCH_WORDS = ["噪音", "垃圾", "漏水", "纠纷", "占道", "路灯", "消防", "停车"]


def _photo() -> bytes:
    from PIL import Image

    rng = random.Random(7)
    img = Image.new("RGB", (800, 600))
    img.putdata([(rng.randrange(256), rng.randrange(200), 90) for _ in range(800 * 600)])
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


PHOTO = _photo()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


# ---- the database ---------------------------------------------------------------------------


def guard() -> str:
    """Refuse a database that does not look throwaway; return a short label for it."""
    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    if connection.vendor == "sqlite":
        throwaway = not Path(name).resolve().is_relative_to((ROOT / "var").resolve())
    else:
        throwaway = any(w in name for w in ("bench", "cost", "tmp", "test"))
    if not throwaway and not ARGS.yes:
        sys.exit(
            f"{name} does not look like a throwaway database and this script writes into it; "
            "set DATABASE_URL to one (e.g. sqlite:////tmp/cost.sqlite3) or pass --yes"
        )
    return f"{connection.vendor} {name}"


def build() -> None:
    from django.core.management import call_command

    from pingan.geo.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="330424").exists():
        print(f"building the demo county (load_demo --events {ARGS.events}) …", flush=True)
        call_command("load_demo", events=ARGS.events, verbosity=0)


# ---- the people and their clients -----------------------------------------------------------


@dataclass
class World:
    """Signed-in clients as the locust users hold them, and pools of events to act on."""

    gw_api: Client
    gw_web: Client  # the phone app (/m/) signs in on the web page and uses the session
    disp_api: Client
    disp_web: Client
    leader_api: Client
    leader_web: Client
    grid: int
    categories: list[int]
    departments: list[int]
    reported: list[int] = field(default_factory=list)  # waiting for acceptance
    accepted: list[int] = field(default_factory=list)  # waiting for dispatch
    new_events: list[int] = field(default_factory=list)  # for photos
    cases: list[int] = field(default_factory=list)  # mediation cases waiting for acceptance
    live_version: str = ""  # what the dispatcher's open page last saw (`_live`)


def _api_client(username: str) -> Client:
    from pingan.accounts.models import User
    from pingan.accounts.services import token_issue

    token = token_issue(user=User.objects.get(username=username), label="request_cost")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _web_client(username: str) -> Client:
    c = Client()
    r = c.post("/login/", {"username": username, "password": PASSWORD})
    if r.status_code != 302:
        sys.exit(f"web sign-in of {username} answered {r.status_code}")
    return c


def world() -> World:
    gw = _api_client("demo-gridworker")
    me = gw.get("/api/v1/me").json()
    grid = next(r["region"] for r in me["roles"] if r["role"] == "grid_worker")
    cats = gw.get("/api/v1/categories").json()
    categories = [
        c["id"]
        for c in cats
        if c.get("parent") and not any(f.get("required") for f in c.get("extra_fields", []))
    ]
    disp = _api_client("demo-town-dispatcher")
    deps = disp.get("/api/v1/departments").json()
    return World(
        gw_api=gw,
        gw_web=_web_client("demo-gridworker"),
        disp_api=disp,
        disp_web=_web_client("demo-town-dispatcher"),
        leader_api=_api_client("demo-leader"),
        leader_web=_web_client("demo-leader"),
        grid=grid,
        categories=categories,
        departments=[d["id"] for d in deps if d["region_name"] == "海盐县"],
    )


def _report_body(w: World) -> dict[str, Any]:
    return {
        "category": random.choice(w.categories),
        "description": f"巡查发现{random.choice(SEARCH_WORDS)}问题，请处理",
        "region": w.grid,
        "client_uuid": str(uuid.uuid4()),
    }


def fill_pools(w: World, need: int, *, accepted: bool) -> None:
    """`need` events waiting in the town dispatcher's queue (and as many accepted), made
    through the services as the grid worker and the dispatcher."""
    from pingan.accounts.models import User
    from pingan.events.reporting import event_report
    from pingan.events.services import event_transition

    gw = User.objects.get(username="demo-gridworker")
    disp = User.objects.get(username="demo-town-dispatcher")
    for _ in range(need):
        body = _report_body(w)
        event, _ = event_report(
            actor=gw, category=body["category"], description=body["description"], region=w.grid
        )
        w.reported.append(event.pk)
        w.new_events.append(event.pk)
    if accepted:
        for _ in range(need):
            pk = w.reported.pop()
            event_transition(actor=disp, event_id=pk, action="accept")
            w.accepted.append(pk)
        fill_pools(w, need, accepted=False)


MEDIATION_PARTIES = [
    {"role": "applicant", "name": "王小明", "phone": "13812345678"},
    {"role": "respondent", "name": "李大华", "phone": "13987654321"},
]


def fill_cases(w: World, need: int) -> None:
    """`need` mediation cases registered in the town dispatcher's grid (a people's
    mediation committee there if the database has none), through the services."""
    from pingan.accounts.models import User
    from pingan.geo.models import Region
    from pingan.mediation.models import Committee
    from pingan.mediation.services import committee_create, mediation_case_create

    disp = User.objects.get(username="demo-town-dispatcher")
    grid = Region.objects.get(pk=w.grid)
    village = grid.parent
    assert village is not None
    if not Committee.objects.filter(region=village).exists():
        committee_create(name=f"{village.name}人民调解委员会", level="village", region=village)
    for i in range(need):
        case, _ = mediation_case_create(
            actor=disp,
            summary=f"两户因楼道堆物发生争执（第{i}件）",
            region=w.grid,
            parties=MEDIATION_PARTIES,
            dispute_kind="neighbour",
        )
        w.cases.append(case.pk)


def _case_accept(w: World) -> Response:
    pk = w.cases.pop()
    return w.disp_api.post(
        f"/api/v1/mediation/cases/{pk}/transitions",
        {"action": "accept"},
        content_type="application/json",
    )


def _case_create(w: World) -> Response:
    body = {
        "summary": "邻里因噪声发生争执",
        "region": w.grid,
        "parties": MEDIATION_PARTIES,
        "dispute_kind": "neighbour",
        "client_uuid": str(uuid.uuid4()),
    }
    return w.disp_api.post("/api/v1/mediation/cases", body, content_type="application/json")


def _case_get(w: World) -> Response:
    return w.disp_api.get(f"/api/v1/mediation/cases/{w.cases[0]}")


# ---- the kinds ------------------------------------------------------------------------------


Response = Any  # the test client's response (django-stubs: _MonkeyPatchedWSGIResponse)


@dataclass(frozen=True)
class Kind:
    key: str
    name: str  # as locust names it
    budget_ms: float | None
    call: Callable[[World], Response]
    ok: tuple[int, ...] = (200,)


_ip = iter(range(1, 1 << 24))


def _sign_in_addr() -> str:
    # Sign-ins are rate-limited per address (PINGAN_RATELIMIT_LOGIN): each from its own.
    n = next(_ip)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _token(w: World) -> Response:
    return Client(REMOTE_ADDR=_sign_in_addr()).post(
        "/api/v1/auth/token",
        {"username": "demo-gridworker", "password": PASSWORD},
        content_type="application/json",
    )


def _web_login(w: World) -> Response:
    c = Client(REMOTE_ADDR=_sign_in_addr())
    return c.post("/login/", {"username": "demo-handler", "password": PASSWORD})


def _login_page(w: World) -> Response:
    return Client(REMOTE_ADDR=_sign_in_addr()).get("/login/")


def _report(w: World) -> Response:
    r = w.gw_api.post("/api/v1/events", _report_body(w), content_type="application/json")
    if r.status_code == 201:
        w.new_events.append(r.json()["id"])
    return r


def _attach(w: World) -> Response:
    pk = w.new_events.pop()
    upload = io.BytesIO(PHOTO)
    upload.name = "IMG_0001.jpg"
    return w.gw_api.post(f"/api/v1/events/{pk}/attachments", {"file": upload})


def _accept(w: World) -> Response:
    pk = w.reported.pop()
    r = w.disp_api.post(
        f"/api/v1/events/{pk}/transitions", {"action": "accept"}, content_type="application/json"
    )
    w.accepted.insert(0, pk)
    return r


def _dispatch(w: World) -> Response:
    pk = w.accepted.pop()
    body = {"action": "dispatch", "lead_department": random.choice(w.departments)}
    return w.disp_api.post(
        f"/api/v1/events/{pk}/transitions", body, content_type="application/json"
    )


def _get(client: str, url: Callable[[], str] | str) -> Callable[[World], Response]:
    def call(w: World) -> Response:
        return getattr(w, client).get(url() if callable(url) else url)

    return call


def _live(w: World) -> Response:
    """The dispatcher's open page polling with the version it last saw: an empty 204 while
    nothing changed (the usual answer), the counts and a new version otherwise."""
    r = w.disp_web.get("/workbench/live/", {"v": w.live_version})
    if r.status_code == 200:
        w.live_version = r.json()["version"]
    return r


def _search() -> str:
    return f"/events/?q={random.choice(SEARCH_WORDS)}"


QUEUE_API = "/api/v1/events?status=reported&page_size=5"

# The issue's budgets: report ≤ 40 ms of CPU; accept / dispatch ≤ 25; list and workbench
# pages ≤ 30; the stats summary ≤ 10. Kinds without one are shown for completeness.
KINDS = [
    Kind("report", "report event (API)", 40, _report, (201,)),
    Kind("photo", "attach photo (API)", None, _attach, (201,)),
    Kind("queue_api", "queue (API)", None, _get("disp_api", QUEUE_API)),
    Kind("accept", "accept (API)", 25, _accept),
    Kind("dispatch", "dispatch (API)", 25, _dispatch),
    Kind("queue_page", "list page: queue", 30, _get("disp_web", "/events/?status=reported")),
    Kind("live", "live poll (dispatcher's page)", None, _live, (200, 204)),
    Kind("search_page", "list page: search", 30, _get("disp_web", _search)),
    Kind("county_page", "list page: county", 30, _get("leader_web", "/events/")),
    Kind("workbench", "workbench page (leader)", 30, _get("leader_web", "/")),
    Kind("workbench_disp", "workbench page (town dispatcher)", 30, _get("disp_web", "/")),
    Kind("dashboard", "dashboard page", None, _get("leader_web", "/dashboard/")),
    Kind("extras", "dashboard extras", None, _get("leader_web", "/dashboard/extras/")),
    Kind("map", "dashboard map", None, _get("leader_web", "/dashboard/map.geojson")),
    Kind("stats", "stats summary (API)", 10, _get("leader_api", "/api/v1/stats/summary")),
    Kind("me", "/api/v1/me", None, _get("gw_api", "/api/v1/me")),
    Kind("categories", "/api/v1/categories", None, _get("gw_api", "/api/v1/categories")),
    Kind("departments", "/api/v1/departments", None, _get("disp_api", "/api/v1/departments")),
    Kind("login_page", "/login/ (GET)", None, _login_page),
    # What the phone app asks when it starts (bench/load/shift_change.py after sign-in).
    Kind("field_shell", "/m/", None, _get("gw_web", "/m/")),
    Kind("field_boot", "field bootstrap", None, _get("gw_web", "/api/v1/field/bootstrap")),
    Kind("field_tasks", "field tasks", None, _get("gw_web", "/api/v1/field/tasks")),
    # Sign-ins last: a web sign-in may end older sessions of the same user.
    Kind("token", "auth token (API)", None, _token),
    Kind("login", "/login/ POST", None, _web_login, (302,)),
    # Mediation (docs/mediation.md): registration, the case, acceptance, lists, figures.
    Kind("case_create", "mediation: register (API)", None, _case_create, (201,)),
    Kind("case_get", "mediation: case (API)", None, _case_get),
    Kind("case_accept", "mediation: accept (API)", 25, _case_accept),
    Kind("case_list", "mediation: list (API)", None, _get("disp_api", "/api/v1/mediation/cases")),
    Kind("case_stats", "mediation: stats (API)", 10, _get("leader_api", "/api/v1/mediation/stats")),
    Kind("case_workbench", "mediation: workbench page", 30, _get("disp_web", "/mediation/")),
]  # fmt: skip


@dataclass
class Sample:
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    sql: list[int] = field(default_factory=list)
    bad: dict[int, int] = field(default_factory=dict)


def once(
    kind: Kind, w: World, s: Sample | None, prof: cProfile.Profile | None
) -> list[dict[str, str]]:
    connection.queries_log.clear()  # a bounded deque: once full, the count would read 0
    with CaptureQueriesContext(connection) as q:
        if prof is not None:
            prof.enable()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        r = kind.call(w)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if prof is not None:
            prof.disable()
    if s is not None:
        s.cpu.append(cpu * 1000)
        s.wall.append(wall * 1000)
        s.sql.append(len(q))
        if r.status_code not in kind.ok:
            s.bad[r.status_code] = s.bad.get(r.status_code, 0) + 1
    return q.captured_queries


def planning_ms(queries: list[dict[str, str]]) -> list[tuple[float, str]]:
    """(planning ms, SQL) of each read or write among `queries`, planned again by
    PostgreSQL with EXPLAIN (SUMMARY), which does not run the statement."""
    out = []
    for q in queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE", "INSERT")):
            continue
        with connection.cursor() as c:
            c.execute("EXPLAIN (SUMMARY, FORMAT JSON) " + sql)
            plan = c.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        out.append((float(plan[0]["Planning Time"]), sql))
    return out


def _short(text: str) -> str:
    # Absolute paths of this machine say nothing; keep the files small and comparable.
    site = str(Path(django.__file__).resolve().parent.parent) + "/"
    stdlib = sysconfig.get_paths()["stdlib"] + "/"
    return text.replace(site, "").replace(stdlib, "stdlib/").replace(str(ROOT) + "/", "")


def write_profile(
    kind: Kind, prof: cProfile.Profile, runs: int, label: str, queries: list[dict[str, str]]
) -> Path:
    out = Path(ARGS.profile)
    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write(f"{kind.name}: {runs} requests under cProfile ({label})\n")
    buf.write(
        "bench/request_cost.py --profile; CPU seconds of this process (time.process_time), "
        "inflated by cProfile's own overhead\n\n"
    )
    sections = [
        ("cumulative", "pingan/", "the project's own functions by cumulative time"),
        ("tottime", None, "all functions by own time"),
        ("cumulative", None, "all functions by cumulative time"),
    ]
    for order, only, title in sections:
        buf.write(f"==== top 25: {title} ====\n")
        stats = pstats.Stats(prof, stream=buf).sort_stats(order)
        stats.print_stats(*([only, 25] if only else [25]))
    buf.write(f"==== the {len(queries)} SQL statements of one request ====\n")
    for i, qq in enumerate(queries, 1):
        sql = " ".join(qq["sql"].split())
        buf.write(f"{i:3}. {sql[:200]}{' …' if len(sql) > 200 else ''}\n")
    path = out / f"{kind.key}.txt"
    path.write_text(_short(buf.getvalue()), encoding="utf-8")
    return path


SIGN_IN_USERS = ("demo-gridworker", "demo-handler")


def sign_in_hasher() -> str:
    """The hasher sign-ins pay for: the configured one, or Django's own Argon2 with
    `--django-argon2`. The sign-in users' passwords are hashed with it, as they are after
    their first sign-in (a stored hash with other parameters is verified at its own cost,
    then re-hashed)."""
    from django.contrib.auth.hashers import get_hasher, get_hashers, get_hashers_by_algorithm

    from pingan.accounts.models import User
    from pingan.org.services import user_upsert

    if ARGS.django_argon2:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
        get_hashers.cache_clear()  # type: ignore[attr-defined]
        get_hashers_by_algorithm.cache_clear()  # type: ignore[attr-defined]
    for u in User.objects.filter(username__in=SIGN_IN_USERS):
        user_upsert(
            username=u.username, name=u.name, password=PASSWORD, email=u.email, phone=u.phone
        )
    return type(get_hasher()).__name__


def run_kinds(label: str) -> None:
    chosen = [k for k in KINDS if not ARGS.only or k.key in ARGS.only.split(",")]
    label = f"{label}; sign-in hasher {sign_in_hasher()}"
    w = world()
    per_kind = ARGS.warmup + ARGS.runs + (ARGS.profile_runs if ARGS.profile else 0) + ARGS.plans
    keys = {k.key for k in chosen}
    if keys & {"accept", "dispatch", "photo"}:
        fill_pools(w, per_kind, accepted="dispatch" in keys)
    if keys & {"case_accept", "case_get"}:
        fill_cases(w, per_kind + 1)
    # As gunicorn's post_worker_init does: what the process loaded stays out of the
    # collector's way.
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()
    results: list[tuple[Kind, Sample]] = []
    plans: dict[str, list[tuple[float, str]]] = {}
    for kind in chosen:
        for _ in range(ARGS.warmup):
            once(kind, w, None, None)
        s = Sample()
        for _ in range(ARGS.runs):
            once(kind, w, s, None)
        results.append((kind, s))
        if ARGS.plans and connection.vendor == "postgresql":
            plans[kind.key] = planning_ms(once(kind, w, None, None))
        if ARGS.profile:
            # CPU time, as the table: a wait for the database is not a cost of this process.
            prof = cProfile.Profile(time.process_time)
            for _ in range(ARGS.profile_runs):
                queries = once(kind, w, None, prof)
            write_profile(kind, prof, ARGS.profile_runs, label, queries)
        print(f"  {kind.name}: done", file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    print(f"\n{label}; {ARGS.runs} timed requests per kind after {ARGS.warmup} untimed")
    planned = " planning ms (PostgreSQL) |" if plans else ""
    print(f"| request | CPU ms p50 / p95 | wall ms p50 | SQL statements | budget (CPU) |{planned}")
    print("|---|---|---|---|---|" + ("---|" if plans else ""))
    for kind, s in results:
        lo, hi = min(s.sql), max(s.sql)
        sql = f"{lo}" if lo == hi else f"{lo}–{hi}"
        p50 = pct(s.cpu, 0.5)
        if kind.budget_ms is None:
            budget = ""
        else:
            verdict = "under" if p50 <= kind.budget_ms else "**over**"
            budget = f"≤ {kind.budget_ms:.0f}: {verdict}"
        bad = f" (unexpected answers {s.bad})" if s.bad else ""
        plan = f" {sum(ms for ms, _ in plans[kind.key]):.1f} |" if kind.key in plans else ""
        print(
            f"| {kind.name}{bad} | {p50:.1f} / {pct(s.cpu, 0.95):.1f} | "
            f"{pct(s.wall, 0.5):.1f} | {sql} | {budget} |{plan}"
        )
    print(
        f"\nload average before {tuple(round(x, 2) for x in load_before)}, "
        f"after {tuple(round(x, 2) for x in load_after)}; nproc {os.cpu_count()}"
    )
    if ARGS.profile:
        print(f"profiles in {ARGS.profile}/<kind>.txt")
    for key, planned_sql in plans.items():
        slow = [(ms, sql) for ms, sql in planned_sql if ms > 2]
        for ms, sql in slow:
            print(f"{key}: planned in {ms:.1f} ms: {sql[:300]}")


# ---- Argon2 ---------------------------------------------------------------------------------

# OWASP Password Storage Cheat Sheet: Argon2id, one of these (m in KiB, t, p), all
# "an equal level of defense"; the first is the one it lists first.
OWASP = [(19456, 2, 1), (12288, 3, 1), (9216, 4, 1), (7168, 5, 1), (47104, 1, 1)]


def argon2_table(rounds: int = 20) -> None:
    """CPU and wall ms of one hash (what a sign-in pays) for the configured hasher and
    Django's default and OWASP's configurations; the sign-ins per second one core carries."""
    from argon2.low_level import Type, hash_secret
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher

    preferred = get_hasher()
    rows = [
        (
            "Django's Argon2PasswordHasher",
            Argon2PasswordHasher.memory_cost,
            Argon2PasswordHasher.time_cost,
            Argon2PasswordHasher.parallelism,
        )
    ]
    if preferred.algorithm == "argon2" and type(preferred) is not Argon2PasswordHasher:
        p = preferred.params()  # type: ignore[attr-defined]
        rows.append(
            (f"configured: {type(preferred).__name__}", p.memory_cost, p.time_cost, p.parallelism)
        )
    rows += [("OWASP", m, t, p) for m, t, p in OWASP]
    print(f"\nArgon2id, one hash of a 11-character password, {rounds} runs after 2 untimed")
    print("| hasher | m (KiB) / t / p | CPU ms p50 / p95 | wall ms p50 | hashes/s per core (CPU) |")
    print("|---|---|---|---|---|")
    for name, m, t, par in rows:
        cpu, wall = [], []
        for i in range(rounds + 2):
            c0, w0 = time.process_time(), time.perf_counter()
            hash_secret(
                PASSWORD.encode(), os.urandom(16), time_cost=t, memory_cost=m,
                parallelism=par, hash_len=32, type=Type.ID,
            )  # fmt: skip
            if i >= 2:
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
        med = statistics.median(cpu)
        print(
            f"| {name} | {m} / {t} / {par} | {med:.1f} / {pct(cpu, 0.95):.1f} | "
            f"{statistics.median(wall):.1f} | {1000 / med:.0f} |"
        )
    print(f"load average {tuple(round(x, 2) for x in os.getloadavg())}; nproc {os.cpu_count()}")


def main() -> None:
    if ARGS.list:
        for k in KINDS:
            print(f"{k.key:16} {k.name}")
        return
    if ARGS.argon2:
        argon2_table()
        return
    label = guard()
    build()
    from pingan.events.models import Event

    label = f"{label}, {Event.objects.count()} events"
    print(label, flush=True)
    run_kinds(label)
    argon2_table()


if __name__ == "__main__":
    main()
