from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.events.choices import Satisfaction


class ReportForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20)
    description = forms.CharField(label=_("反映内容"), widget=forms.Textarea, max_length=2000)
    category = forms.IntegerField(label=_("问题类型"), required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    captcha = CaptchaField(
        label=_("验证码"),
        error_messages={"invalid": _("验证码不正确"), "required": _("请填写验证码")},
    )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=12)
    last4 = forms.CharField(label=_("手机号后4位"), max_length=4, min_length=4)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices)
    comment = forms.CharField(
        label=_("意见"), required=False, max_length=500, widget=forms.Textarea
    )
