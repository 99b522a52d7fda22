"""Open every channel on the demo county with well-known demo keys (called by `make demo`).

Keys: Open311 `demo-open311-key`, 12345 `demo-12345-key`, 110 `demo-110-key`. No callback
addresses are set: configure them with `channel_setup ... --callback-url`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pingan.events.models import Category
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.intake.choices import Channel
from pingan.intake.services import integration_key_issue, integration_setup

DEMO_KEYS = {
    Channel.OPEN311: "demo-open311-key",
    Channel.HOTLINE_12345: "demo-12345-key",
    Channel.POLICE_110: "demo-110-key",
}


def _fallback_category() -> Category | None:
    """A leaf named like "其他" (other), for orders whose category maps to nothing."""
    for cat in Category.objects.filter(is_active=True, name__contains="其他").order_by("sort"):
        if not cat.children.exists() and cat.parent_id:
            return cat
    return None


class Command(BaseCommand):
    help = "为演示县开通全部对接渠道并签发演示密钥"

    def handle(self, *args: Any, **opts: Any) -> None:
        county = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
        if county is None:
            self.stderr.write("没有县级区划：请先运行 load_demo")
            return
        fallback = _fallback_category()
        for channel in Channel.values:
            integration = integration_setup(
                channel=channel, region=county, default_category=fallback
            )
            key = DEMO_KEYS.get(Channel(channel))
            if key:
                integration_key_issue(integration=integration, key=key, name="演示")
            self.stdout.write(f"{integration}" + (f"  api_key={key}" if key else ""))
