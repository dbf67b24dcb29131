"""Panels that one app shows on another app's case page, without the page's app knowing it.

The petitions app, for instance, shows the petitions linked to a dispute on the dispute's
page: it registers a renderer for "dispute" in its AppConfig.ready(), and the dispute page
renders whatever is registered. Dependencies keep pointing one way.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString

CASE_PANELS: dict[str, list[Callable]] = {}


def register_panel(case_type: str, renderer: Callable) -> None:
    """`renderer(request, case)` returns HTML, or an empty string to show nothing."""
    renderers = CASE_PANELS.setdefault(case_type, [])
    if renderer not in renderers:
        renderers.append(renderer)


def render_panels(case_type: str, request, case) -> list[SafeString]:
    return [
        html for renderer in CASE_PANELS.get(case_type, []) if (html := renderer(request, case))
    ]
