"""manage.py import_register: the registers from the example files in
docs/examples/registers and from files with mistakes in them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from pingan.core import pii
from pingan.core.models import AuditEntry
from pingan.places.models import Camera, Place, RentalHouse, Tenancy
from pingan.registry.models import Household, KeyPerson, Person, RecordChange, VisitTask

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples" / "registers"
LANDLORD_ID = "330424198001010119"  # 测试甲 in persons.csv, landlord in rentals.csv


def run(kind: str, name: str, *extra: str, mapping: str = "") -> tuple[dict[str, int], list[str]]:
    """The summary's counts and the other lines of the command's output."""
    out = io.StringIO()
    path = EXAMPLES / name if "/" not in name else Path(name)
    mapping_path = mapping or str(EXAMPLES / f"{kind}-mapping.yaml")
    call_command("import_register", kind, str(path), "--mapping", mapping_path, *extra, stdout=out)
    lines = out.getvalue().strip().splitlines()
    counts = {k: int(v) for k, v in (p.split("=") for p in lines[-1].split("（")[0].split())}
    return counts, lines[:-1]


def person(id_number: str) -> Person:
    return Person.objects.get(id_index=pii.blind_index(id_number, kind="id_number"))


def snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Person, Household, KeyPerson, RentalHouse, Tenancy, Place, Camera, RecordChange)
    )


def test_persons_file_registers_people_households_and_history(cast):
    counts, lines = run("persons", "persons.csv")
    assert counts == {"total": 6, "created": 6, "updated": 0, "unchanged": 0, "errors": 0}
    assert lines == ["新建户 2"]
    head = person(LANDLORD_ID)
    assert (head.name, head.phone, head.sex, head.birth_date.isoformat()) == (
        "测试甲",
        "13800000001",
        "male",
        "1980-01-01",
    )
    assert head.region == cast.grid_a1 and head.region_path == cast.grid_a1.path
    assert head.county == cast.county
    assert head.household is not None and head.household.head == head
    assert head.household.members.count() == 3
    assert person("410102199506070416").kind == "new_resident"
    assert person("330424197011110514").phone == "057386000005"  # a landline, normalised
    # History: one attributed row per person and household created, values masked.
    change = RecordChange.objects.get(model="person", object_id=head.pk, action="create")
    assert change.source == "import" and change.actor_name == "system:import_register"
    assert change.fields["name"]["new"] == "测**"
    assert "13800000001" not in str(change.fields)
    assert AuditEntry.objects.filter(action="importer.register", object_id="persons").count() == 1


def test_running_the_same_file_again_changes_nothing_and_an_edit_updates_one(cast, tmp_path):
    run("persons", "persons.csv")
    before = snapshot()
    counts, _lines = run("persons", "persons.csv")
    assert counts == {"total": 6, "created": 0, "updated": 0, "unchanged": 6, "errors": 0}
    assert snapshot() == before

    edited = tmp_path / "persons.csv"
    text = (EXAMPLES / "persons.csv").read_text(encoding="utf-8")
    edited.write_text(text.replace("13900000004", "13900000099"), encoding="utf-8")
    counts, _lines = run("persons", str(edited), mapping=str(EXAMPLES / "persons-mapping.yaml"))
    assert (counts["updated"], counts["unchanged"]) == (1, 5)
    moved = person("410102199506070416")
    assert moved.phone == "13900000099"
    assert moved.phone_index == pii.blind_index("13900000099", kind="phone")
    change = RecordChange.objects.get(model="person", object_id=moved.pk, action="update")
    assert change.fields == {"phone": {"old": "139****0004", "new": "139****0099"}}


def test_bad_rows_are_reported_by_line_and_field_and_the_good_ones_still_go_in(cast):
    counts, lines = run("persons", "persons-errors.csv")
    assert counts["total"] == 6 and counts["created"] == 1 and counts["errors"] == 5
    text = "\n".join(lines)
    assert "第2行（330424********0110） id_number: 身份证号校验位不正确" in text
    assert "第3行（330424********0711） phone: 电话号码格式不正确" in text
    assert "第4行（330424********0720） id_number: 身份证号中的出生日期无效" in text
    assert "第5行（330424********0738） name: 为空" in text
    assert "第5行（330424********0738） person_kind: 取值“外星”不在映射表中" in text
    assert "第5行（330424********0738） region: 网格“999”不存在" in text
    assert "第5行（330424********0738） moved_in_at: 无法识别的日期“昨天”" in text
    assert "第7行（330424********0119） id_number: 与第6行重复" in text
    assert Person.objects.count() == 1  # only line 6


def test_dry_run_reports_the_real_run_and_writes_nothing(cast):
    before = snapshot()
    audits = AuditEntry.objects.count()
    dry, dry_lines = run("persons", "persons.csv", "--dry-run")
    assert snapshot() == before and AuditEntry.objects.count() == audits
    real, lines = run("persons", "persons.csv")
    assert (dry, dry_lines) == (real, lines)


def test_a_landlord_already_registered_is_linked_not_duplicated(cast):
    run("persons", "persons.csv")
    landlord = person(LANDLORD_ID)
    persons = Person.objects.count()
    counts, lines = run("rentals", "rentals.csv")
    assert counts == {"total": 3, "created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert lines == ["新登记人员 2；按身份证号关联已登记人员 3；新登记租住 2"]
    # 测试甲 (landlord) and 测试丁 (tenant) were in the persons file: linked. 测试庚 (tenant)
    # and 测试辛 (landlord) were new: registered, once each.
    assert Person.objects.count() == persons + 2
    house = RentalHouse.objects.get(landlord=landlord)
    assert house.address == "城东社区海滨路3号" and house.region == cast.grid_a2
    assert (house.rooms, house.kind, house.managed) == (3, "rooms", ["custody"])
    tenants = {t.tenant.name for t in Tenancy.objects.filter(house=house)}
    assert tenants == {"测试丁", "测试庚"}
    assert person("420102199909090819").kind == "new_resident"
    # Again: nothing new (houses by code, tenancies by tenant).
    before = snapshot()
    counts, _lines = run("rentals", "rentals.csv")
    assert counts == {"total": 3, "created": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert snapshot() == before


def test_key_persons_get_their_label_and_a_first_visit_task(cast):
    run("persons", "persons.csv")
    counts, lines = run("key-persons", "key-persons.csv")
    assert counts == {"total": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert lines == ["新登记人员 1；按身份证号关联已登记人员 1"]
    kp = KeyPerson.objects.get(person=person("330424197011110514"))
    assert (kp.category.code, kp.sensitivity, kp.risk_level) == (
        "corrections",
        "corrections",
        "medium",
    )
    assert VisitTask.objects.filter(key_person=kp, done_at__isnull=True).count() == 1
    assert RecordChange.objects.filter(
        model="key_person", object_id=kp.pk, source="import"
    ).exists()
    counts, _lines = run("key-persons", "key-persons.csv")
    assert counts["unchanged"] == 2


def test_households_places_and_cameras(cast):
    run("persons", "persons.csv")
    counts, _lines = run("households", "households.csv")
    assert counts == {"total": 2, "created": 1, "updated": 0, "unchanged": 1, "errors": 0}
    assert Household.objects.get(number="H-003").kind == "collective"

    counts, _lines = run("places", "places.csv")
    assert counts == {"total": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    station = Place.objects.get(credit_code="92330424MA2B000025")
    assert (station.kind, station.sector, station.region) == ("realname", "express", cast.grid_a2)
    assert station.manager_phone == "13400000011"
    counts, _lines = run("places", "places.csv")
    assert counts["unchanged"] == 3

    counts, _lines = run("cameras", "cameras.csv")
    assert counts == {"total": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    assert Camera.objects.get(code="33042400001310000003").region == cast.grid_b1
    counts, _lines = run("cameras", "cameras.csv")
    assert counts["unchanged"] == 3


def test_a_mapping_for_another_register_is_refused_before_any_row(cast):
    with pytest.raises(CommandError, match="kind: 映射文件为 persons，命令指定为 cameras"):
        run("cameras", "cameras.csv", mapping=str(EXAMPLES / "persons-mapping.yaml"))


def test_a_new_grid_is_a_move_and_a_new_status_is_refused(cast, tmp_path):
    from pingan.registry.models import PersonMove

    run("persons", "persons.csv")
    text = (EXAMPLES / "persons.csv").read_text(encoding="utf-8").splitlines()
    # 测试丁 moves from grid a2 to a1; 测试甲 is said to have moved out.
    moved = text[4].replace("330424001001002", "330424001001001")
    gone = text[1] + ",已迁出"
    edited = tmp_path / "persons.csv"
    edited.write_text(
        "\n".join([text[0] + ",状态", gone, moved.replace(moved, moved + ",")]) + "\n",
        encoding="utf-8",
    )
    mapping = (EXAMPLES / "persons-mapping.yaml").read_text(encoding="utf-8")
    mapping += "status: {column: 状态, map: {已迁出: moved_out}}\n"
    counts, lines = run("persons", str(edited), mapping=_write(tmp_path, mapping))
    assert (counts["updated"], counts["errors"]) == (1, 1)
    assert lines == ["第2行（330424********0119） status: 已登记人员的迁出、死亡等请在页面办理"]
    assert person(LANDLORD_ID).status == "present"
    tenant = person("410102199506070416")
    assert tenant.region == cast.grid_a1 and tenant.region_path == cast.grid_a1.path
    move = PersonMove.objects.get(person=tenant, kind="transfer")
    assert (move.from_region, move.to_region) == (cast.grid_a2, cast.grid_a1)
    assert RecordChange.objects.filter(
        model="person", object_id=tenant.pk, action="transfer", source="import"
    ).exists()


def _write(tmp_path: Path, mapping: str) -> str:
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping, encoding="utf-8")
    return str(path)


def test_an_import_by_a_user_writes_only_in_their_regions(cast):
    # The grid worker of grid a1: the rows of grid a2 and of town B are refused.
    counts, lines = run("persons", "persons.csv", "--user", cast.gridworker.username)
    assert (counts["created"], counts["errors"]) == (3, 3)
    assert all(line.endswith("region: 无权在该网格登记人员") for line in lines if "第" in line)
    change = RecordChange.objects.get(model="person", object_id=person(LANDLORD_ID).pk)
    assert (change.actor, change.actor_name) == (cast.gridworker, "")
    audit = AuditEntry.objects.get(action="importer.register")
    assert audit.actor == cast.gridworker


def test_the_register_figures_count_the_imported_persons_at_once(cast):
    """The import writes persons in bulk, past the services: it recounts the register
    figures before it commits, so grids already counted today do not show old numbers."""
    from pingan.registry import rollup, stats

    rollup.rebuild()  # every grid counted today, before the import
    before = stats.counts(cast.leader, cast.county)
    run("persons", "persons.csv")
    after = stats.counts(cast.leader, cast.county)
    assert after == stats.direct_counts(cast.leader, cast.county)
    assert after != before
