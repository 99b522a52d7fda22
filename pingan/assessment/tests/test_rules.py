from decimal import Decimal as D

from pingan.assessment import rules
from pingan.assessment.choices import Grade, Rule


def test_linear_rule_full_at_target_zero_at_floor_and_proportional_between() -> None:
    kw = {"weight": D(15), "rule": Rule.LINEAR, "target": D(95), "floor": D(80)}
    assert rules.ruled_points(D(96), **kw) == D("15.00")
    assert rules.ruled_points(D(80), **kw) == D("0.00")
    assert rules.ruled_points(D(70), **kw) == D("0.00")
    assert rules.ruled_points(D("87.5"), **kw) == D("7.50")


def test_not_above_rule_for_counts() -> None:
    kw = {"weight": D(5), "rule": Rule.NOT_ABOVE, "target": D(2), "floor": D(12)}
    assert rules.ruled_points(D(2), **kw) == D("5.00")
    assert rules.ruled_points(D(7), **kw) == D("2.50")
    assert rules.ruled_points(D(12), **kw) == D("0.00")
    no_floor = {**kw, "floor": None}
    assert rules.ruled_points(D(3), **no_floor) == D("0.00")


def test_no_value_scores_full_marks() -> None:
    assert rules.ruled_points(None, weight=D(10), rule=Rule.LINEAR, target=D(90), floor=D(60)) == D(
        "10.00"
    )


def test_deduction_and_bonus_are_capped_at_the_weight() -> None:
    assert rules.deduction_points(D(10), [D(3), D("1.5")]) == D("5.50")
    assert rules.deduction_points(D(10), [D(30)]) == D("0.00")
    assert rules.bonus_points(D(3), [D(2), D(2)]) == D("3.00")


def test_grade_thresholds_and_veto() -> None:
    kw = {"excellent": D(90), "good": D(80), "passing": D(60)}
    assert rules.grade_of(D(90), veto=False, **kw) == Grade.EXCELLENT
    assert rules.grade_of(D("89.99"), veto=False, **kw) == Grade.GOOD
    assert rules.grade_of(D(60), veto=False, **kw) == Grade.PASS
    assert rules.grade_of(D(59), veto=False, **kw) == Grade.FAIL
    assert rules.grade_of(D(99), veto=True, **kw) == Grade.FAIL


def test_rank_puts_vetoed_last_and_shares_ties() -> None:
    ranks = rules.rank(
        [("a", D(95), True), ("b", D(80), False), ("c", D(90), False), ("d", D(90), False)]
    )
    assert ranks == {"c": 1, "d": 1, "b": 3, "a": 4}
