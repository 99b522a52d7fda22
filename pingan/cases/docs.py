"""The document of a case kind's workflow, generated from its declaration
(`manage.py workflow_doc KIND`; docs/workflow.md is the event's).

A kind may add its own sections (rules the table alone does not show, e.g. how its clocks
count) with a method `doc_sections()` returning `(title, lines)` pairs; they are printed
after the scopes and system actions, before the state diagram."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation

from pingan.cases.kind import CaseKind
from pingan.cases.table import CLOCK_LABELS, Transition
from pingan.org.choices import Role


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(kind: CaseKind[Any]) -> str:
    """The whole Markdown document, deterministic for one version of the declaration."""
    with translation.override("zh-hans"):
        return _render(kind)


def _render(kind: CaseKind[Any]) -> str:
    wf = kind.workflow
    order = [value for value, _ in wf.states]
    labels = dict(wf.states)

    def state(code: str | None) -> str:
        return "（不变）" if code is None else f"{labels[code]} `{code}`"

    def sources(row: Transition) -> str:
        return "、".join(f"`{s}`" for s in sorted(row.sources, key=order.index))

    def who(row: Transition) -> str:
        return "<br>".join(f"{_role(role)} `{role}` · `{scope}`" for role, scope in row.who)

    source = kind.doc_source
    out: list[str] = []
    w = out.append
    w(f"# {kind.doc_title or kind.label}")
    w("")
    w(f"<!-- 本文件由 `manage.py workflow_doc {kind.name}` 根据")
    w(f"     {source} 生成，请勿手工修改。 -->")
    w("")
    w(f"{kind.label}的状态、操作、谁可以操作（角色与范围）、需要哪些字段、对时限的影响，")
    w(f"全部来自 `{source}` 中的一张表；页面按钮、接口和本文档都由它生成。")
    w("")
    w("## 状态")
    w("")
    w("| 状态 | 名称 | 性质 |")
    w("|---|---|---|")
    for value, label in wf.states:
        if value == wf.initial:
            nature = "初始"
        elif value in wf.terminal:
            nature = "终止"
        elif value in wf.open:
            nature = "在办"
        else:
            nature = kind.doc_settled
        w(f"| `{value}` | {label} | {nature} |")
    w("")
    w("## 操作")
    w("")
    for line in kind.doc_operations_intro:
        w(line)
    w("")
    w("| 操作 | 变体 | 名称 | 来源状态 | 目标状态 | 角色 · 范围 | 必填字段 | 对外答复 | 时限 |")
    w("|---|---|---|---|---|---|---|---|---|")
    for row in wf.rows:
        requires = "、".join(f"`{f}`" for f in row.requires) or "—"
        cells = [
            f"`{row.action}`",
            f"`{row.variant}`" if row.variant else "—",
            _cell(row.label),
            sources(row),
            state(row.target),
            who(row),
            requires,
            "可填" if row.public_reply else "—",
            f"{CLOCK_LABELS[row.clock]} `{row.clock}`",
        ]
        w("| " + " | ".join(cells) + " |")
    w("")
    w("## 范围")
    w("")
    for scope in sorted(wf.scopes):
        w(f"- `{scope}`：{wf.scopes[scope]}")
    if wf.system_actions:
        w("")
        w("## 系统记录的动作")
        w("")
        w("由系统（超期扫描等）写入时间线，不由人操作：")
        w("")
        for action, system_label in wf.system_actions.items():
            w(f"- `{action}`：{system_label}")
    for title, lines in _kind_sections(kind):
        w("")
        w(f"## {title}")
        w("")
        for line in lines:
            w(line)
    w("")
    w("## 状态图")
    w("")
    w("```mermaid")
    w("stateDiagram-v2")
    for value, label in wf.states:
        w(f"    {value} : {label}")
    w(f"    [*] --> {wf.initial}")
    edges: dict[tuple[str, str], list[str]] = {}
    for row in wf.rows:
        if row.target is None:
            continue
        for s in sorted(row.sources, key=order.index):
            names = edges.setdefault((s, row.target), [])
            if row.label not in names:
                names.append(row.label)
    for (s, target), names in edges.items():
        w(f"    {s} --> {target} : {'／'.join(names)}")
    for value in order:
        if value in wf.terminal:
            w(f"    {value} --> [*]")
    w("```")
    return "\n".join(out) + "\n"


def _kind_sections(kind: CaseKind[Any]) -> list[tuple[str, list[str]]]:
    """The kind's own sections (`doc_sections()`), if it has any."""
    sections: Callable[[], Iterable[tuple[str, Iterable[str]]]] | None = getattr(
        kind, "doc_sections", None
    )
    if sections is None:
        return []
    return [(str(title), [str(line) for line in lines]) for title, lines in sections()]


def _role(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role
