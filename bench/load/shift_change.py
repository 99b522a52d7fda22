"""The shift change (issue 24): a county's grid workers all sign in within a few minutes,
each with their own account, then start the day on the phone app and report now and then.

    # once: the accounts (1,800 grid workers of the demo county with the demo password)
    .venv/bin/python bench/load/shift_accounts.py --count 1800 \\
        --out bench/results/shift_accounts.txt
    # the server as bench/load/run.sh starts it, with the per-address sign-in limit raised:
    # locust on one machine is one address (PINGAN_RATELIMIT_LOGIN, 30/m by default)
    PINGAN_RATELIMIT_LOGIN=100000/m ... gunicorn -c deploy/gunicorn.conf.py config.wsgi
    PINGAN_LOAD_ACCOUNTS=bench/results/shift_accounts.txt \\
        locust -f bench/load/shift_change.py --headless -u 1800 -r 3 -t 12m \\
        --host http://127.0.0.1:8027 --csv bench/results/shift --only-summary

Each simulated user signs in once when it starts, so locust's spawn rate `-r` is the
arrival rate of sign-ins: `-r 3` is 1,800 sign-ins spread evenly over 10 minutes, `-r 9`
the same people within 3 min 20 s (a peak factor of 3: most arrive around the hour).
Compare "/login/ POST" with the sign-in budget of docs/performance.md ("Sign-in").

After signing in, a worker does what the phone app does at start (/m/ and its bootstrap:
/api/v1/me, field bootstrap, today's tasks), then goes on patrol: a report with a photo
through the API (session cookie + X-CSRFToken, as the app sends them) every
`SHIFT_REPORT_EVERY` seconds, "MIN,MAX" (default "60,180": every 1–3 minutes, a stress
rate: 1,800 workers then make ~54,000 reports an hour, where a county's make 100–150 in
its busiest hour; "1800,5400" is still ten times that; docs/performance.md, "Sign-in").
`SHIFT_SIGN_IN=token` signs in for an API token instead (POST /api/v1/auth/token).
"""

from __future__ import annotations

import itertools
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, task
from signin import csrf_token  # bench/load/signin.py: locust puts this folder on sys.path

PASSWORD = "Pingan@2026"
WORDS = ["噪音", "垃圾", "漏水", "纠纷", "占道", "路灯", "消防", "停车"]
SIGN_IN = os.environ.get("SHIFT_SIGN_IN", "web")
REPORT_EVERY = tuple(float(x) for x in os.environ.get("SHIFT_REPORT_EVERY", "60,180").split(","))


def _accounts() -> itertools.cycle:
    path = os.environ.get("PINGAN_LOAD_ACCOUNTS")
    if not path:
        raise SystemExit(
            "set PINGAN_LOAD_ACCOUNTS to the file of bench/load/shift_accounts.py: "
            "a shift change is many people, each signing in with their own account"
        )
    return itertools.cycle([n.strip() for n in Path(path).read_text().splitlines() if n.strip()])


ACCOUNTS = _accounts()


def _photo() -> bytes:
    import io

    from PIL import Image

    rng = random.Random(7)
    img = Image.new("RGB", (800, 600))
    img.putdata([(rng.randrange(256), rng.randrange(200), 90) for _ in range(800 * 600)])
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


PHOTO = _photo()


class ShiftWorker(HttpUser):
    """One grid worker's day: sign in once, the app's start, then a report now and then."""

    wait_time = between(REPORT_EVERY[0], REPORT_EVERY[-1])

    def on_start(self) -> None:
        self.username = next(ACCOUNTS)
        self.grid: int | None = None
        self.categories: list[int] = []
        if SIGN_IN == "token":
            r = self.client.post(
                "/api/v1/auth/token",
                json={"username": self.username, "password": PASSWORD},
                name="auth token",
            )
            r.raise_for_status()
            self.client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        else:
            page = self.client.get("/login/?next=/m/", name="/login/")
            token = csrf_token(self.client, page)
            with self.client.post(
                "/login/?next=/m/",
                data={
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": (self.host or "") + "/login/"},
                name="/login/ POST",
                allow_redirects=False,
                catch_response=True,
            ) as signed:
                if signed.status_code != 302 or "/login/" in signed.headers.get("Location", ""):
                    signed.failure(f"sign-in refused: {signed.status_code}")
                    return
            self.client.headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")
            self.client.get("/m/", name="/m/")
        me = self.client.get("/api/v1/me", name="/api/v1/me").json()
        self.grid = next((r["region"] for r in me["roles"] if r["role"] == "grid_worker"), None)
        boot = self.client.get("/api/v1/field/bootstrap", name="field bootstrap")
        self.client.get("/api/v1/field/tasks", name="field tasks")
        cats = self.client.get("/api/v1/categories", name="/api/v1/categories").json()
        self.categories = [
            c["id"]
            for c in cats
            if c.get("parent") and not any(f.get("required") for f in c.get("extra_fields", []))
        ]
        boot.raise_for_status()

    @task
    def report_with_photo(self) -> None:
        if self.grid is None or not self.categories:
            return
        r = self.client.post(
            "/api/v1/events",
            json={
                "category": random.choice(self.categories),
                "description": f"巡查发现{random.choice(WORDS)}问题，请处理",
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
