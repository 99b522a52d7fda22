"""Accounts for the shift change scenario (bench/load/shift_change.py): `--count` grid
workers `shift-gw-0001` … of the demo county, one per grid round robin, each with the demo
password, through the services (`user_upsert`, `membership_grant`). Writes their
usernames, one a line, to `--out` (what `PINGAN_LOAD_ACCOUNTS` names).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_cost \\
        .venv/bin/python bench/load/shift_accounts.py --count 1800 \\
        --out bench/results/shift_accounts.txt

The demo county has about 800 grids; a county with 1,800 grid workers has more, so some
grids get two or three here (it does not change what a sign-in costs). Existing accounts
are kept (the password is set again: each one a hash with the configured hasher, ≈ 20 ms).
Refuses the var/ database unless --yes (it writes accounts that sign in with a known
password).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "Pingan@2026"  # the demo password (pingan.demo.organisation.DEMO_PASSWORD)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=1800)
    p.add_argument("--out", default="bench/results/shift_accounts.txt")
    p.add_argument("--yes", action="store_true")
    args = p.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from pingan.demo import selectors
    from pingan.geo.choices import Level
    from pingan.geo.models import Region
    from pingan.org.choices import Role
    from pingan.org.services import membership_grant, user_upsert

    name = str(settings.DATABASES["default"]["NAME"])
    if name.startswith(str(ROOT / "var")) and not args.yes:
        sys.exit(f"{name} is the developer's database: pass --yes to add shift accounts to it")
    county = selectors.region_by_code("330424")
    if county is None:
        sys.exit("no demo county: run manage.py load_demo first")
    grids = list(
        Region.objects.filter(path__startswith=county.path, level=Level.GRID).order_by("code")
    )
    started = time.monotonic()
    names = []
    have = selectors.users_by_username([f"shift-gw-{i:04}" for i in range(1, args.count + 1)])
    for i in range(1, args.count + 1):
        username = f"shift-gw-{i:04}"
        with transaction.atomic():
            user = user_upsert(username=username, name=f"轮班网格员{i}", password=PASSWORD)
            if username not in have:
                membership_grant(user=user, role=Role.GRID_WORKER, region=grids[i % len(grids)])
        names.append(username)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(names) + "\n")
    took = time.monotonic() - started
    print(f"{len(names)} accounts over {len(grids)} grids in {took:.0f} s → {out}")


if __name__ == "__main__":
    main()
