"""A case kind's states and transition table, with each action's effect beside its row.

Nothing here touches the database: a `Workflow` is data plus references to the effect
functions its kind registered with `@workflow.row(...)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.utils.translation import pgettext

from pingan.core.i18n import pgettext_noop

if TYPE_CHECKING:
    from pingan.access.actor import Actor
    from pingan.org.models import Membership

C = TypeVar("C")

# Clock effects: what a transition does to the case's deadline clocks. A kind without
# clocks uses only CLOCK_NONE; one with clocks maps each to its deadline arithmetic.
CLOCK_NONE = "none"
CLOCK_START = "start"  # the clocks start (e.g. acknowledge and handling, on dispatch)
CLOCK_STOP_ACK = "stop_ack"  # acknowledged: only the handling clock runs on
CLOCK_MOVE = "move"  # extension approved: the handling deadline moves
CLOCK_STOP = "stop"  # resolved / returned / closed: no clock runs
CLOCK_RESTART = "restart"  # back to handling: a fresh handling allowance
CLOCKS = frozenset({CLOCK_NONE, CLOCK_START, CLOCK_STOP_ACK, CLOCK_MOVE, CLOCK_STOP, CLOCK_RESTART})

CLOCK_LABELS = {
    CLOCK_NONE: "不变",
    CLOCK_START: "开始签收与办理计时",
    CLOCK_STOP_ACK: "停止签收计时，办理计时继续",
    CLOCK_MOVE: "办理期限顺延",
    CLOCK_STOP: "停止计时",
    CLOCK_RESTART: "重新开始办理计时",
}


@dataclass
class Step(Generic[C]):
    """What an effect is given: the locked case, who acts (and through which membership),
    the payload, the row being fired and the one "now" of the transition."""

    case: C
    actor: Actor
    payload: dict[str, Any]
    row: Transition
    membership: Membership
    now: dt.datetime

    @property
    def user(self) -> Any:
        """The acting user, for the "done by" columns of the kind's own tables."""
        return self.actor.user


