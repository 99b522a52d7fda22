"""Figures in templates as the KPI module writes them (pingan/analytics/kpis.py): one
formatting for pages, the wall, briefings and exports."""

from __future__ import annotations

from typing import Any

from django import template

from pingan.analytics import kpis

register = template.Library()


@register.filter
def kpi(row: dict[str, Any], key: str) -> str:
    """`{{ row|kpi:"closure_rate" }}` → 「95.20%」 (a rate), 「3.25」, 「12」, 「—」."""
    return kpis.format_value(key, row.get(key))


@register.filter
def kpi_parts(row: dict[str, Any], key: str) -> str:
    """`{{ row|kpi_parts:"closure_rate" }}` → 「办结 958 / 受理 1006」 (the hover of a rate)."""
    return kpis.parts_text(key, row)


@register.filter
def kpi_change(row: dict[str, Any], key: str) -> str:
    """`{{ item|kpi_change:"total" }}` → the item's 同比 of `key` (「+2.50个百分点」,
    「-12.34%」) or its withheld reason."""
    c = kpis.comparison(row, key)
    return f"—（{c['withheld']}）" if c["withheld"] else c["text"]


@register.filter
def kpi_verdict(row: dict[str, Any], key: str) -> str:
    """ "good", "bad" or "" for the item's 同比 of `key` (the colour class)."""
    return kpis.comparison(row, key)["verdict"]
