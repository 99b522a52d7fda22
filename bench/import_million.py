"""A large 311-style export for the importer benchmark (docs/import.md, "At scale").

    .venv/bin/python bench/import_million.py 1000000 var/bench/requests-1m.csv

Writes N requests shaped like docs/examples/city/requests.csv (the same columns, request
types, agencies, states, placeholder points and duplicates in the same proportions) over
the five years before today, inside the example city's four grids, so that the example's
regions, catalogue and mapping import it. Deterministic for a given N (seeded).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

TYPES = [
    ("Pothole", "DOT", "路面有坑，车辆颠簸"),
    ("Street Light Out", "DOT", "路灯不亮已三天"),
    ("Missed Collection", "DSNY", "垃圾未按时清运"),
    ("Illegal Dumping", "DSNY", "路边有人倾倒建筑垃圾"),
    ("Noise - Residential", "NYPD", "夜间噪声扰民"),
    ("Illegal Parking", "NYPD", "车辆占用消防通道"),
    ("Heat/Hot Water", "HPD", "暖气不热"),
    ("Sewer Backup", "DEP", "下水道返水"),
]
HEADER = [
    "Unique Key",
    "Created Date",
    "Closed Date",
    "Due Date",
    "Agency",
    "Complaint Type",
    "Descriptor",
    "Status",
    "Resolution Description",
    "Latitude",
    "Longitude",
    "Open Data Channel Type",
    "Duplicate Of",
    "Neighbourhood",
    "Incident Address",
]
FORMAT = "%m/%d/%Y %I:%M:%S %p"


def main(n: int, path: Path) -> None:
    rng = random.Random(n)
    # Yesterday's end: every time lies in the past whatever day this runs.
    end = dt.datetime.combine(dt.date.today(), dt.time()) - dt.timedelta(days=1)
    span = 5 * 365 * 24 * 3600
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for k in range(1, n + 1):
            kind, agency, text = rng.choice(TYPES)
            created = end - dt.timedelta(seconds=rng.randrange(span))
            due = created + dt.timedelta(days=rng.choice((2, 5, 10)))
            r = rng.random()
            closed = None
            status = "Closed"
            if r < 0.01:
                status = "Open"
            elif r < 0.02:
                status = "Assigned"
            elif r < 0.03:
                status = "In Progress"
            elif r < 0.05:
                status = "Cancelled"
            elif r < 0.06 and k > 1:
                status = "Duplicate"
            else:
                closed = min(created + dt.timedelta(hours=rng.randint(2, 400)), end)
            grid = rng.randrange(4)
            lat = f"{30.0 + rng.uniform(0.001, 0.009):.6f}"
            lng = f"{120.0 + 0.01 * grid + rng.uniform(0.001, 0.009):.6f}"
            if k % 11 == 0:
                lat, lng = "29.7", "119.6"
            w.writerow(
                [
                    str(1_000_000_000 + k),
                    created.strftime(FORMAT),
                    closed.strftime(FORMAT) if closed else "",
                    "" if k % 7 == 0 else due.strftime(FORMAT),
                    agency,
                    kind,
                    "" if k % 4 == 0 else text,
                    status,
                    "已处理" if closed else "",
                    lat,
                    lng,
                    rng.choice(("PHONE", "ONLINE", "MOBILE", "UNKNOWN")),
                    str(1_000_000_000 + rng.randint(1, k - 1)) if status == "Duplicate" else "",
                    "Riverside East" if grid < 2 else "Riverside West",
                    f"{rng.randint(1, 200)} River Rd",
                ]
            )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
