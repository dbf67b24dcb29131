"""Importing grids and teams from a spreadsheet: all or nothing, every bad row named, and a
second run of the same file changes nothing."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from governance.models import Role
from grids.grid_import import GridImportError, import_grids
from grids.models import Grid, GridAssignment, GridKind, GridRole
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, HANDIAN, LUCHENG, WEIZI_VILLAGE
from tests.factories import GridFactory, area, person_with_role

HEADER_ZH = "网格编码,网格名称,类型,村(社区)代码,户数,人口,登录名,姓名,角色,起始日期"
GOOD_CSV = f"""{HEADER_ZH}
140406100200-01,店上村第一网格,农村,{DIANSHANG_VILLAGE},196,612,wangli,王丽,网格长,2026-03-01
140406100200-01,,,,,,zhaoqiang,赵强,网格员,2026-03-01
140406100200-01,店上村第一网格,农村,{DIANSHANG_VILLAGE},196,612,liujing,刘警官,民警,
140406100200-03,店上小学专属网格,专属,{DIANSHANG_VILLAGE},0,430,,,,
"""


@pytest.fixture
def administrator(changzhi_slice):
    """An administrator of 店上镇, with its people."""
    for username, full_name, role in [
        ("wangli", "王丽", Role.GRID_CHIEF),
        ("zhaoqiang", "赵强", Role.GRID_WORKER),
        ("liujing", "刘警官", Role.POLICE_LIAISON),
    ]:
        person_with_role(role, DIANSHANG_VILLAGE, username=username, first_name=full_name)
    return person_with_role(Role.ADMINISTRATOR, DIANSHANG, username="admin")


def run(actor, text: str, filename="grids.csv"):
    return import_grids(actor=actor, content=text.encode("utf-8"), filename=filename)


def errors_of(actor, text: str, filename="grids.csv") -> list[str]:
    with pytest.raises(GridImportError) as caught:
        run(actor, text, filename)
    return caught.value.messages


def snapshot():
    grids = list(
        Grid.objects.order_by("code").values_list(
            "code", "name", "kind", "village__code", "households", "population"
        )
    )
    team = list(
        GridAssignment.objects.order_by("grid__code", "person__username").values_list(
            "grid__code", "person__username", "role", "starts_on", "ends_on"
        )
    )
    return grids, team


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_good_csv_creates_the_grids_and_their_teams(administrator):
    summary = run(administrator, GOOD_CSV)

    first = Grid.objects.get(code="140406100200-01")
    assert (first.name, first.kind, first.village.code) == (
        "店上村第一网格",
        GridKind.RURAL,
        DIANSHANG_VILLAGE,
    )
    assert (first.households, first.population) == (196, 612)
    school = Grid.objects.get(code="140406100200-03")
    assert (school.kind, school.population) == (GridKind.DEDICATED, 430)
    team = {
        (a.person.username, a.role, a.starts_on, a.ends_on)
        for a in GridAssignment.objects.filter(grid=first).select_related("person")
    }
    assert team == {
        ("wangli", GridRole.CHIEF, date(2026, 3, 1), None),
        ("zhaoqiang", GridRole.WORKER, date(2026, 3, 1), None),
        ("liujing", GridRole.POLICE, date.today(), None),
    }
    assert (summary.grids_created, summary.assignments_created) == (2, 3)


def test_a_good_xlsx_with_numbers_and_date_cells_creates_the_grids(administrator, tmp_path):
    path = tmp_path / "grids.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                [
                    "grid_code",
                    "grid_name",
                    "kind",
                    "village_code",
                    "households",
                    "population",
                    "username",
                    "team_role",
                    "starts_on",
                ],
                [
                    "140406100200-01",
                    "店上村第一网格",
                    "rural",
                    int(DIANSHANG_VILLAGE),
                    196,
                    612,
                    "wangli",
                    "chief",
                    date(2026, 3, 1),
                ],
                [],
                [
                    "140406100200-02",
                    "店上村第二网格",
                    "城市社区",
                    float(DIANSHANG_VILLAGE),
                    204.0,
                    655,
                    "zhaoqiang",
                    "网格员",
                    "2026/3/2",
                ],
            ]
        )
    )

    summary = import_grids(actor=administrator, content=path.read_bytes(), filename=path.name)

    assert summary.grids_created == 2
    second = Grid.objects.get(code="140406100200-02")
    assert (second.kind, second.village.code, second.households) == (
        GridKind.URBAN,
        DIANSHANG_VILLAGE,
        204,
    )
    assert GridAssignment.objects.get(person__username="wangli").starts_on == date(2026, 3, 1)
    assert GridAssignment.objects.get(person__username="zhaoqiang").starts_on == date(2026, 3, 2)


def test_a_csv_saved_by_a_chinese_excel_in_gbk_is_read_like_the_utf8_one(administrator):
    """Plain “CSV” from Excel on a Chinese Windows is GBK, not UTF-8."""
    import_grids(actor=administrator, content=GOOD_CSV.encode("gbk"), filename="grids.csv")
    from_gbk = snapshot()
    GridAssignment.objects.all().delete()
    Grid.objects.all().delete()
    run(administrator, GOOD_CSV)

    assert from_gbk == snapshot()
    assert Grid.objects.get(code="140406100200-01").name == "店上村第一网格"


def test_the_same_file_imported_twice_changes_nothing_the_second_time(administrator):
    run(administrator, GOOD_CSV)
    before = snapshot()

    summary = run(administrator, GOOD_CSV)

    assert snapshot() == before
    assert (summary.grids_created, summary.grids_updated, summary.grids_unchanged) == (0, 0, 2)
    assert (summary.assignments_created, summary.assignments_unchanged) == (0, 3)


def test_an_existing_grid_takes_the_new_numbers_and_keeps_what_is_left_empty(administrator):
    GridFactory(code="140406100200-01", name="旧名", village=area(DIANSHANG_VILLAGE))

    summary = run(
        administrator,
        "grid_code,grid_name,households,population\n140406100200-01,店上村第一网格,300,\n",
    )

    grid = Grid.objects.get(code="140406100200-01")
    assert (grid.name, grid.households, grid.population) == ("店上村第一网格", 300, 600)
    assert summary.grids_updated == 1


def test_two_bad_rows_are_both_named_and_nothing_is_written_not_even_the_good_rows(
    administrator,
):
    text = f"""{HEADER_ZH}
