"""Set up a channel's integration and (optionally) issue an API key.

manage.py channel_setup hotline_12345 --region 330424 --callback-url URL --secret S --key
manage.py channel_setup open311 --region 330424 --key demo-open311-key
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.core.errors import DomainError
from pingan.events.models import Category
from pingan.geo.models import Region
from pingan.intake.choices import Channel
from pingan.intake.services import integration_key_issue, integration_setup


class Command(BaseCommand):
    help = "配置对接渠道（12345、110、Open311、群众随手拍）并签发接口密钥"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("channel", choices=Channel.values)
        parser.add_argument("--region", required=True, help="所属区划编码（县）")
        parser.add_argument("--name", default="")
        parser.add_argument("--default-category", default="", help="默认分类编码")
        parser.add_argument("--callback-url", default="")
        parser.add_argument("--secret", default="", help="回调签名密钥 (HMAC-SHA256)")
        parser.add_argument(
            "--key",
            nargs="?",
            const="-",
            default=None,
            help="签发密钥；给出值则使用该值（如演示密钥），否则随机生成并打印一次",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        region = Region.objects.filter(code=opts["region"]).first()
        if region is None:
            raise CommandError(f"区划 {opts['region']} 不存在")
        category = None
        if opts["default_category"]:
            category = Category.objects.filter(code=opts["default_category"]).first()
            if category is None:
                raise CommandError(f"分类 {opts['default_category']} 不存在")
        try:
            integration = integration_setup(
                channel=opts["channel"],
                region=region,
                name=opts["name"],
                default_category=category,
                callback_url=opts["callback_url"],
                callback_secret=opts["secret"],
            )
            self.stdout.write(f"渠道已配置：{integration}")
            if opts["key"] is not None:
                key = integration_key_issue(
                    integration=integration, key="" if opts["key"] == "-" else opts["key"]
                )
                self.stdout.write(f"接口密钥（只显示一次）：{key}")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
