"""An event's page as a county dispatcher: p50 / p95 over the newest events in scope, and
the statements that touch the events table (the partitioning's planning cost shows there).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_lists_scale \\
        .venv/bin/python bench/event_page.py [--user demo-dispatcher] [--pages 40]

Needs the demo accounts (`load_demo`) and generated events (`generate_events`).
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

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from pingan.accounts.models import User  # noqa: E402
from pingan.events.models import Event  # noqa: E402
from pingan.events.permissions import event_scope_q  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--user", default="demo-dispatcher")
    p.add_argument("--pages", type=int, default=40)
    args = p.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    ids = list(
        Event.objects.filter(event_scope_q(user))
        .order_by("-reported_at")
        .values_list("id", flat=True)[: args.pages + 1]
    )
    times = []
    for pk in ids:
        t0 = time.perf_counter()
        response = client.get(f"/events/{pk}/")
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            sys.exit(f"/events/{pk}/ answered {response.status_code}")
    times = sorted(times[1:])  # the first page warms the connection's caches
    settings.DEBUG = True
    reset_queries()
    client.get(f"/events/{ids[0]}/")
    touching = [q for q in connection.queries if "events_event" in q["sql"]]
    print(
        f"event page: p50={statistics.median(times):.0f} ms "
        f"p95={times[int(len(times) * 0.95)]:.0f} ms over {len(times)} pages; "
        f"{len(connection.queries)} statements, {len(touching)} touch events_event"
    )
    for q in touching:
        print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:110]}")


if __name__ == "__main__":
    main()