140406100200-01,店上村第一网格,农村,{DIANSHANG_VILLAGE},196,612,wangli,王丽,网格长,2026-03-01
140406100200-02,店上村第二网格,农村,140406100999,204,655,,,,
140406100200-03,店上小学专属网格,专属,{DIANSHANG_VILLAGE},-5,430,,,,
140406100200-04,店上村第四网格,农村,{DIANSHANG_VILLAGE},1,2,zhaoqiang,赵强,网格员,
"""
    errors = errors_of(administrator, text)

    assert errors == [
        "第 3 行：在您的辖区内未找到村（社区）代码 140406100999。",
        "第 4 行：户数“-5”必须是 0 到 1000000 之间的整数。",
    ]
    assert Grid.objects.count() == 0
    assert GridAssignment.objects.count() == 0


def test_an_administrator_of_dianshang_cannot_import_into_weizi(administrator):
    text = f"grid_code,grid_name,kind,village_code\nW-01,微子村网格,rural,{WEIZI_VILLAGE}\n"

    errors = errors_of(administrator, text)

    assert errors == [f"第 2 行：在您的辖区内未找到村（社区）代码 {WEIZI_VILLAGE}。"]
    assert not Grid.objects.exists()


HANDIAN_VILLAGE = "140404001001"  # 长安社区, in 上党区


# --- Nothing outside one's areas can be probed -------------------------------------------------
# A code that exists outside the administrator's areas gets the very message of a code that
# exists nowhere, so that an import cannot tell an administrator what exists elsewhere.


@pytest.mark.parametrize(
    "elsewhere",
    [WEIZI_VILLAGE, HANDIAN_VILLAGE, HANDIAN, LUCHENG],
    ids=["village-of-the-next-township", "village-of-another-county", "township", "county"],
)
def test_an_area_code_outside_ones_areas_reads_as_one_that_does_not_exist(administrator, elsewhere):
    nowhere = "140406100999"
    header = "grid_code,grid_name,kind,village_code\n"

    outside = errors_of(administrator, f"{header}X-01,网格,rural,{elsewhere}\n")
    missing = errors_of(administrator, f"{header}X-01,网格,rural,{nowhere}\n")

    assert outside == [f"第 2 行：在您的辖区内未找到村（社区）代码 {elsewhere}。"]
    assert missing == [f"第 2 行：在您的辖区内未找到村（社区）代码 {nowhere}。"]
    assert not Grid.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "grid_code,households\n{code},10\n",
        "grid_code,username,team_role\n{code},wangli,网格长\n",
        "grid_code,grid_name\n{code},新名字\n",
    ],
    ids=["update", "team-member", "rename"],
)
def test_a_grid_code_outside_ones_areas_reads_as_one_that_does_not_exist(administrator, text):
    GridFactory(code="WZ-01", name="微子村网格", village=area(WEIZI_VILLAGE))
    before = snapshot()

    outside = errors_of(administrator, text.format(code="WZ-01"))
    missing = errors_of(administrator, text.format(code="NO-SUCH-01"))

    assert outside == [
        "第 2 行：在您的辖区内未找到网格编码 WZ-01：新网格须在其中至少一行填写网格名称、类型和"
        "村（社区）代码。"
    ]
    assert missing == [message.replace("WZ-01", "NO-SUCH-01") for message in outside]
    assert snapshot() == before


def test_a_grid_code_used_outside_ones_areas_cannot_name_a_new_grid(administrator):
    """Codes are unique across the city: this one cannot be taken, and where its grid is is
    not said."""
    GridFactory(code="WZ-01", name="微子村网格", village=area(WEIZI_VILLAGE))
    before = snapshot()

    errors = errors_of(
        administrator,
        f"grid_code,grid_name,kind,village_code\nWZ-01,店上网格,rural,{DIANSHANG_VILLAGE}\n",
    )

    assert errors == ["第 2 行：网格编码 WZ-01 已被使用，请另选一个。"]
    assert WEIZI_VILLAGE not in errors[0] and "微子" not in errors[0]
    assert snapshot() == before


def test_the_command_line_operator_is_told_a_code_does_not_exist(administrator):
    errors = errors_of(
        None, "grid_code,grid_name,kind,village_code\nX-01,网格,rural,140406100999\n"
    )

    assert errors == ["第 2 行：村（社区）代码 140406100999 不存在。"]


def test_the_command_line_operator_may_import_anywhere(administrator):
    run(None, f"grid_code,grid_name,kind,village_code\nW-01,微子村网格,rural,{WEIZI_VILLAGE}\n")

    assert Grid.objects.get(code="W-01").village.code == WEIZI_VILLAGE


def test_every_kind_of_bad_row_is_named_with_its_reason(administrator):
    GridFactory(code="TAKEN", village=area(DIANSHANG_VILLAGE))
    person_with_role(Role.GRID_WORKER, WEIZI_VILLAGE, username="stranger")
    text = f"""{HEADER_ZH}
