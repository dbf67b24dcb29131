from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from governance.configuration.sections import SECTIONS
from governance.models import Area, AreaLevel, Role
from governance.selectors import administers_every_area, area_get_for_user_or_404


def county_for_settings_or_404(*, user, code: str) -> Area:
    """The county with `code` if `user` administers it; otherwise 404, as for a county that
    does not exist (another county's administrator, anybody who is not an administrator)."""
    county = area_get_for_user_or_404(user=user, code=code, roles=[Role.ADMINISTRATOR])
    if county.level != AreaLevel.COUNTY:
        raise Http404
    return county


def render_settings_page(request, county: Area, *, key: str = "", form=None, status: int = 200):
    """The page with every section; the section `key` shows `form` (sent back with errors)."""
    sections = [
        section.render(request, county, form if section.key == key else None)
        for section in SECTIONS
    ]
    return render(
        request,
        "governance/county_settings.html",
        {
            "area": county,
            "sections": sections,
            "city_wide": administers_every_area(user=request.user),
        },
        status=status,
    )


@login_required
def county_settings(request, code):
    county = county_for_settings_or_404(user=request.user, code=code)
    return render_settings_page(request, county)
