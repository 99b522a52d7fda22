"""`manage.py workflow_doc`: print docs/workflow.md, generated from `events.workflow`.

`make workflow-doc` writes it; a test fails when the committed file is stale.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from pingan.events import workflow
from pingan.events.choices import Status
from pingan.org.choices import Role

SCOPE_LABELS = {
    workflow.REGION: "辖区：所辖区划包含事件所在地",
    workflow.QUEUE: "受理队列：所辖区划包含事件所在的受理中心",
    workflow.ASSIGNMENT: "派遣：所在部门持有该事件的在办派遣",
}
CLOCK_LABELS = {
    workflow.CLOCK_NONE: "不变",
    workflow.CLOCK_START: "开始签收与办理计时",
    workflow.CLOCK_STOP_ACK: "停止签收计时，办理计时继续",
    workflow.CLOCK_MOVE: "办理期限顺延",
    workflow.CLOCK_STOP: "停止计时",
    workflow.CLOCK_RESTART: "重新开始办理计时",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _state(code: str | None) -> str:
    if code is None:
        return "（不变）"
    return f"{Status(code).label} `{code}`"


def _sources(row: workflow.Transition) -> str:
    order = list(Status.values)
    return "、".join(f"`{s}`" for s in sorted(row.sources, key=order.index))


def _who(row: workflow.Transition) -> str:
    return "<br>".join(f"{Role(role).label} `{role}` · `{scope}`" for role, scope in row.who)


def render() -> str:
    """The whole Markdown document, deterministic for one version of the table."""
    with translation.override("zh-hans"):
        return _render()


def _render() -> str:
    out: list[str] = []
    w = out.append
    w("# 事件流转（workflow）")
    w("")
    w("<!-- 本文件由 `make workflow-doc`（manage.py workflow_doc）根据")
    w("     pingan/events/workflow.py 生成，请勿手工修改。 -->")
    w("")
    w("事件的状态、操作、谁可以操作（角色与范围）、需要哪些字段、对时限的影响，")
    w("全部来自 `pingan/events/workflow.py` 中的一张表；页面按钮、接口和本文档都由它生成。")
    w("")
    w("## 状态")
    w("")
    w("| 状态 | 名称 | 性质 |")
    w("|---|---|---|")
    for value, label in Status.choices:
        if value == workflow.INITIAL:
            kind = "初始"
        elif value in workflow.TERMINAL:
            kind = "终止"
        elif value in workflow.OPEN:
            kind = "在办"
        else:
            kind = "已办结（可回访、重办、长效跟踪）"
        w(f"| `{value}` | {label} | {kind} |")
    w("")
    w("## 操作")
    w("")
    w("同一操作有多行时为不同变体，由服务根据事件与操作人自动选择。")
    w("“目标状态”为（不变）表示只记录时间线，不改变事件状态。")
    w("“对外答复”为“可填”的操作可另填 `public_reply`：写给反映人和公众的答复，")
    w("与内部说明（`note`）分开保存，手机号、身份证号打码后对外公开")
    w("（Open311 的 `status_notes`、民声一键办查询页、短信）；内部说明从不对外公开。")
    w("")
    w("| 操作 | 变体 | 名称 | 来源状态 | 目标状态 | 角色 · 范围 | 必填字段 | 对外答复 | 时限 |")
    w("|---|---|---|---|---|---|---|---|---|")
    for row in workflow.TABLE:
        requires = "、".join(f"`{f}`" for f in row.requires) or "—"
        w(
            "| "
            + " | ".join(
                [
                    f"`{row.action}`",
                    f"`{row.variant}`" if row.variant else "—",
                    _cell(row.label),
                    _sources(row),
                    _state(row.target),
                    _who(row),
                    requires,
                    "可填" if row.public_reply else "—",
                    f"{CLOCK_LABELS[row.clock]} `{row.clock}`",
                ]
            )
            + " |"
        )
    w("")
    w("## 范围")
    w("")
    for scope in sorted(workflow.SCOPES):
        w(f"- `{scope}`：{SCOPE_LABELS.get(scope, scope)}")
    w("")
    w("## 系统记录的动作")
    w("")
    w("由系统（超期扫描等）写入时间线，不由人操作：")
    w("")
    for action, system_label in workflow.SYSTEM_ACTIONS.items():
        w(f"- `{action}`：{system_label}")
    w("")
    w("## 状态图")
    w("")
    w("```mermaid")
    w("stateDiagram-v2")
    for value, label in Status.choices:
        w(f"    {value} : {label}")
    w(f"    [*] --> {workflow.INITIAL}")
    edges: dict[tuple[str, str], list[str]] = {}
    for row in workflow.TABLE:
        if row.target is None:
            continue
        for source in sorted(row.sources, key=list(Status.values).index):
            labels = edges.setdefault((source, row.target), [])
            if row.label not in labels:
                labels.append(row.label)
    for (source, target), labels in edges.items():
        w(f"    {source} --> {target} : {'／'.join(labels)}")
    for value in Status.values:
        if value in workflow.TERMINAL:
            w(f"    {value} --> [*]")
    w("```")
    return "\n".join(out) + "\n"


class Command(BaseCommand):
    help = "输出由 pingan/events/workflow.py 生成的流程文档（Markdown）。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(render(), ending="")
