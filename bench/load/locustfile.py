"""A county's busiest hour × 10, against gunicorn + PostgreSQL (docs/performance.md, "Load").

Three kinds of users, in the demo county's accounts (`manage.py load_demo`):
- grid workers report events through the API and attach a photo (~60 KB JPEG) to each;
- dispatchers work their queue on the web pages (list of events waiting, a search) and
  accept and dispatch through the API; their open page polls `/workbench/live/` every
  PINGAN_LIVE_POLL_S (15 s), sending the version it last saw (an empty 204 while nothing
  changed), checked before each of their actions;
- leaders open their workbench, the dashboard (with its extras and map), the statistics
  summary and a search.

Each simulated user signs in once, when it starts (`on_start`), and keeps its session or
token for the whole run, as people do over a shift: grid workers take an API token
(POST /api/v1/auth/token), dispatchers and leaders sign in on the web page (POST /login/)
and call the API with that browser session (cookie + X-CSRFToken), as the pages' own
scripts do. So a run pays one password hash per simulated user, all during the ramp-up;
the sign-in rush of a shift change is its own scenario (bench/load/shift_change.py).

By default every simulated user of a kind shares the demo account of that kind. With
`PINGAN_LOAD_ACCOUNTS=<file>` (usernames, one a line, e.g. written by
`bench/load/shift_accounts.py`) each simulated grid worker takes its own account from the
file instead: needed above ~60 users, where one account's sign-ins and API calls meet the
per-username and per-user limits. Dispatchers and leaders still share their demo account,
and through the session their API calls share its per-user API limit
(PINGAN_RATELIMIT_API, 600 a minute; counted per gunicorn process with the default memory
cache): for runs of hundreds of users raise it on the server.

Run (see bench/load/run.sh for the whole recorded run):
    locust -f bench/load/locustfile.py --headless -u 60 -r 10 -t 3m \
        --host http://127.0.0.1:8027 --csv bench/results/load
"""

from __future__ import annotations

import io
import itertools
import os
import random
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task
from PIL import Image
from signin import csrf_token  # bench/load/signin.py: locust puts this folder on sys.path

PASSWORD = "Pingan@2026"
SEARCH_WORDS = ["噪音", "垃圾", "漏水", "纠纷", "占道", "路灯", "消防", "停车"]
LIVE_POLL_S = float(os.environ.get("PINGAN_LIVE_POLL_S", "15"))


def _photo() -> bytes:
    rng = random.Random(7)
    img = Image.new("RGB", (800, 600))
    img.putdata([(rng.randrange(256), rng.randrange(200), 90) for _ in range(800 * 600)])
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


PHOTO = _photo()


def _accounts() -> itertools.cycle | None:
    path = os.environ.get("PINGAN_LOAD_ACCOUNTS")
    if not path:
        return None
    names = [n.strip() for n in Path(path).read_text().splitlines() if n.strip()]
    return itertools.cycle(names)


ACCOUNTS = _accounts()


class ApiUser(HttpUser):
    abstract = True
    username = ""

    def token_sign_in(self) -> None:
        """Sign in once for an API token, as an app does, and send it with every call."""
        r = self.client.post(
            "/api/v1/auth/token",
            json={"username": self.username, "password": PASSWORD},
            name="auth token",
        )
        r.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        self.load_roles()

    def web_login(self) -> None:
        """Sign in once on the web page; the session then serves the pages and the API
        (the CSRF token from the cookie on unsafe calls, as the pages' scripts send it)."""
        r = self.client.get("/login/", name="/login/")
        token = csrf_token(self.client, r)
        host = self.host or ""
        signed = self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": host + "/login/"},
            name="/login/ POST",
            allow_redirects=False,
        )
        if signed.status_code != 302 or signed.headers.get("Location", "").endswith("/login/"):
            raise RuntimeError(f"web sign-in of {self.username}: {signed.status_code}")
        # Django rotates the CSRF token at sign-in: the new one is in the cookie.
        self.client.headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")
        self.client.headers["Referer"] = host + "/"
        self.load_roles()

    def load_roles(self) -> None:
        me = self.client.get("/api/v1/me", name="/api/v1/me").json()
        self.roles = me["roles"]


