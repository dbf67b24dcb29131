"""Test data: people, memberships, and slices of the real Changzhi tree."""

import csv
from pathlib import Path

import factory
from django.conf import settings
from django.contrib.auth import get_user_model

from governance.area_import import read_division_file
from governance.models import Area, Membership
from governance.services import area_tree_import

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