A-1,甲,农村,{DIANSHANG},1,1,,,,
A-2,乙,山区,{DIANSHANG_VILLAGE},1,1,,,,
A-3,丙,农村,{DIANSHANG_VILLAGE},一百,1,,,,
A-4,丁,农村,{DIANSHANG_VILLAGE},1,1,nobody,,网格员,
A-5,戊,农村,{DIANSHANG_VILLAGE},1,1,wangli,,队长,
A-6,己,农村,{DIANSHANG_VILLAGE},1,1,wangli,,网格长,2026-02-30
A-7,庚,农村,{DIANSHANG_VILLAGE},1,1,,,,
A-7,另一个名字,农村,{DIANSHANG_VILLAGE},1,1,,,,
TAKEN,已占用,农村,140406100201,1,1,,,,
A-8,辛,农村,{DIANSHANG_VILLAGE},1,1,stranger,,网格员,
A-9,壬,农村,{DIANSHANG_VILLAGE},1,1,wangli,李四,网格长,
"""
    errors = errors_of(administrator, text)

    assert errors == [
        "第 2 行：140406100 是“乡镇（街道）”（店上镇），不是村（社区）。",
        "第 3 行：网格类型“山区”无效（应为 农村、城市社区 或 专属）。",
        "第 4 行：户数“一百”必须是 0 到 1000000 之间的整数。",
        "第 5 行：您管理的人员中没有登录名为“nobody”的人。人员须先在“人员”页面添加，"
        "本导入不会新建人员。",
        "第 6 行：角色“队长”无效（应为 网格长、网格员、网格辅助员 或 民警）。",
        "第 7 行：起始日期“2026-02-30”不是有效日期（请写成 2026-03-01 的格式）。",
        "第 9 行：网格 A-7 在此行名称为“另一个名字”，与第 8 行的“庚”不一致。",
        "第 10 行：网格编码 TAKEN 已被另一个村（社区）140406100200 的网格使用。",
        "第 11 行：您管理的人员中没有登录名为“stranger”的人。人员须先在“人员”页面添加，"
        "本导入不会新建人员。",
        "第 12 行：登录名“wangli”对应的是 王丽，不是 李四。",
    ]
    assert Grid.objects.count() == 1


def test_a_number_of_thousands_of_digits_is_refused_as_a_bad_count(administrator):
    text = f"grid_code,grid_name,kind,village_code,households\nA,甲,农村,{DIANSHANG_VILLAGE},"

    errors = errors_of(administrator, text + "9" * 5000 + "\n")

    assert len(errors) == 1
    assert errors[0].startswith("第 2 行：户数“99999")


def test_a_file_with_a_wrong_header_or_no_rows_is_refused_with_the_reason(administrator):
    assert errors_of(administrator, "") == ["文件为空。"]
    assert errors_of(administrator, "grid_code,grid_name\n") == ["文件只有表头，没有网格。"]
    header_errors = errors_of(administrator, "网格编号,网格名字\nA,甲\n")
    assert len(header_errors) == 1
    assert header_errors[0].startswith("第 1 行：无法识别的列“网格名字”")


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("grids.xlsx", b"\x00\xffnot a zip at all" * 100, "不是可读取的 Excel 工作簿"),
        ("grids.xlsx", b"", "不是可读取的 Excel 工作簿"),
        (
            "grids.csv",
            "网格编码\n店上".encode() + b"\n\xff\x00",
            "第 3 行：文件既不是 UTF-8 也不是 GBK",
        ),
        ("grids.xls", b"anything", "只能导入 Excel 工作簿（.xlsx）或 CSV 文件"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(
    administrator, filename, content, expected
):
    with pytest.raises(GridImportError) as caught:
        import_grids(actor=administrator, content=content, filename=filename)

    assert expected in caught.value.messages[0]


def test_a_zip_of_junk_posing_as_a_workbook_is_refused(administrator):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really xml")
        archive.writestr("[Content_Types].xml", "junk")

    with pytest.raises(GridImportError) as caught:
        import_grids(actor=administrator, content=buffer.getvalue(), filename="grids.xlsx")

    assert "不是可读取的 Excel 工作簿" in caught.value.messages[0]


def test_a_workbook_with_a_great_many_columns_is_refused_without_reading_them_all(
    administrator,
):
    content = xlsx_bytes([["grid_code", *(f"c{i}" for i in range(3000))], ["A", *range(3000)]])

    with pytest.raises(GridImportError) as caught:
        import_grids(actor=administrator, content=content, filename="grids.xlsx")

    assert "第 1 行：文件超过 30 列。" in caught.value.messages


# The upload page ------------------------------------------------------------------------


def upload(client, name: str, content: bytes):
    return client.post(reverse("grids:grid_import"), {"file": SimpleUploadedFile(name, content)})


def test_the_upload_page_is_refused_to_someone_who_is_not_an_administrator(client, changzhi_slice):
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))

    assert client.get(reverse("grids:grid_import")).status_code == 403
    assert upload(client, "grids.csv", GOOD_CSV.encode()).status_code == 403
    assert not Grid.objects.exists()


def test_the_upload_page_imports_a_good_file_and_shows_the_summary(client, administrator):
    client.force_login(administrator)

    response = upload(client, "grids.csv", GOOD_CSV.encode("utf-8-sig"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "文件已导入" in page
    assert "网格：新建 2 个，更新 0 个，未变 0 个。" in page
    assert Grid.objects.count() == 2


def test_the_upload_page_refuses_a_fake_xlsx_with_a_clear_message(client, administrator):
    client.force_login(administrator)

    response = upload(client, "grids.xlsx", b"MZ\x90\x00 this is an executable, not a workbook")

    assert response.status_code == 200
    assert "这不是可读取的 Excel 工作簿（.xlsx）" in response.content.decode()


def test_the_upload_page_refuses_other_file_types_and_empty_files(client, administrator):
    client.force_login(administrator)

    wrong_type = upload(client, "grids.pdf", b"%PDF-1.4")
    empty = upload(client, "grids.csv", b"")

    assert "只能导入 Excel 工作簿（.xlsx）或 CSV 文件（.csv）" in wrong_type.content.decode()
    assert "所提交的是空文件" in empty.content.decode()


def test_the_upload_page_refuses_a_file_over_the_size_cap(client, administrator):
    client.force_login(administrator)

    response = upload(client, "grids.csv", b"a" * (5 * 1024 * 1024 + 1))

    assert "文件超过 5 MB" in response.content.decode()


def test_the_upload_page_lists_every_bad_row_and_writes_nothing(client, administrator):
    client.force_login(administrator)
    text = f"""grid_code,grid_name,kind,village_code
