"""Jurisdiction: a person sees the union of the subtrees of their memberships, nothing more."""

from governance.models import Area, Role
from governance.selectors import areas_for_user
from tests.conftest import (
    CITY,
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import MembershipFactory, UserFactory, area, person_with_role


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_township_staff_see_their_township_and_its_villages_only(changzhi_slice):
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)

    visible = codes(areas_for_user(user=staff))

    expected = codes(Area.objects.filter(code__startswith=DIANSHANG))
    assert visible == expected
    assert DIANSHANG_VILLAGE in visible
    assert WEIZI not in visible and WEIZI_VILLAGE not in visible
    assert LUCHENG not in visible and CITY not in visible


def test_several_memberships_give_the_union_of_their_subtrees(changzhi_slice):
    person = person_with_role(Role.MEDIATOR, DIANSHANG)
    MembershipFactory(user=person, area=area(HANDIAN), role=Role.MEDIATOR)
    # A membership inside another one adds nothing and is not counted twice.
    MembershipFactory(user=person, area=area(DIANSHANG_VILLAGE), role=Role.GRID_WORKER)

    visible = areas_for_user(user=person)

    assert codes(visible) == codes(Area.objects.filter(code__startswith=DIANSHANG)) | codes(
        Area.objects.filter(code__startswith=HANDIAN)
    )
    assert visible.count() == len(codes(visible))


def test_a_person_without_memberships_sees_nothing(changzhi_slice):
    assert not areas_for_user(user=UserFactory()).exists()


def test_the_visible_to_queryset_method_agrees_with_the_selector(changzhi_slice):
    official = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG)
    assert codes(Area.objects.visible_to(official)) == codes(areas_for_user(user=official))
    assert HANDIAN not in codes(Area.objects.visible_to(official))


def test_jurisdiction_can_be_narrowed_to_some_roles(changzhi_slice):
    person = person_with_role(Role.ADMINISTRATOR, DIANSHANG)
    MembershipFactory(user=person, area=area(WEIZI), role=Role.MEDIATOR)

    administered = codes(areas_for_user(user=person, roles=[Role.ADMINISTRATOR]))

    assert DIANSHANG in administered
    assert WEIZI not in administered
