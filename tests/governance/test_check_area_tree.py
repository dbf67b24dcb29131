"""check_area_tree: silent on a sound tree, loud on a broken one."""

import io

import pytest
from django.core.management import CommandError, call_command

from governance.models import Area
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, WEIZI


def test_a_sound_tree_passes(changzhi_slice):
    out = io.StringIO()
    call_command("check_area_tree", stdout=out)
    assert "一致" in out.getvalue()


def test_a_corrupted_interval_is_found(changzhi_slice):
    village = Area.objects.get(code=DIANSHANG_VILLAGE)
    # Corrupt the nested-set columns behind mptt's back, as a careless bulk update would.
    Area.objects.filter(pk=village.pk).update(lft=village.lft + 1000)

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_area_tree", stdout=io.StringIO(), stderr=err)
    assert DIANSHANG_VILLAGE in err.getvalue()


def test_a_village_under_the_wrong_kind_of_parent_is_found(changzhi_slice):
    village = Area.objects.get(code=DIANSHANG_VILLAGE)
    county = Area.objects.get(code=DIANSHANG[:6])
    Area.objects.filter(pk=village.pk).update(parent=county)

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_area_tree", stdout=io.StringIO(), stderr=err)
    assert DIANSHANG_VILLAGE in err.getvalue()


def test_a_village_moved_to_another_township_is_found(changzhi_slice):
    village = Area.objects.get(code=DIANSHANG_VILLAGE)
    Area.objects.filter(pk=village.pk).update(parent=Area.objects.get(code=WEIZI))

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_area_tree", stdout=io.StringIO(), stderr=err)
    assert DIANSHANG_VILLAGE in err.getvalue()
