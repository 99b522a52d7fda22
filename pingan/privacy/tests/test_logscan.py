"""The log scan (pingan/conftest.py) sees what is logged and flags phones and ID numbers."""

from __future__ import annotations

import logging

from pingan.api.tests.helpers import dispatched_to_police

log = logging.getLogger("pingan.test")


def test_a_logged_phone_is_found(_no_personal_data_in_logs):
    handler = _no_personal_data_in_logs
    log.warning("callback to %s", "13812345678")
    try:
        raise ValueError("id 330424199001011239 rejected")
    except ValueError:
        log.exception("import failed")
    found = handler.findings()
    assert "138…78" in found[0]
    assert any("330…39" in f for f in found[1:])
    # Masked values are fine.
    handler.texts.clear()
    log.warning("callback to 138****5678, id 330424********1239")
    assert handler.findings() == []
    # A hex id holding eleven phone-like digits is not a phone.
    log.info("Worker 2a4feb9dd290472e8b18738776144eb7: started")
    assert handler.findings() == []
    handler.texts.clear()  # so that this test itself passes the scan


def test_the_workflow_with_personal_data_logs_none_of_it(cast, client, _no_personal_data_in_logs):
    # Requests that fail (404, 422) are logged by Django; none may carry the phone.
    e = dispatched_to_police(cast, reporter_phone="13812345678")
    client.force_login(cast.dispatcher_b)
    client.post(f"/events/{e.pk}/contact/")
    client.force_login(cast.dispatcher)
    client.get("/api/v1/events", {"reporter_phone": "13812345678"})
    client.get("/api/v1/events", {"reporter_phone": "1381234567"})
    assert _no_personal_data_in_logs.texts, "Django's request log should have recorded the 404"
    assert _no_personal_data_in_logs.findings() == []
