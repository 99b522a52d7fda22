"""manage.py audit verify | purge | revoke: the audit trail's integrity, retention and
the database privileges that keep it append-only.

    manage.py audit verify            # exit 1 and name each changed or deleted row
    manage.py audit purge             # delete rows past the retention (≥ 183 days)
    manage.py audit revoke --role R   # PostgreSQL: R may only SELECT and INSERT audit rows
    manage.py audit revoke --role R --print   # show the SQL instead of running it
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.core import audit
from pingan.core.privileges import audit_privilege_sql


class Command(BaseCommand):
    help = (
        "审计日志：校验哈希链（verify）、按保留期清理（purge）、收回应用角色的改删权限（revoke）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("verify", help="校验哈希链，指出被改动或删除的记录")
        sub.add_parser("purge", help="清理超过保留期的审计记录（至少保留 183 天）")
        revoke = sub.add_parser("revoke", help="PostgreSQL：应用角色只能查询和追加审计记录")
        revoke.add_argument("--role", required=True, help="应用连接数据库所用的角色")
        revoke.add_argument("--print", action="store_true", help="只打印 SQL，不执行")

    def handle(self, *args: Any, **options: Any) -> None:
        op = options["op"]
        if op == "verify":
            self._verify()
        elif op == "purge":
            n = audit.purge(actor="manage.py audit purge")
            self.stdout.write(f"已清理 {n} 条超过 {audit.retention_days()} 天的审计记录。")
        elif op == "revoke":
            self._revoke(options["role"], options["print"])

    def _verify(self) -> None:
        result = audit.verify()
        for problem in result.problems:
            self.stdout.write(problem.message)
        if not result.ok:
            raise CommandError(
                f"审计哈希链校验失败：{len(result.problems)} 处问题（共检查 {result.checked} 条）"
            )
        self.stdout.write(f"审计哈希链完整：自序号 #{result.start_seq} 起共 {result.checked} 条。")

    def _revoke(self, role: str, only_print: bool) -> None:
        from django.db import connection

        statements = audit_privilege_sql(role)
        if only_print:
            for sql in statements:
                self.stdout.write(sql + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 有角色权限；SQLite 部署由文件权限保护。")
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
        self.stdout.write(f"角色 {role} 对审计表只保留查询和追加权限。")
