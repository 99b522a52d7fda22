"""The English translation: key pages render in English, and the catalogue is complete.

The catalogue checks read pingan/locale/en/LC_MESSAGES/django.po, the one source of the
English (with polib): every msgid has an English msgstr that is not fuzzy, the committed
django.mo says the same as the .po, and the .po holds every msgid the source marks. After
adding or changing a translatable string: `makemessages`, write the English into the .po,
`compilemessages` (CONTRIBUTING.md).
"""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pingan.core.errors import Forbidden
from pingan.events import workflow
from pingan.events.choices import Status
from pingan.events.services import event_report, event_transition

LOCALE = Path(settings.BASE_DIR) / "pingan" / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")

# msgids allowed to stay untranslated, each with its reason. Keep it empty if you can.
UNTRANSLATED_ALLOWANCE: dict[str, str] = {}


def key(entry: polib.POEntry) -> str:
    """An entry's msgid, with its context in front as a compiled catalogue keys it."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def catalogue(path: Path = PO) -> polib.POFile:
    return polib.pofile(str(path))


def visible_text(html: str) -> str:
    """The page's text, less what is Chinese on purpose: the logo glyph (aria-hidden) and
    the switch to Chinese (lang="zh-hans")."""
    html = re.sub(r'<[^>]*(?:aria-hidden="true"|lang="zh-hans")[^>]*>[^<]*', "", html)
    return re.sub(r"<[^>]*>", "", html)


def nav(html: str) -> str:
    m = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert m, "no main navigation on the page"
    return m.group(0)


# ---- pages -------------------------------------------------------------------------


def test_sign_in_page_is_in_english_when_the_browser_asks_for_it(client, db):
    html = client.get(reverse("login"), **EN).content.decode()
    assert "<title>Sign in · Pingan · Grassroots Governance</title>" in html
    assert "Sign in to Pingan" in html
    assert "Username" in html and "Password" in html
    left = CJK.findall(visible_text(html))
    assert not left, f"Chinese text left on the sign-in page: {left}"
    # and Chinese stays the default
    assert "登录平安系统" in client.get(reverse("login")).content.decode()


def test_navigation_is_in_english(client, cast):
    client.force_login(cast.leader)
    html = client.get(reverse("workbench"), **EN).content.decode()
    menu = nav(html)
    for label in ("Workbench", "Events", "Analytics", "Briefing", "Grid six systems"):
        assert f">{label}<" in menu, label
    assert "Sign out" in html and "Messages" in html
    assert not CJK.search(visible_text(menu)), menu
    assert "统计分析" in nav(client.get(reverse("workbench")).content.decode())


def test_dashboard_figures_are_named_in_english(client, cast):
    client.force_login(cast.leader)
    html = client.get(reverse("dashboard"), **EN).content.decode()
    labels = re.findall(r'<div class="kpi-label">([^<]*)</div>', html)
    assert "Events registered" in labels and "Closure rate" in labels, labels
    assert not [x for x in labels if CJK.search(x)], labels
    assert '"accepted": "Accepted"' in html  # the charts' words, for dashboard.js
    assert re.search(r"\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d", html)  # the period, not 2026年…
    assert re.search(r"<h1>(海盐县 · )?Analytics</h1>", html)  # not 全县统计分析


def test_key_strings_and_choices_in_english():
    with translation.override("en"):
        assert _("网格员") == "Grid worker"
        assert _("主办部门") == "Lead department"
        assert _("封账") == "Lock period"
        assert _("网络舆情线索") == "Online opinion leads"
        assert str(Status.CLOSED.label) == "Closed"
        assert str(Status.DISPATCHED.label) == "Dispatched"
        assert ngettext("共 %(counter)s 件", "共 %(counter)s 件", 1) % {"counter": 1} == "1 event"
        assert ngettext("共 %(counter)s 件", "共 %(counter)s 件", 3) % {"counter": 3} == "3 events"
    with translation.override("zh-hans"):
        assert _("网格员") == "网格员"


def test_event_page_buttons_timeline_and_errors_are_in_english(client, cast):
    lat, lng = cast.point_a1
    event = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="楼道堆放杂物",
        lat=lat,
        lng=lng,
    )[0]
    client.force_login(cast.dispatcher)
    html = client.get(reverse("event_detail", args=[event.pk]), **EN).content.decode()
    assert ">Accept<" in html and ">Reject<" in html and ">Merge<" in html  # buttons
    assert "Report" in html and "Reported" in html  # timeline: the action and the status
    client.force_login(cast.gridworker)
    r = client.post(
        reverse("event_action", args=[event.pk, "accept"]), {}, HTTP_HX_REQUEST="true", **EN
    )
    assert r.status_code == 403 and "Your role cannot do “Accept”" in r.content.decode()
    with translation.override("en"), pytest.raises(Forbidden, match="Your role cannot do “Accept”"):
        event_transition(actor=cast.gridworker, event_id=event.pk, action="accept")
    # the action names stay Chinese in code, docs and stored data
    assert workflow.find("accept").label == "受理"
    with translation.override("en"):
        assert workflow.action_label("report") == "Report"


# ---- the catalogue -----------------------------------------------------------------


def test_every_msgid_has_an_english_translation():
    po = catalogue()
    left = [
        key(e)
        for e in po.untranslated_entries() + po.fuzzy_entries()
        if not e.obsolete and key(e) not in UNTRANSLATED_ALLOWANCE
    ]
    assert not left, f"{len(left)} msgids untranslated or fuzzy, e.g. {left[:5]}"
    assert len(po.translated_entries()) > 1000  # the catalogue was read, not an empty file


def test_the_compiled_catalogue_matches_the_po():
    """A stale django.mo (the .po changed, compilemessages not run) shows up here."""
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for e in catalogue().translated_entries():
        if e.msgid_plural:
            want = [e.msgstr_plural[0], e.msgstr_plural[1]]
            got = [mo.ngettext(key(e), e.msgid_plural, 1), mo.ngettext(key(e), e.msgid_plural, 2)]
        else:
            want, got = [e.msgstr], [mo.gettext(key(e))]
        if got != want:
            stale.append(key(e))
    assert not stale, f"django.mo differs from django.po for {len(stale)} msgids: {stale[:5]}"


def test_the_po_holds_every_msgid_the_source_marks(tmp_path, monkeypatch):
    """Runs makemessages on a copy of the source: no msgid may be new to the .po."""
    assert shutil.which("xgettext"), "gettext is missing: make test-deps installs it"
    src = Path(settings.BASE_DIR) / "pingan"
    for path in src.rglob("*"):
        if path.suffix in {".py", ".html", ".txt"} and "__pycache__" not in path.parts:
            dest = tmp_path / "pingan" / path.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    copy = tmp_path / "pingan" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PO, copy)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [str(tmp_path / "pingan" / "locale")])
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    before = {key(e) for e in catalogue() if not e.obsolete}
    after = {key(e) for e in catalogue(copy) if not e.obsolete}
    assert not after - before, f"msgids missing from django.po: {sorted(after - before)[:10]}"
    assert not before - after, f"msgids no longer in the source: {sorted(before - after)[:10]}"
