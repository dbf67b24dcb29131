"""Test data: people, memberships, and slices of the real Changzhi tree."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from governance.area_import import read_division_file
from governance.models import Area, Membership, Role
from governance.services import area_tree_import
from grids.models import (
    FindingCategory,
    FindingStatus,
    Grid,
    GridAssignment,
    GridKind,
    GridRole,
    Severity,
)

CHANGZHI_FILE = Path(settings.BASE_DIR) / "governance" / "data" / "changzhi-divisions.csv"
TEST_PASSWORD = "Test-pass-2026"


def import_changzhi_slice(*township_codes: str) -> None:
    """Import the city, and of the real file only the given townships (with their county and
    villages): a tree small enough to build for every test, with real codes and names."""
    wanted_counties = {code[:6] for code in township_codes}
    with CHANGZHI_FILE.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        lines = [next(reader)]
        for row in reader:
            code = row[0]
            if (
                len(code) == 4
                or (len(code) == 6 and code in wanted_counties)
                or any(code.startswith(t) for t in township_codes)
            ):
                lines.append(row)
    text = "\n".join(",".join(line) for line in lines)
    rows = read_division_file(
        text.splitlines(), stored_levels=dict(Area.objects.values_list("code", "level"))
    )
    area_tree_import(rows=rows)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    area = None
    role = None


def person_with_role(role: str, area_code: str, **user_fields):
    """A person holding `role` over the area with `area_code`."""
    membership = MembershipFactory(user=UserFactory(**user_fields), area=area(area_code), role=role)
    return membership.user


# --- Grids -----------------------------------------------------------------------------------

# 店上村, the demo village of 店上镇 (tests.conftest.DIANSHANG_VILLAGE): grids default to it.
DEFAULT_GRID_VILLAGE = "140406100200"


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}网格")
    kind = GridKind.RURAL
    village = factory.LazyFunction(lambda: area(DEFAULT_GRID_VILLAGE))
    households = 200
    population = 600


class GridAssignmentFactory(factory.django.DjangoModelFactory):
    """A team member serving since a month ago, still serving."""

    class Meta:
        model = GridAssignment

    person = factory.SubFactory(UserFactory)
    grid = factory.SubFactory(GridFactory)
    role = GridRole.WORKER
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = None


# The membership each team role comes with: a grid worker or an assistant is a grid worker of
# the village, a grid chief an area-wide village role, a police officer a liaison.
MEMBERSHIP_FOR_TEAM_ROLE = {
    GridRole.WORKER: Role.GRID_WORKER,
    GridRole.ASSISTANT: Role.GRID_WORKER,
    GridRole.CHIEF: Role.GRID_CHIEF,
    GridRole.POLICE: Role.POLICE_LIAISON,
}


def team_member(grid: Grid, role: str = GridRole.WORKER, person=None, **user_fields):
    """A person on `grid`'s team as `role`, with the village membership that role comes with."""
    person = person or UserFactory(**user_fields)
    MembershipFactory(user=person, area=grid.village, role=MEMBERSHIP_FOR_TEAM_ROLE[role])
    GridAssignmentFactory(person=person, grid=grid, role=role)
    return person


