"""Time the county list and search pages on a large database (docs/performance.md,
"Lists at scale").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_scale \
        .venv/bin/python bench/scale_lists.py [--runs 20] [--explain] [--only 'search']

Renders each page through Django's whole stack (middleware, session, scope, template)
in this process, as the users of the demo county, `--runs` times after one warm-up, and
prints p50/p95/max per page. `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the list
and count queries behind each page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import logging  # noqa: E402

# The request log (one line per page) would bury the figures.
logging.disable(logging.INFO)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from pingan.accounts.models import User  # noqa: E402
from pingan.core import clock  # noqa: E402
from pingan.events.models import Event  # noqa: E402
from pingan.events.selectors import EventFilters, event_list, recent_part  # noqa: E402
from pingan.geo.models import Region  # noqa: E402


def pages() -> list[tuple[str, str, str]]:
    county = Region.objects.get(code="330424")
    town = Region.objects.filter(parent=county).order_by("code").first()
    newest = Event.objects.filter(region_path__startswith=county.path).order_by("-id").first()
    if town is None or newest is None:
        raise SystemExit("the county 330424 has no towns or no events: load the data first")
    code = newest.code
    last_year = timezone.localdate(clock.now()).year - 1
    return [
        ("demo-dispatcher", "county list, page 1", "/events/"),
        ("demo-dispatcher", "county list, page 100 (the last)", "/events/?page=100"),
        ("demo-dispatcher", "county list, waiting (reported)", "/events/?status=reported"),
        ("demo-dispatcher", "county list, overdue", "/events/?deadline_state=overdue"),
        ("demo-dispatcher", "county list, one town", f"/events/?region={town.pk}"),
        (
            "demo-dispatcher",
            "county list, last year",
            f"/events/?reported_from={last_year}-01-01&reported_to={last_year}-12-31",
        ),
        ("demo-dispatcher", "search: common word (噪音)", "/events/?q=噪音"),
        ("demo-dispatcher", "search: rare word (化粪池)", "/events/?q=化粪池"),
        ("demo-dispatcher", "search: no match (无此词语)", "/events/?q=无此词语"),
        ("demo-dispatcher", "search: event code", f"/events/?q={code}"),
        ("demo-leader", "leader: county list", "/events/"),
        ("demo-town-dispatcher", "town list, page 1", "/events/"),
    ]


def explain(username: str, url: str) -> None:
    from django.http import QueryDict

    from pingan.events.search import EVENT_CODE
    from pingan.web.views.lists import (
        SEARCH_COUNT_CAP,
        CappedPaginator,
        filter_params,
        filters_from,
    )

    user = User.objects.get(username=username)
    query = QueryDict(url.partition("?")[2])
    filters = filters_from(filter_params(query)) if query else EventFilters()
    qs = event_list(user=user, filters=filters)
    word = filters.q and not EVENT_CODE.fullmatch(filters.q)
    page = int(query.get("page", "1"))
    paginator = CappedPaginator(qs, 20, SEARCH_COUNT_CAP if word else None)
    # The statements the page runs (CappedPaginator, newest_first_rows): the recent
    # months first, the whole table when they hold too few rows.
    recent = recent_part(qs) if filters.recent_first else None
    start, stop = (page - 1) * 20, page * 20
    statements = []
    if recent is not None:
        statements.append(("count, recent months", paginator.count_query(recent)))
        if paginator.count_query(recent).count() <= paginator.cap:
            statements.append(("count, whole table", paginator.count_query()))
        if len(recent[start:stop]) == stop - start:
            statements.append(("list, recent months", recent[start:stop]))
        else:
            statements += [("list, recent months", recent[start:stop]), ("list", qs[start:stop])]
    else:
        statements += [("count", paginator.count_query()), ("list", qs[start:stop])]
    for label, q in statements:
        sql, params = q.query.sql_with_params()
        if label.startswith("count"):
            # What CappedPaginator runs: Django wraps the sliced query the same way.
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            print(f"--- {label}: {url}")
            for (line,) in c.fetchall():
                print("   ", line)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--explain", action="store_true")
    p.add_argument("--only", default="", help="only the pages whose label contains this")
    a = p.parse_args()
    chosen = [page for page in pages() if a.only in page[1]]
    total = Event.objects.count()
    print(f"events: {total:,}; database: {connection.settings_dict['NAME']}")
    clients: dict[str, Client] = {}
    print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  rows")
    for username, label, url in chosen:
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        times = []
        for _ in range(a.runs):
            start = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200
        q = statistics.quantiles(times, n=20)
        rows = r.content.decode().count("data-event=")
        print(f"{label:40} {statistics.median(times):8.0f} {q[18]:8.0f} {max(times):8.0f}  {rows}")
    if a.explain:
        for username, _label, url in chosen:
            explain(username, url)


if __name__ == "__main__":
    main()
