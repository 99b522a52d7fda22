"""manage.py demo_accounts: print the demo accounts (username, role, scope, password)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pingan.demo import selectors
from pingan.demo.build import DEMO_GRID
from pingan.demo.organisation import DEMO_PASSWORD, demo_accounts_table
from pingan.org.choices import Role


class Command(BaseCommand):
    help = "列出演示账号（用户名、角色、范围、密码）。Print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        county = selectors.region_by_code("330424")
        if county is None:
            self.stderr.write("演示县尚未构建，请先运行 manage.py load_demo")
            return
        towns = {t.code: t for t in selectors.towns_of(county)}
        accounts = demo_accounts_table(county, towns, selectors.region_by_code(DEMO_GRID))
        present = selectors.users_by_username([a.username for a in accounts])
        rows = [("用户名", "角色", "范围", "密码")]
        for a in accounts:
            if a.username in present:
                rows.append((a.username, str(Role(a.role).label), a.scope, DEMO_PASSWORD))
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for i, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[j]) for j, cell in enumerate(row)))
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
