"""The strings of the portal's own scripts (static/js/*.js call `gettext`, `ngettext` and
`interpolate`): Django's JavaScript catalogue of the `djangojs` domain
(locale/<language>/LC_MESSAGES/djangojs.po), served as an external script (the strict CSP
allows no inline one) before the scripts that use it.

Its address names the language and the catalogue's version, so one address always answers the
same file: it is kept in the server's cache and, since it holds translations only and nothing
of anyone's, in the browser's too (the grid worker's phone does not fetch it on every page),
and it is sent compressed.
"""

import hashlib
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

CACHE_SECONDS = 60 * 60 * 24 * 365

# Only the portal's own catalogue (LOCALE_PATHS; `governance` has no locale folder of its
# own): without a package Django would add every installed app's, the admin's calendar too.
_catalogue = JavaScriptCatalog.as_view(packages=["governance"])


@cache
def catalogue_version() -> str:
    """A digest of the compiled djangojs catalogues: a new translation gets a new address."""
    digest = hashlib.sha256()
    for locale_path in settings.LOCALE_PATHS:
        for compiled in sorted(locale_path.glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(compiled.name.encode() + compiled.read_bytes())
    return digest.hexdigest()[:12]


def catalogue_url(language: str | None = None) -> str:
    query = {"language": language or translation.get_language(), "v": catalogue_version()}
    return f"{reverse('javascript_catalogue')}?{urlencode(query)}"


def shared_with_everyone(view):
    """Marks a view whose answer is the same for everyone and personal to no one, so that
    PrivateResponsesNotStoredMiddleware leaves its own caching alone."""
    view.shared_with_everyone = True
    return view


@cache_page(CACHE_SECONDS, key_prefix="jsi18n")
def _catalogue_for(request, language):
    with translation.override(language):
        return _catalogue(request)


@shared_with_everyone
@require_safe
@gzip_page  # it holds no secret, so compressing it leaks nothing (BREACH)
@cache_control(public=True, max_age=CACHE_SECONDS, immutable=True)
def javascript_catalogue(request):
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES) or request.GET.get("v") != catalogue_version():
        # An old page after a deploy, or a made-up address: the current one (never cached
        # under an address of anyone's choosing).
        fallback = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        return redirect(catalogue_url(fallback))
    return _catalogue_for(request, language)
