"""平安建设: the header link and the hub page show each role the parts its pages answer."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PARTS = {
    "/assessment/": "平安考核",
    "/inspections/": "督查检查",
    "/rectifications/": "整改通知",
    "/campaigns/": "专项行动",
    "/listings/": "挂牌整治",
    "/surveys/": "问卷调查",
    "/safety/": "安全生产",
}


def _hub(user) -> tuple[str, set[str]]:
    c = Client()
    c.force_login(user)
    page = c.get("/construction/").content.decode()
    return page, {url for url, title in PARTS.items() if f'href="{url}"' in page}


def test_each_role_sees_the_parts_its_pages_answer(cast):
    page, dispatcher = _hub(cast.county_dispatcher)
    assert dispatcher == set(PARTS)
    assert 'href="/construction/" class="active"' in page  # the header link, marked
    _, handler = _hub(cast.handler)
    assert handler == set(PARTS) - {"/surveys/", "/safety/"}
    for url in dispatcher:  # every link leads to a page that answers the role
        c = Client()
        c.force_login(cast.county_dispatcher)
        assert c.get(url).status_code == 200, url


def test_a_grid_worker_has_no_header_link_and_an_empty_hub(cast):
    page, parts = _hub(cast.gridworker)
    assert parts == set() and "您的角色没有平安建设的工作。" in page
    c = Client()
    c.force_login(cast.gridworker)
    assert 'href="/construction/"' not in c.get("/inbox/").content.decode()