class GridWorker(ApiUser):
    """Reports what they find on patrol, with a photo: the event intake."""

    weight = 6
    wait_time = between(2, 6)
    username = "demo-gridworker"

    def on_start(self) -> None:
        if ACCOUNTS is not None:
            self.username = next(ACCOUNTS)
        self.token_sign_in()
        self.grid = next(r["region"] for r in self.roles if r["role"] == "grid_worker")
        cats = self.client.get("/api/v1/categories", name="/api/v1/categories").json()
        self.categories = [
            c["id"]
            for c in cats
            if c.get("parent") and not any(f.get("required") for f in c.get("extra_fields", []))
        ]

    @task
    def report_with_photo(self) -> None:
        r = self.client.post(
            "/api/v1/events",
            json={
                "category": random.choice(self.categories),
                "description": f"巡查发现{random.choice(SEARCH_WORDS)}问题，请处理",
                "region": self.grid,
                "client_uuid": str(uuid.uuid4()),
            },
            name="report event (API)",
        )
        if r.status_code not in (200, 201):
            return
        self.client.post(
            f"/api/v1/events/{r.json()['id']}/attachments",
            files={"file": ("IMG_0001.jpg", PHOTO, "image/jpeg")},
            name="attach photo (API)",
        )


class Dispatcher(ApiUser):
    """Works the town's queue: looks at the waiting list, accepts, dispatches."""

    weight = 3
    wait_time = between(3, 8)
    username = "demo-town-dispatcher"

    def on_start(self) -> None:
        self.web_login()
        r = self.client.get("/api/v1/departments", name="/api/v1/departments")
        # The demo county's departments (generated data adds other counties').
        self.departments = [d["id"] for d in r.json() if d["region_name"] == "海盐县"]
        self.version = ""
        self.polled = 0.0

    def live_poll(self) -> None:
        """The open page's poll, when its interval has passed (the page's script runs it
        beside what the dispatcher does; here it goes before the next action)."""
        if time.monotonic() - self.polled < LIVE_POLL_S:
            return
        self.polled = time.monotonic()
        r = self.client.get("/workbench/live/", params={"v": self.version}, name="live poll")
        if r.status_code == 200:
            self.version = r.json()["version"]

    @task(3)
    def queue_page(self) -> None:
        self.live_poll()
        self.client.get("/events/?status=reported", name="list page: queue")

    @task(2)
    def search_page(self) -> None:
        self.live_poll()
        self.client.get(f"/events/?q={random.choice(SEARCH_WORDS)}", name="list page: search")

    @task(4)
    def accept_and_dispatch(self) -> None:
        self.live_poll()
        r = self.client.get("/api/v1/events?status=reported&page_size=5", name="queue (API)")
        items = r.json().get("items", []) if r.ok else []
        if not items:
            return
        event_id = random.choice(items)["id"]
        with self.client.post(
            f"/api/v1/events/{event_id}/transitions",
            json={"action": "accept"},
            name="accept (API)",
            catch_response=True,
        ) as accepted:
            if accepted.status_code == 409:  # another dispatcher was first: not an error
                accepted.success()
                return
        self.client.post(
            f"/api/v1/events/{event_id}/transitions",
            json={"action": "dispatch", "lead_department": random.choice(self.departments)},
            name="dispatch (API)",
        )


class Leader(ApiUser):
    """Looks at the county: workbench, statistics, a search."""

    weight = 1
    wait_time = between(5, 15)
    username = "demo-leader"

    def on_start(self) -> None:
        self.web_login()

    @task(2)
    def workbench(self) -> None:
        self.client.get("/", name="workbench page")

    @task(2)
    def dashboard(self) -> None:
        # The page, then what its scripts fetch: the extras fragment and the map.
        self.client.get("/dashboard/", name="dashboard page")
        self.client.get("/dashboard/extras/", name="dashboard extras")
        self.client.get("/dashboard/map.geojson", name="dashboard map")

    @task(2)
    def stats(self) -> None:
        self.client.get("/api/v1/stats/summary", name="stats summary (API)")

    @task(1)
    def county_list(self) -> None:
        self.client.get("/events/", name="list page: county")

    @task(1)
    def search(self) -> None:
        self.client.get(f"/events/?q={random.choice(SEARCH_WORDS)}", name="list page: search")


@events.init_command_line_parser.add_listener
def _(parser) -> None:
    parser.add_argument("--pingan-note", default="", help="free text recorded with the run")