@dataclass
class Outcome:
    """What an effect returns: the timeline row's note and data, and any further columns
    of the kind's timeline row (`columns`, e.g. the event's department)."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)


Effect = Callable[[Step[Any]], Outcome]


def no_effect(step: Step[Any]) -> Outcome:
    """The effect of a row that only moves the state (and writes its timeline row)."""
    return Outcome()


@dataclass(frozen=True)
class Transition:
    """One row of the table: `action` (and `variant`) from `sources` to `target`.

    `target` None keeps the state. `who` pairs a role with the scope it must hold.
    `requires` names payload fields that must be present and non-empty. `public_reply`
    says the row takes the optional `public_reply` field: the reply to the reporter and
    the public (对外答复), published masked where the internal note never is.
    `label` is the Chinese msgid (context "action"); `display_label` is it in the
    active language. `effect` is the function registered beside the row.
    """

    action: str
    label: str
    sources: frozenset[str]
    target: str | None
    who: tuple[tuple[str, str], ...]
    requires: tuple[str, ...] = ()
    clock: str = CLOCK_NONE
    variant: str = ""
    style: str = "secondary"
    public_reply: bool = False
    effect: Effect = field(default=no_effect, compare=False, repr=False)

    @property
    def display_label(self) -> str:
        return pgettext("action", self.label)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _ in self.who)


class Workflow:
    """States and rows of one case kind. Rows are registered with `row(...)`, in the
    order the document and the buttons show them."""

    def __init__(
        self,
        *,
        states: Iterable[tuple[str, Any]],
        initial: str,
        open_states: Iterable[str],
        terminal: Iterable[str],
        scopes: dict[str, str],
        system_actions: dict[str, str] | None = None,
        chosen_variants: Iterable[str] = (),
        action_labels: dict[str, str] | None = None,
    ) -> None:
        self.states: tuple[tuple[str, Any], ...] = tuple(states)  # (value, label)
        self.initial = initial
        self.open = frozenset(open_states)
        self.terminal = frozenset(terminal)
        self.scopes = dict(scopes)
        self.system_actions = dict(system_actions or {})
        # Actions whose variant the person chooses (both buttons shown), e.g. verification
        # passed / failed; for the others the kind picks the one variant that applies.
        self.chosen_variants = frozenset(chosen_variants)
        self._action_labels = dict(action_labels or {})
        self.rows: list[Transition] = []
        self._orders: list[int] = []
        self._declared = 0  # rows are kept in the order their decorators are written

    # ---- declaring ------------------------------------------------------------------------

    def row(
        self,
        action: str,
        label: str,
        sources: Iterable[str],
        target: str | None,
        who: Iterable[tuple[str, str]],
        requires: Iterable[str] = (),
        *,
        clock: str = CLOCK_NONE,
        variant: str = "",
        style: str = "secondary",
        public_reply: bool = False,
    ) -> Callable[[Effect], Effect]:
        """Register one row with the decorated function as its effect. Stack several
        decorators on one function for the variants of an action that share an effect;
        the rows keep the order the decorators are written in."""
        order = self._declared
        self._declared += 1

        def register(effect: Effect) -> Effect:
            self.add(
                Transition(
                    action,
                    label,
                    frozenset(sources),
                    target,
                    tuple(who),
                    tuple(requires),
                    clock=clock,
                    variant=variant,
                    style=style,
                    public_reply=public_reply,
                    effect=effect,
                ),
                order=order,
            )
            return effect

        return register

    def add(self, row: Transition, *, order: int | None = None) -> None:
        """Add one row (at the end, or at its declaration `order`)."""
        states = {value for value, _ in self.states}
        if not row.sources <= states or (row.target is not None and row.target not in states):
            raise ValueError(f"{row.action}: unknown state in {set(row.sources)} → {row.target}")
        if row.clock not in CLOCKS:
            raise ValueError(f"{row.action}: unknown clock {row.clock}")
        for _role, scope in row.who:
            if scope not in self.scopes:
                raise ValueError(f"{row.action}: unknown scope {scope}")
        if any(r.action == row.action and r.variant == row.variant for r in self.rows):
            raise ValueError(f"{row.action}/{row.variant}: declared twice")
        if order is None:
            order = self._declared
            self._declared += 1
        self._orders.append(order)
        self._orders.sort()
        self.rows.insert(self._orders.index(order), row)

    # ---- reading --------------------------------------------------------------------------

    @property
    def table(self) -> tuple[Transition, ...]:
        return tuple(self.rows)

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.action for t in self.rows))

    @property
    def action_labels(self) -> dict[str, str]:
        """Every action's Chinese msgid: the rows', the system's, and the overrides for
        actions whose variants have different names (the action's own name)."""
        return {
            **{t.action: t.label for t in self.rows},
            **self.system_actions,
            **self._action_labels,
        }

    def action_label(self, action: str) -> str:
        """An action's name in the active language (the action itself if it has no name)."""
        label = self.action_labels.get(action)
        return pgettext("action", label) if label else action

    def rows_for(self, action: str) -> list[Transition]:
        """All rows (variants) of one action."""
        return [t for t in self.rows if t.action == action]

    def find(self, action: str, variant: str = "") -> Transition | None:
        """The row for an action and variant (the only row when the action has none)."""
        rows = self.rows_for(action)
        for row in rows:
            if row.variant == variant:
                return row
        if len(rows) == 1 and not variant:
            return rows[0]
        return None

    def reachable_states(self) -> set[str]:
        """States reachable from the initial one by the table."""
        seen: set[str] = {self.initial}
        frontier: list[str] = [self.initial]
        while frontier:
            state = frontier.pop()
            for t in self.rows:
                if state in t.sources and t.target and t.target not in seen:
                    seen.add(t.target)
                    frontier.append(t.target)
        return seen

    def state_label(self, value: str) -> str:
        return str(dict(self.states).get(value, value))


__all__ = [
    "CLOCKS",
    "CLOCK_LABELS",
    "Effect",
    "Outcome",
    "Step",
    "Transition",
    "Workflow",
    "no_effect",
    "pgettext_noop",
]
