"""The arithmetic of survey figures, with no database: a rate with what it rests on, the
margin of error at 95 % and a change in percentage points (百分点). Surveys sit beside
analytics in the layers, so the few lines of `analytics.kpis` they need are written here
the same way (a rate 0…1 rounded to 4 places, 「96.00%」)."""

from __future__ import annotations

import math

from django.utils.translation import gettext

Z95 = 1.96

__all__ = ["change_points", "margin_points", "rate", "rate_text", "signed_points"]


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction 0…1 rounded to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def rate_text(numerator: int, denominator: int) -> str:
    """「96.00%（48/50）」, or 「—」 with no answers."""
    value = rate(numerator, denominator)
    if value is None:
        return "—"
    return f"{value * 100:.2f}%（{numerator}/{denominator}）"


def margin_points(positive: int, n: int) -> float | None:
    """The margin of error of the rate at 95 % confidence, 1.96·√(p(1−p)/n), in percentage
    points rounded to 1 decimal; None with no answers."""
    if not n:
        return None
    p = positive / n
    return round(Z95 * math.sqrt(p * (1 - p) / n) * 100, 1)


def change_points(now: float | None, before: float | None) -> float | None:
    """The change of a rate (0…1) in percentage points, two decimals (94.70% → 97.20% is
    +2.50); None when either is missing."""
    if now is None or before is None:
        return None
    return round((now - before) * 100, 2)


def signed_points(value: float | None, *, plus_minus: bool = False) -> str:
    """「+2.50个百分点」, 「±1.2个百分点」, 「—」."""
    if value is None:
        return "—"
    if plus_minus:
        return gettext("±{value}个百分点").format(value=f"{value:.1f}")
    sign = "+" if value > 0 else ""
    return gettext("{sign}{value}个百分点").format(sign=sign, value=f"{value:.2f}")