def image_bytes(
    *, size=(800, 600), image_format="JPEG", color=(90, 140, 60), exif=None, **save
) -> bytes:
    """A real image file's bytes, as a phone would send them."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        save["exif"] = exif
    image.save(buffer, format=image_format, **save)
    return buffer.getvalue()


def photo_upload(name="photo.jpg", content: bytes | None = None, content_type="image/jpeg"):
    return SimpleUploadedFile(
        name, image_bytes() if content is None else content, content_type=content_type
    )


def files_under(root) -> list:
    """Every file stored under the folder `root` (uploads of a test's media root)."""
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def log_finding(*, actor, grid, **overrides):
    """A finding logged through the service, as the phone would: open, minor, no photos."""
    from grids.services import finding_log

    fields = {
        "client_key": uuid.uuid4(),
        "category": FindingCategory.SAFETY_HAZARD,
        "severity": Severity.LOW,
        "description": "路口井盖缺失",
        "status": FindingStatus.OPEN,
        **overrides,
    }
    finding, _created = finding_log(actor=actor, grid=grid, **fields)
    return finding


# --- Disputes --------------------------------------------------------------------------------

# Resident ID numbers whose check digit is right (the examples published with GB 11643), and
# one whose check digit is wrong.
VALID_ID_NUMBERS = ("11010519491231002X", "440524188001010014")
ID_NUMBER_WITH_WRONG_CHECK_DIGIT = "110105194912310021"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.Department"

    name = factory.Sequence(lambda n: f"第{n}职能部门")
    area = factory.LazyFunction(lambda: area(DEFAULT_GRID_VILLAGE[:9]))


def department_with_liaison(name: str, area_code: str, **user_fields):
    """A department of the area with `area_code`, and its liaison: (department, liaison)."""
    department = DepartmentFactory(name=name, area=area(area_code))
    liaison = person_with_role(Role.DEPARTMENT_LIAISON, area_code, **user_fields)
    department.liaisons.add(liaison)
    return department, liaison


class DisputeFactory(factory.django.DjangoModelFactory):
    """A dispute row standing in some status, written directly: for tests of what each status
    refuses. Journeys go through `disputes.services` instead."""

    class Meta:
        model = "disputes.Dispute"

    number = factory.Sequence(lambda n: f"JFT{n:07d}")
    kind = "neighbour"
    channel = "walk_in"
    description = "两户因排水沟走向发生争执"
    people_involved = 2
    village = factory.LazyFunction(lambda: area(DEFAULT_GRID_VILLAGE))
    level = "township"
    status = "registered"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    registered_by = factory.SubFactory(UserFactory)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "disputes.Party"

    dispute = factory.SubFactory(DisputeFactory)
    side = "applicant"
    name = factory.Faker("name", locale="zh_CN")
    id_number = ""
    phone = ""


# --- Petitions -------------------------------------------------------------------------------

# 店上村 of 店上镇: petitions concern it by default, handled at the township.
DEFAULT_PETITION_VILLAGE = "140406100200"


class PetitionFactory(factory.django.DjangoModelFactory):
    """A petition row standing in some status, written directly: for tests of what each status
    refuses and of pages. Journeys go through `petitions.services` instead."""

    class Meta:
        model = "petitions.Petition"

    number = factory.Sequence(lambda n: f"XFT{n:07d}")
    channel = "letter"
    subject = factory.Sequence(lambda n: f"来信反映第{n}号路段路灯不亮")
    content = "村道路灯已坏三个月，夜间出行不便。"
    area = factory.LazyFunction(lambda: area(DEFAULT_PETITION_VILLAGE))
    registering_unit = factory.LazyAttribute(lambda petition: petition.area.parent)
    level = "township"
    status = "received"
    received_on = factory.LazyFunction(lambda: timezone.localdate())
    acceptance_due = factory.LazyAttribute(lambda p: p.received_on + timedelta(days=15))
    # Nobody signs in as the registering person: no password to hash.
    registered_by = factory.SubFactory(UserFactory, password=None)


class PetitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.Petitioner"

    petition = factory.SubFactory(PetitionFactory)
    name = factory.Faker("name", locale="zh_CN")
    id_number = ""
    phone = ""


@dataclass(frozen=True)
class DayFromToday:
    """A day in a test's module-level data, written as its distance from today and turned into
    a date only when the test runs: a module imported before midnight in Shanghai (16:00 UTC)
    may run its tests after it."""

    days: int = 0

    def date(self):
        return timezone.localdate() + timedelta(days=self.days)

    def iso(self) -> str:
        return self.date().isoformat()


def with_days_resolved(data: dict, *, as_dates: bool = False) -> dict:
    """`data` with each `DayFromToday` the day it is today: written as a form posts it, or as
    a date for a model's field (`as_dates`)."""
    return {
        name: (value.date() if as_dates else value.iso())
        if isinstance(value, DayFromToday)
        else value
        for name, value in data.items()
    }
