"""The standard 安全感满意率 questionnaire a county starts from (the questions the seeds'
counties ask door to door); the editor's 「使用标准安全感问卷」 fills it in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

__all__ = ["standard_security_questions"]


def standard_security_questions() -> list[dict[str, Any]]:
    """The questions as the API takes them (the first is the headline question)."""
    return [
        {
            "text": gettext("您觉得您所在的镇（街道）、村（社区）社会治安状况安全吗？"),
            "kind": "single",
            "headline": True,
            "options": [
                {"text": gettext("安全"), "positive": True},
                {"text": gettext("比较安全"), "positive": True},
                {"text": gettext("不太安全")},
                {"text": gettext("不安全")},
                {"text": gettext("说不清")},
            ],
        },
        {
            "text": gettext("您对本地平安建设工作满意吗？"),
            "kind": "single",
            "options": [
                gettext("满意"),
                gettext("比较满意"),
                gettext("不太满意"),
                gettext("不满意"),
            ],
        },
        {
            "text": gettext("您认为当前影响本地安全的突出问题有哪些？（可多选）"),
            "kind": "multiple",
            "required": False,
            "options": [
                gettext("盗窃、诈骗等侵财犯罪"),
                gettext("电信网络诈骗"),
                gettext("交通安全"),
                gettext("消防安全"),
                gettext("矛盾纠纷"),
                gettext("黄赌毒"),
                gettext("食品药品安全"),
                gettext("其他"),
            ],
        },
        {
            "text": gettext("您知道本村（社区）的网格员是谁吗？"),
            "kind": "single",
            "options": [gettext("知道"), gettext("不知道")],
        },
        {
            "text": gettext("请为本地公安机关的工作打分（1—5分）"),
            "kind": "scale",
            "scale_max": 5,
        },
        {
            "text": gettext("您对平安建设还有什么意见和建议？"),
            "kind": "text",
            "required": False,
        },
    ]
