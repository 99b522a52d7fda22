"""Forms of the six systems' pages (Chinese labels; the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.gridsys.choices import MeetingKind, ReviewConclusion


class MeetingForm(forms.Form):
    region = forms.TypedChoiceField(label=_("区划"), coerce=int)
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    held_at = forms.DateTimeField(
        label=_("召开时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    agenda = forms.CharField(label=_("议程"), widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(
        label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    present = forms.CharField(
        label=_("出席人员（用户名，逗号分隔）"), required=False, max_length=2000
    )
    absent = forms.CharField(
        label=_("缺席人员（用户名，逗号分隔）"), required=False, max_length=2000
    )
    reviews = forms.CharField(
        label=_("微复盘事件（每行：事件编号｜复盘意见）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    decisions = forms.CharField(
        label=_("议定事项（每行：事项｜关联事件编号｜责任人用户名｜完成时限 YYYY-MM-DD）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AfterReviewForm(forms.Form):
    event_code = forms.CharField(label=_("事件编号"), max_length=40)
    findings = forms.CharField(label=_("倒查发现"), widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.ChoiceField(label=_("结论"), choices=ReviewConclusion.choices)
    accountable_username = forms.CharField(label=_("责任人用户名"), required=False, max_length=150)
    accountable_department = forms.TypedChoiceField(
        label=_("责任部门"), coerce=int, required=False, empty_value=None
    )
    measures = forms.CharField(
        label=_("处理措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
