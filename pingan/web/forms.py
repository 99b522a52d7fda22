"""Forms of the main pages: sign-in and the event filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from pingan.events.choices import AssignmentStatus, DeadlineState, Source, Status


class LoginForm(forms.Form):
    """Username and password; the check itself is `accounts.services.user_authenticate`."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        error_messages={"required": _("请填写用户名")},
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请填写密码")},
    )


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class FastSelect(forms.Select):
    """A single select drawn in Python, with the same HTML as Django's template: the
    template engine spends about 0.1 ms on each option, and a county's filter form
    offers hundreds (categories, towns, departments) on every list page
    (docs/performance.md, "Lists at scale")."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if any(isinstance(label, (list, tuple)) for _v, label in self.choices):
            return super().render(name, value, attrs, renderer)  # option groups
        final = self.build_attrs(self.attrs, attrs)
        wanted = set(self.format_value(value))
        rows = []
        chosen = False
        for option, label in self.choices:
            option = "" if option is None else str(option)
            selected = not chosen and option in wanted
            chosen = chosen or selected
            rows.append((option, " selected" if selected else "", label))
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>', ((v, SafeString(s), lab) for v, s, lab in rows)
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class EventFilterForm(forms.Form):
    """The GET filters of event lists, drawn as a form. Parsing and validation of the
    values is `events.selectors.EventFilters.from_params`; this form only renders them."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("编号、标题、描述或地址"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        widget=FastSelect,
        choices=_blank(_("全部状态")) + list(Status.choices),
    )
    category = forms.ChoiceField(label=_("分类"), required=False, widget=FastSelect)
    region = forms.ChoiceField(label=_("镇街"), required=False, widget=FastSelect)
    source = forms.ChoiceField(
        label=_("来源"),
        required=False,
        widget=FastSelect,
        choices=_blank(_("全部来源")) + list(Source.choices),
    )
    deadline_state = forms.ChoiceField(
        label=_("时限"),
        required=False,
        widget=FastSelect,
        choices=_blank(_("全部时限")) + list(DeadlineState.choices),
    )
    department = forms.ChoiceField(label=_("主办/协办部门"), required=False, widget=FastSelect)
    assignment_status = forms.ChoiceField(
        label=_("部门办理状态"),
        required=False,
        widget=FastSelect,
        choices=_blank(_("全部")) + list(AssignmentStatus.choices),
    )
    reported_from = forms.DateField(
        label=_("上报起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reported_to = forms.DateField(
        label=_("上报止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        categories: list[Any] = (),  # type: ignore[assignment]
        regions: list[Any] = (),  # type: ignore[assignment]
        departments: list[Any] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cat_choices: list[tuple[str, Any]] = _blank(_("全部分类"))
        for c in categories:
            prefix = "\u3000" if c.parent_id else ""
            cat_choices.append((str(c.pk), f"{prefix}{c.name}"))
        self.fields["category"].choices = cat_choices  # type: ignore[attr-defined]
        self.fields["region"].choices = _blank(_("全部区域")) + [  # type: ignore[attr-defined]
            (str(r.pk), r.name) for r in regions
        ]
        self.fields["department"].choices = _blank(_("全部部门")) + [  # type: ignore[attr-defined]
            (str(d.pk), d.name) for d in departments
        ]
        # A link may carry several values at once (`status=dispatched,in_progress`): offer
        # that combination as one option so that changing another filter keeps it.
        for name, labels in (
            ("status", dict(Status.choices)),
            ("source", dict(Source.choices)),
            ("assignment_status", dict(AssignmentStatus.choices)),
        ):
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            values = [v for item in raw for v in str(item).split(",") if v in labels]
            if len(values) > 1:
                combined = ",".join(values)
                self.fields[name].choices = [  # type: ignore[attr-defined]
                    *self.fields[name].choices,  # type: ignore[attr-defined]
                    (combined, "、".join(str(labels[v]) for v in values)),
                ]
                data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
                data[name] = combined
                self.data = data
