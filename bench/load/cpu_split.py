"""Where the machine's CPU went while it ran (bench/load/run.sh starts it around locust).

Reads every process's CPU time (/proc/<pid>/stat: user + system) every `--every` seconds
until it gets SIGTERM or SIGINT, then prints the CPU seconds each kind of process used
in that time: gunicorn (the web workers), db_worker (the task worker), the sweeper,
locust, PostgreSQL (its backends), the rest; and how busy the machine was in all
(/proc/stat). A process that ends between two readings loses its last interval; the
gunicorn workers, the task worker and PostgreSQL's pooled connections live through a run.
Linux only.

    .venv/bin/python bench/load/cpu_split.py --every 2 > bench/results/cpu.txt &
"""

from __future__ import annotations

import argparse
import os
import signal
import time

KINDS = (
    ("gunicorn", "gunicorn"),
    ("db_worker", "db_worker"),
    ("sweeper", "sweep_deadlines"),
    ("locust", "locust"),
    ("ceiling", "ceiling.py"),
)


def _kind(cmdline: str, comm: str) -> str:
    for name, mark in KINDS:
        if mark in cmdline:
            return name
    if comm.startswith("postgres") or cmdline.startswith("postgres"):
        return "postgres"
    return "other"


def _read(first: dict[int, int], last: dict[int, int], kinds: dict[int, str]) -> None:
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])
        if pid not in first:
            first[pid] = ticks
            kinds[pid] = _kind(cmdline, comm)
        last[pid] = ticks


def _machine() -> list[int]:
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--every", type=float, default=2.0, help="seconds between readings")
    args = p.parse_args()
    tick = os.sysconf("SC_CLK_TCK")
    cores = os.cpu_count() or 1
    stop = False

    def finish(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    kinds: dict[int, str] = {}
    started, before = time.monotonic(), _machine()
    while not stop:
        _read(first, last, kinds)
        time.sleep(args.every)
    _read(first, last, kinds)
    elapsed, after = time.monotonic() - started, _machine()
    spent = [b - a for a, b in zip(before, after, strict=True)]
    busy = (sum(spent) - spent[3] - spent[4]) / tick  # all but idle and iowait
    print(
        f"CPU split over {elapsed:.0f} s: the machine busy {busy:.0f} of {cores * elapsed:.0f} "
        f"CPU-seconds ({100 * busy / (cores * elapsed):.0f} %), iowait {spent[4] / tick:.0f} s"
    )
    totals: dict[str, float] = {}
    for pid, ticks in last.items():
        totals[kinds[pid]] = totals.get(kinds[pid], 0.0) + (ticks - first[pid]) / tick
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:10s} {seconds:7.1f} CPU-s  ({seconds / elapsed:.2f} cores)")


if __name__ == "__main__":
    main()
