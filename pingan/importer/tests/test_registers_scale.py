"""The persons import at scale (run by hand: PINGAN_BENCH_PERSONS=100000 pytest …); the
rows per second it prints go into docs/import-registers.md, "Costs"."""

from __future__ import annotations

import csv
import datetime as dt
import os
import time

import pytest

from pingan.access.actor import Actor
from pingan.importer.registers import import_register
from pingan.registry.models import Person
from pingan.registry.tests.factories import id_number

N = int(os.environ.get("PINGAN_BENCH_PERSONS", "0"))
MAPPING = """
kind: persons
name: 姓名
id_number: 身份证号
phone: 电话
address: 住址
household: 户号
relation: 关系
region: 网格
"""


@pytest.mark.skipif(not N, reason="set PINGAN_BENCH_PERSONS to run")
def test_persons_per_second(cast, tmp_path):
    path = tmp_path / "persons.csv"
    grids = [cast.grid_a1.code, cast.grid_a2.code, cast.grid_b1.code]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "身份证号", "电话", "住址", "户号", "关系", "网格"])
        for i in range(N):
            born = f"19{50 + i % 50:02d}{1 + i % 12:02d}{1 + i % 28:02d}"
            number = id_number(
                dt_date(born), male=bool(i % 2), area=f"3304{(i // 500) % 100:02d}", seq=i % 500
            )
            w.writerow(
                [f"测试{i}", number, f"139{i:08d}", f"测试路{i % 900}号{i % 7}室",
                 f"B{i // 3:07d}", "户主" if i % 3 == 0 else "家庭成员", grids[i % 3]]
            )  # fmt: skip
    actor = Actor.system("bench")
    for label in ("first run", "second run (unchanged)"):
        started = time.monotonic()
        if os.environ.get("PINGAN_BENCH_PROFILE") and label == "first run":
            import cProfile

            prof = cProfile.Profile()
            report = prof.runcall(
                import_register, kind="persons", path=path, mapping_text=MAPPING, actor=actor
            )
            prof.dump_stats(os.environ["PINGAN_BENCH_PROFILE"])
        else:
            report = import_register(kind="persons", path=path, mapping_text=MAPPING, actor=actor)
        took = time.monotonic() - started
        print(f"{label}: {report.summary} {took:.1f}s {N / took:.0f} rows/s")
        assert report.failed == 0, [str(e) for e in report.errors[:5]]
    assert Person.objects.count() == N


def dt_date(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
