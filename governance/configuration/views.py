from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.configuration.sections import SECTIONS
from governance.models import Area, AreaLevel, Role
from governance.selectors import administers_every_area, area_get_for_user_or_404
from infra.errors import error_text


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


def save_settings_section(
    request, code: str, *, key: str, form_class, save, saved: str, city_wide: bool = False
):
    """The post of one section of the settings page, for every section: the county's
    administrator (or, for a `city_wide` setting, an administrator of the whole city) posts
    `form_class`; `save(actor=..., county=..., form=...)` calls the section's service. Saved,
    back to the page with the message `saved`; refused, the page again with the form's errors."""
    if request.method != "POST":
        raise Http404
    county = county_for_settings_or_404(user=request.user, code=code)
    if city_wide and not administers_every_area(user=request.user):
        raise PermissionDenied(_("Only an administrator of the whole city can change this."))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(actor=request.user, county=county, form=form)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, saved)
            return redirect("county_settings", code=county.code)
    return render_settings_page(request, county, key=key, form=form)
