"""The county settings page's pointer to the source systems (city administrators only: the
tokens hold for the whole city)."""

from django.template.loader import render_to_string

from governance.selectors import administers_every_area


def render_sources_section(request, county, form) -> str:
    if not administers_every_area(user=request.user):
        return ""
    return render_to_string("open311/partials/_settings_section.html", {}, request=request)
