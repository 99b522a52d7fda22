"""A case kind: the model and the few rules the engine cannot guess, and the registry.

Subclass `CaseKind`, set the class attributes, override the hooks that differ from the
defaults, and `register()` an instance in the app's `AppConfig.ready` (the events app is
the worked example: `pingan/events/kind.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from pingan.access.actor import Actor
from pingan.cases.table import Transition, Workflow
from pingan.core.errors import NotFound

if TYPE_CHECKING:
    from pingan.cases.models import TimelineEntry
    from pingan.org.models import Membership

C = TypeVar("C", bound=models.Model)

WIDGETS = frozenset({"text", "textarea", "integer", "yes_no", "choice"})


@dataclass(frozen=True)
class FormField:
    """How a payload field is asked for on the generic action form: `label` (msgid),
    `widget` (text | textarea | integer | yes_no | choice) and, for a choice, `choices`
    ((value, label msgid), …)."""

    name: str
    label: str
    widget: str = "text"
    choices: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.widget not in WIDGETS:
            raise ValueError(f"{self.name}: unknown widget {self.widget}")


class CaseKind(ABC, Generic[C]):
    """What the engine needs to know about one case type.

    Class attributes:
    - `name`: the URL and command name (`/api/v1/<name>/{id}/transitions`,
      `manage.py workflow_doc <name>`); `label`: what it is called (中文 msgid).
    - `model`, `workflow`, `state_field` (default "status"), `audit_type` (the object type
      of its audit rows: "<audit_type>.<action>"), `timeline` and `timeline_case_field`
      (the timeline model and its foreign key to the case).
    - `field_labels`: each payload field's name for "请填写…" errors.
    - `messages`: the wording of the engine's errors for this kind (msgids).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    model: type[C]
    workflow: ClassVar[Workflow]
    state_field: ClassVar[str] = "status"
    # The timeline: its model and the name of its foreign key to the case (the default
    # `record` writes it; a kind with columns of its own may override `record`).
    timeline: ClassVar[type[TimelineEntry]]
    timeline_case_field: ClassVar[str] = "case"
    audit_type: ClassVar[str]
    field_labels: ClassVar[dict[str, str]] = {}
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("记录不存在"),
        "wrong_state": gettext_noop("当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不负责此事项，不能执行「%(action)s」"),
    }
    # The generic action form: how each payload field is asked for (a field not named
    # here is a text box labelled from `field_labels`; note and result are text areas).
    form_fields: ClassVar[dict[str, FormField]] = {}
    # The document `manage.py workflow_doc <name>` prints: its title and introduction.
    doc_title: ClassVar[str] = ""
    doc_source: ClassVar[str] = ""  # the module holding the declaration
    doc_settled: ClassVar[str] = "已办结"  # what the states neither open nor terminal mean
    doc_operations_intro: ClassVar[tuple[str, ...]] = (
        "同一操作有多行时为不同变体，由服务根据案件与操作人自动选择。",
        "“目标状态”为（不变）表示只记录时间线，不改变状态。",
        "“对外答复”为“可填”的操作可另填 `public_reply`：写给当事人和公众的答复，",
        "与内部说明（`note`）分开保存，手机号、身份证号打码后对外公开；内部说明从不对外公开。",
    )

    def form_field(self, name: str) -> FormField:
        """How the generic form asks for the payload field `name`."""
        if name in self.form_fields:
            return self.form_fields[name]
        widget = "textarea" if name in ("note", "result", "conclusion") else "text"
        return FormField(name, self.field_labels.get(name, name), widget)

    def page_url(self, case: C) -> str:
        """Where a person reads the case (the generic form returns there after an action)."""
        return ""

    # ---- what the actor sees ----------------------------------------------------------------

    @abstractmethod
    def scope_q(self, actor: Actor) -> Q:
        """Filter for the cases `actor` may see. Every kind must say (no default scope)."""

    def key_q(self, pk: int) -> Q:
        """The filter naming one case by its key (partitioned tables add their partition)."""
        return Q(pk=pk)

    def get(self, actor: Actor, pk: int) -> C:
        """The case if `actor` may see it; NotFound for missing and out of scope alike."""
        case = (
            self.model._default_manager.filter(self.scope_q(actor)).filter(self.key_q(pk)).first()
        )
        if case is None:
            raise NotFound(gettext(self.messages["not_found"]))
        return case

    def lock(self, actor: Actor, pk: int) -> C:
        """The case's row locked for the transition (`SELECT … FOR UPDATE`), after checking
        it is in scope (the same NotFound otherwise). Inside a transaction."""
        assert transaction.get_connection().in_atomic_block
        manager = self.model._default_manager
        if not manager.filter(self.scope_q(actor)).filter(self.key_q(pk)).exists():
            raise NotFound(gettext(self.messages["not_found"]))
        return manager.select_for_update().filter(self.key_q(pk)).get()

    # ---- who may act ------------------------------------------------------------------------

    def context(self, case: C) -> Any:
        """Facts about the case computed once per transition and handed to `covers` and
        `available` (the event: the departments holding an active assignment)."""
        return None

    @abstractmethod
    def covers(self, membership: Membership, scope: str, case: C, context: Any) -> bool:
        """Whether `membership` holds `scope` over `case` (one of `workflow.scopes`)."""

    def variant(self, action: str, case: C, actor: Actor, payload: dict[str, Any]) -> str:
        """Which variant of `action` applies (default: the action has none)."""
        return ""

    def available(self, row: Transition, case: C, actor: Actor, context: Any) -> bool:
        """For buttons: whether `row` makes sense now beyond role, state and scope (e.g. a
        pending request to decide). The service's own checks still apply."""
        return True

    # ---- what a transition writes -------------------------------------------------------------

    def state(self, case: C) -> str:
        return str(getattr(case, self.state_field))

    def set_state(self, case: C, value: str) -> None:
        setattr(case, self.state_field, value)

    def apply_clock(self, case: C, row: Transition, now: Any) -> None:
        """Move the case's deadline clocks for `row.clock` (kinds without clocks: nothing)."""

    def save(self, case: C, fields: list[str] | None = None) -> None:
        """Write the case after its transition. `fields` are the columns that changed
        (`cases.service.changed_fields`); by default every column is written, because a
        model may derive columns in its own save() (a region path, a blind index) that the
        comparison cannot see. A kind whose model derives nothing so may write `fields` only
        (the event's kind does)."""
        case.save()

    def written(self, case: C, action: str) -> None:
        """Inside the transaction, after the case is saved (e.g. analytics' rollups)."""

    def record(
        self,
        case: C,
        *,
        action: str,
        from_state: str,
        to_state: str,
        actor: Actor,
        role: str,
        note: str,
        public_reply: str,
        data: dict[str, Any],
        at: Any,
        columns: dict[str, Any],
    ) -> Any:
        """Write the timeline row of one transition; returns it. By default a row of
        `timeline` (a `cases.models.TimelineEntry`) whose foreign key `timeline_case_field`
        names the case; `columns` are the kind's own columns of that row."""
        return self.timeline._default_manager.create(
            **{self.timeline_case_field: case},
            action=action,
            from_status=from_state,
            to_status=to_state,
            actor=actor.user,
            actor_role=role,
            note=note,
            public_reply=public_reply,
            data=data,
            at=at,
            **columns,
        )

    def announce(self, case: C, action: str, record: Any, variant: str) -> None:
        """After commit: tell the rest of the system (signals, notifications)."""


_KINDS: dict[str, CaseKind[Any]] = {}


def register(kind: CaseKind[Any]) -> CaseKind[Any]:
    """Make `kind` known to the engine's command, API and permission walk."""
    known = _KINDS.get(kind.name)
    if known is not None and known is not kind:
        raise ValueError(f"case kind {kind.name!r} registered twice")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> CaseKind[Any]:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(name) from None


def kinds() -> list[CaseKind[Any]]:
    """Every registered kind, in registration order."""
    return list(_KINDS.values())
