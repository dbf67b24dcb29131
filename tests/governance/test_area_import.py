"""The area import: the real Changzhi file, repeat runs, renames, and files it must refuse."""

import io

import pytest
from django.core.management import CommandError, call_command

from governance.models import Area, AreaLevel
from governance.selectors import area_tree_problems
from tests.factories import CHANGZHI_FILE


def run_import(tmp_path, text: str) -> str:
    path = tmp_path / "areas.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_areas", str(path), stdout=out)
    return out.getvalue()


def tree_snapshot():
    return list(
        Area.objects.order_by("code").values_list(
            "code", "name", "level", "parent__code", "tree_id", "lft", "rght", "mptt_level"
        )
    )


@pytest.mark.django_db
def test_the_changzhi_file_gives_the_whole_real_tree():
    out = io.StringIO()
    call_command("import_areas", str(CHANGZHI_FILE), stdout=out)

    counts = {level: Area.objects.filter(level=level).count() for level in AreaLevel.values}
    assert counts == {"city": 1, "county": 12, "township": 149, "village": 2628}
    assert Area.objects.get(code="140406").name == "潞城区"
    village = Area.objects.get(code="140406100200")
    assert [a.name for a in village.get_ancestors()] == ["长治市", "潞城区", "店上镇"]
    assert area_tree_problems() == []
    assert "2790" in out.getvalue()


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing():
    call_command("import_areas", str(CHANGZHI_FILE), stdout=io.StringIO())
    before = tree_snapshot()

    out = io.StringIO()
    call_command("import_areas", str(CHANGZHI_FILE), stdout=out)

    assert tree_snapshot() == before
    assert "0 " in out.getvalue()


CITY_FILE = """code,name,level,parent_code
9901,测试市,city,
990101,甲区,county,9901
990101001,甲街道,township,990101
990101001001,甲社区,village,990101001
"""


@pytest.mark.django_db
def test_a_renamed_area_gets_its_new_name_and_keeps_its_place(tmp_path):
    run_import(tmp_path, CITY_FILE)
    street = Area.objects.get(code="990101001")
    position = (street.tree_id, street.lft, street.rght)

    run_import(tmp_path, CITY_FILE.replace("甲街道", "甲新街道"))

    street.refresh_from_db()
    assert street.name == "甲新街道"
    assert (street.tree_id, street.lft, street.rght) == position


@pytest.mark.django_db
def test_a_file_may_name_parents_already_stored_and_list_children_before_parents(tmp_path):
    run_import(tmp_path, CITY_FILE)
    run_import(
        tmp_path,
        "code,name,level,parent_code\n"
        "990101002001,乙社区,village,990101002\n"
        "990101002,乙街道,township,990101\n",
    )
    village = Area.objects.get(code="990101002001")
    assert village.parent.code == "990101002"
    assert village.parent.parent.code == "990101"
    assert area_tree_problems() == []


BAD_FILES = [
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n990101,甲区,province,9901\n",
        3,
        "province",
        id="unknown-level",
    ),
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n990101,甲区,county,9902\n",
        3,
        "9902",
        id="missing-parent",
    ),
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n990101001,甲街道,township,9901\n",
        3,
        "9901",
        id="wrong-level-parent",
    ),
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n990101,甲区,county,9901\n"
        "990101,乙区,county,9901\n",
        4,
        "990101",
        id="duplicate-code",
    ),
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n990101,甲区,county\n",
        3,
        "4",
        id="missing-field",
    ),
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n99010A,甲区,county,9901\n",
        3,
        "99010A",
        id="malformed-code",
    ),
    pytest.param(
        "code,name,level,parent_code\n9901,测试市,city,\n990101,,county,9901\n",
        3,
        "",
        id="empty-name",
    ),
    pytest.param("name,code,level,parent_code\n", 1, "code,name,level,parent_code", id="header"),
    pytest.param("", 1, "", id="empty-file"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "line", "detail"), BAD_FILES)
def test_a_bad_file_names_its_line_and_writes_nothing(tmp_path, text, line, detail):
    run_import(tmp_path, CITY_FILE.replace("9901", "9801"))
    before = tree_snapshot()
    # A good line before the bad one must not be written either.
    with pytest.raises(CommandError) as raised:
        run_import(tmp_path, text)

    message = str(raised.value)
    assert f"第 {line} 行" in message
    assert detail in message
    assert "未导入任何" in message
    assert tree_snapshot() == before


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_areas", str(tmp_path / "nope.csv"), stdout=io.StringIO())
    assert "nope.csv" in str(raised.value)


@pytest.mark.django_db
def test_a_code_stored_at_another_level_is_refused(tmp_path):
    run_import(tmp_path, CITY_FILE)
    with pytest.raises(CommandError) as raised:
        run_import(tmp_path, "code,name,level,parent_code\n990101,甲区,city,\n")
    assert "第 2 行" in str(raised.value)


@pytest.mark.django_db
def test_new_areas_in_the_middle_of_the_tree_leave_it_as_mptt_itself_would_build_it(tmp_path):
    run_import(tmp_path, CITY_FILE)
    # A township that sorts before the stored one, with a village, and a second city.
    run_import(
        tmp_path,
        "code,name,level,parent_code\n"
        "990101000,新街道,township,990101\n"
        "990101000001,新社区,village,990101000\n"
        "9801,另一市,city,\n",
    )
    imported = tree_snapshot()

    Area.objects.rebuild()

    assert tree_snapshot() == imported
    assert area_tree_problems() == []
    township = Area.objects.get(code="990101000")
    assert [a.code for a in township.get_siblings(include_self=True)] == [
        "990101000",
        "990101001",
    ]


@pytest.mark.django_db
def test_a_division_file_saved_as_gbk_by_excel_is_read(tmp_path):
    path = tmp_path / "areas-gbk.csv"
    path.write_bytes(CITY_FILE.encode("gbk"))
    call_command("import_areas", str(path), stdout=io.StringIO())
    from_gbk = tree_snapshot()

    run_import(tmp_path, CITY_FILE)

    assert tree_snapshot() == from_gbk
    assert Area.objects.filter(name__contains="市").exists()


@pytest.mark.django_db
def test_a_file_that_is_not_text_names_the_line_and_writes_nothing(tmp_path):
    path = tmp_path / "areas.bin"
    path.write_bytes(CITY_FILE.encode() + b"\xff\xfe\x00binary\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_areas", str(path), stdout=io.StringIO())

    lines = CITY_FILE.count("\n") + 1
    assert f"第 {lines} 行" in str(raised.value)
    assert "GBK" in str(raised.value)
    assert Area.objects.count() == 0
