"""The scoring arithmetic (docs/assessment.md, "Scoring"): plain functions of Decimals."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from pingan.assessment.choices import Grade, Rule

CENT = Decimal("0.01")
ZERO = Decimal("0")


def q2(x: Decimal | float | int) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def ruled_points(
    value: Decimal | None,
    *,
    weight: Decimal,
    rule: str,
    target: Decimal | None,
    floor: Decimal | None,
) -> Decimal:
    """The points of a value under a rule:

    linear: full marks (`weight`) at `target` or better, zero at `floor` or worse, linear
    between (better = higher when target > floor, lower when target < floor; no floor:
    zero below the target);
    not_above (counts): full marks when value ≤ target, zero at `floor` or above (no
    floor: zero as soon as it is above the target), linear between.
    No target: full marks. No value (nothing to divide by): full marks (nothing to fault).
    """
    if value is None or target is None:
        return q2(weight)
    if rule == Rule.NOT_ABOVE:
        if value <= target:
            return q2(weight)
        if floor is None or floor <= target or value >= floor:
            return ZERO.quantize(CENT)
        return q2(weight * (floor - value) / (floor - target))
    if floor is None or floor == target:
        return q2(weight) if value >= target else ZERO.quantize(CENT)
    share = (value - floor) / (target - floor)
    share = min(max(share, ZERO), Decimal(1))
    return q2(weight * share)


def deduction_points(weight: Decimal, deducted: Iterable[Decimal]) -> Decimal:
    """A deduction indicator: its weight less the points deducted, never below zero."""
    return q2(max(weight - sum(deducted, ZERO), ZERO))


def bonus_points(weight: Decimal, claimed: Iterable[Decimal]) -> Decimal:
    """A bonus indicator: the confirmed bonus points, capped at its weight."""
    return q2(min(max(sum(claimed, ZERO), ZERO), weight))


def grade_of(
    total: Decimal, *, veto: bool, excellent: Decimal, good: Decimal, passing: Decimal
) -> str:
    if veto:
        return Grade.FAIL
    if total >= excellent:
        return Grade.EXCELLENT
    if total >= good:
        return Grade.GOOD
    if total >= passing:
        return Grade.PASS
    return Grade.FAIL


def rank(rows: list[tuple[str, Decimal, bool]]) -> dict[str, int]:
    """Ranks by total, highest first; vetoed units last (among themselves by total);
    equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (r[2], -r[1], r[0]))
    out: dict[str, int] = {}
    previous: tuple[bool, Decimal] | None = None
    current = 0
    for i, (key, total, veto) in enumerate(ordered, start=1):
        if previous != (veto, total):
            current = i
            previous = (veto, total)
        out[key] = current
    return out