W-01,微子村网格,rural,{WEIZI_VILLAGE}
D-01,店上村网格,rural,{DIANSHANG_VILLAGE}
D-02,,bogus,{DIANSHANG_VILLAGE}
"""
    response = upload(client, "grids.csv", text.encode())

    page = response.content.decode()
    assert "未导入任何内容" in page
    assert "第 2 行：在您的辖区内未找到村（社区）代码 140406101204。" in page
    assert "第 4 行：网格类型“bogus”无效" in page
    assert not Grid.objects.exists()


def test_the_upload_page_offers_a_blank_template_with_the_chinese_header(client, administrator):
    client.force_login(administrator)

    response = client.get(reverse("grids:grid_import"), {"template": "csv"})

    assert response.content.decode("utf-8-sig").startswith(HEADER_ZH)


# The command ----------------------------------------------------------------------------


def test_the_command_names_the_bad_rows_and_fails_having_written_nothing(administrator, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(
        f"""{HEADER_ZH}
D-01,店上村网格,农村,{DIANSHANG_VILLAGE},1,1,,,,
D-02,店上村网格,农村,{DIANSHANG_VILLAGE},x,1,,,,
D-03,店上村网格,农村,{DIANSHANG_VILLAGE},1,1,ghost,,网格员,
""",
        encoding="utf-8",
    )
    errors = io.StringIO()

    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_grids", str(path), stderr=errors)

    assert "第 3 行：户数“x”" in errors.getvalue()
    assert "第 4 行：没有登录名为“ghost”的人员" in errors.getvalue()
    assert not Grid.objects.exists()


def test_the_command_imports_a_good_file_and_prints_the_counts(administrator, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()

    call_command("import_grids", str(path), stdout=out)
    call_command("import_grids", str(path), stdout=out)

    printed = out.getvalue()
    assert "网格：新建 2 个，更新 0 个，未变 0 个。" in printed
    assert "网格：新建 0 个，更新 0 个，未变 2 个。" in printed
    assert "网格成员：新配备 0 人次，已在岗未变 3 人次。" in printed
