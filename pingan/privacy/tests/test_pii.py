"""Encryption at rest, blind indexes, masking and validation of personal data."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from pingan.api.tests.helpers import report
from pingan.core import pii
from pingan.core.errors import Invalid
from pingan.events.models import Event
from pingan.events.selectors import EventFilters, event_list

# A real-shaped ID number with a valid check digit (GB 11643).
ID_OK = "330424199001011239"


def test_id_number_check_digit_is_verified():
    assert pii.id_number_check_digit(ID_OK[:17]) == ID_OK[17]
    assert pii.validate_id_number(ID_OK.lower()) == ID_OK
    assert pii.validate_id_number("11010519491231002X") == "11010519491231002X"
    with pytest.raises(Invalid) as e:
        pii.validate_id_number(ID_OK[:17] + "0")
    assert e.value.fields == {"id_number": "身份证号校验位不正确"}
    with pytest.raises(Invalid) as e:
        pii.validate_id_number("33042419901301123X")
    assert "出生日期" in e.value.fields["id_number"]
    with pytest.raises(Invalid):
        pii.validate_id_number("3304241990")


def test_phones_are_validated():
    assert pii.validate_phone("138 1234 5678") == "13812345678"
    assert pii.validate_phone("+8613812345678") == "13812345678"
    assert pii.validate_phone("0573-86123456") == "057386123456"
    for bad in ("12812345678", "1381234567", "138****5678", "abc"):
        with pytest.raises(Invalid):
            pii.validate_phone(bad)
    with pytest.raises(Invalid) as e:
        pii.validate_phone("0573-86123456", mobile_only=True)
    assert e.value.fields["phone"].startswith("手机号")


def test_masks():
    assert pii.mask_id_number(ID_OK) == "330424********1239"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳娜娜") == "欧***"
    assert pii.mask_address("城东社区海滨路18号3幢") == "城东社区海滨****"
    assert pii.mask_address("城东社区") == "城东社区"
    assert pii.mask_phone("") == pii.mask_name("") == pii.mask_id_number("") == ""


def test_encryption_is_authenticated_and_rotates(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PINGAN_PII_KEYS = old
    token = pii.encrypt("13812345678")
    assert "13812345678" not in token and pii.decrypt(token) == "13812345678"
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(tampered)
    # A new key in front: old rows still open; rotate re-encrypts with the new key.
    settings.PINGAN_PII_KEYS = f"{new},{old}"
    assert pii.decrypt(token) == "13812345678"
    rotated = pii.rotate(token)
    settings.PINGAN_PII_KEYS = new
    assert pii.decrypt(rotated) == "13812345678"
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(token)


def test_production_refuses_the_development_keys(settings):
    settings.PRODUCTION = True
    settings.PINGAN_PII_KEYS = ""
    settings.PINGAN_PII_INDEX_KEY = "x" * 32
    with pytest.raises(ImproperlyConfigured):
        pii.check_keys()
    settings.PINGAN_PII_KEYS = Fernet.generate_key().decode()
    settings.PINGAN_PII_INDEX_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        pii.check_keys()
    from pingan.privacy.apps import check_pii_keys

    assert [m.id for m in check_pii_keys()] == ["pingan.E101"]
    with pytest.raises(ImproperlyConfigured):
        pii.blind_index("13812345678", kind="phone")
    settings.PINGAN_PII_INDEX_KEY = "x" * 32
    pii.check_keys()
    assert check_pii_keys() == []
    settings.PINGAN_PII_KEYS = "not-a-key"
    with pytest.raises(ImproperlyConfigured):
        pii.check_keys()


def test_blind_index_is_keyed_and_normalised(settings):
    a = pii.blind_index("138 1234 5678", kind="phone")
    assert (
        a
        == pii.blind_index("13812345678", kind="phone")
        != pii.blind_index("13812345678", kind="id_number")
    )
    settings.PINGAN_PII_INDEX_KEY = "another-index-key"
    assert pii.blind_index("13812345678", kind="phone") != a


def test_event_personal_data_is_ciphertext_in_the_database(cast):
    e = report(cast, reporter_name="张三丰", reporter_phone="13812345678", address="海滨路18号")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT address, reporter_name, reporter_phone, reporter_phone_index "
            "FROM events_event WHERE id = %s",
            [e.pk],
        )
        row = cur.fetchone()
    raw = " ".join(row)
    for plain in ("张三丰", "13812345678", "海滨路"):
        assert plain not in raw
    fresh = Event.objects.get(pk=e.pk)
    assert (fresh.reporter_name, fresh.reporter_phone, fresh.address) == (
        "张三丰",
        "13812345678",
        "海滨路18号",
    )


def test_find_events_by_reporter_phone_through_the_blind_index(cast):
    e = report(cast, reporter_phone="13812345678")
    report(cast, reporter_phone="13900001111")
    found = list(
        event_list(user=cast.dispatcher, filters=EventFilters(reporter_phone="13812345678"))
    )
    assert [x.pk for x in found] == [e.pk]
    # Out of scope stays out of scope.
    assert not list(
        event_list(user=cast.dispatcher_b, filters=EventFilters(reporter_phone="13812345678"))
    )


def test_encrypted_fields_refuse_database_lookups(cast):
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(Event.objects.filter(reporter_phone="13812345678"))


def test_a_bad_phone_on_report_is_a_422_naming_the_field(cast):
    with pytest.raises(Invalid) as e:
        report(cast, reporter_phone="138****5678")
    assert "reporter_phone" in e.value.fields
