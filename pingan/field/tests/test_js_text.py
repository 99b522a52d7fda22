"""The phone app's words: app.js passes every Chinese text through gettext(), js_text
lists exactly those texts, and the shell embeds them in the active language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from pingan.field import js_text

STATIC = Path(__file__).resolve().parents[1] / "static" / "field"


def all_js() -> str:
    """app.js and its modules (field.views.MODULES)."""
    from pingan.field.views import MODULES

    return "\n".join((STATIC / f"{n}.js").read_text("utf-8") for n in ("app", *MODULES))


CJK = re.compile(r"[\u4e00-\u9fff]")
# gettext("text" ...) and, with a context, gettext("text", null, "context")
CALL = re.compile(r'\bgettext\("([^"]*)"')
CONTEXT_CALL = re.compile(r'\bgettext\("([^"]*)", null, "([^"]+)"\)')


def code_without_comments(js: str) -> str:
    return re.sub(r"/\*.*?\*/|^\s*//.*$", "", js, flags=re.S | re.M)


def test_every_chinese_text_in_app_js_goes_through_gettext():
    js = code_without_comments(all_js())
    left = [line.strip() for line in CALL.sub("", js).splitlines() if CJK.search(line)]
    assert not left, f"Chinese text in app.js not passed through gettext(): {left[:5]}"


def test_js_text_lists_exactly_the_texts_of_app_js():
    js = all_js()
    with_context = CONTEXT_CALL.findall(js)
    plain = set(CALL.findall(CONTEXT_CALL.sub("", js)))
    assert plain == set(js_text.TEXT), plain ^ set(js_text.TEXT)
    assert {(ctx, s) for s, ctx in with_context} == set(js_text.CONTEXT_TEXT)


@pytest.mark.django_db
def test_the_shell_embeds_the_words_in_the_active_language(cast):
    c = Client()
    c.force_login(cast.gridworker)

    def words(**headers: str) -> dict[str, str]:
        page = c.get("/m/", **headers).content.decode()
        m = re.search(r'<script id="m-text" type="application/json">(.*?)</script>', page, re.S)
        assert m, "no m-text on the shell"
        return json.loads(m.group(1))

    en = words(HTTP_ACCEPT_LANGUAGE="en")
    assert en["在线"] == "Online" and en["action\x04就地解决"] == "Resolve on site"
    assert en["{n} 条内容发送失败，请在“我的”中查看。"].startswith("{n} ")
    assert not [k for k, v in en.items() if CJK.search(v)], "untranslated words in the shell"
    zh = words()
    assert zh["在线"] == "在线"
