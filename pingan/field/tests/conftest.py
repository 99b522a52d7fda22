from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient


@pytest.fixture
def api_as(db: Any) -> Any:
    def make(user: Any) -> ApiClient:
        return ApiClient(Client(), token_issue(user=user))

    return make
