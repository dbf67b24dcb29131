"""Request-wide policies: the interface language, the Content-Security-Policy, posts that
arrived whole, nothing a signed-in person was shown left in a cache, no control characters
in what is posted, and pages sent compressed."""

import re

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# Everything the portal loads comes from the portal itself: no CDN, no inline script or style.
# Bootstrap's stylesheet draws its icons from data: URIs, hence img-src data:.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def refuse_post(request, message: str, *, status: int = 400):
    """A post refused before any view saw it: JSON for the phone's outbox, a page otherwise."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": False, "errors": [message]}, status=status)
    return render(request, "bad_input.html", {"message": message}, status=status)


class _CountingStream:
    """The request body as read by Django, counting the bytes and keeping the last few, so
    that once the post is parsed we know whether all of it arrived."""

    TAIL_BYTES = 256

    def __init__(self, stream):
        self._stream = stream
        self.received = 0
        self.tail = b""

    def _note(self, data: bytes) -> bytes:
        self.received += len(data)
        self.tail = (self.tail + data)[-self.TAIL_BYTES :]
        return data

    def read(self, *args, **kwargs) -> bytes:
        return self._note(self._stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs) -> bytes:
        return self._note(self._stream.readline(*args, **kwargs))

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._stream.close()


class WholePostMiddleware:
    """Refuses a post whose body ended before its Content-Length said it would.

    A phone on a slow link gives up mid-upload and closes the connection; the server then
    reads a short body, and Django's parser keeps whatever parts arrived (a finding with one
    of its three photos, a dispute's PDF cut in half) as if they were the whole. Stored and
    answered "ok", the phone's outbox would drop its copy and the rest would be lost. Refused
    here, before any view, nothing is written, the phone keeps its copy and sends it again,
    and the retry with the same client key stores the whole finding.

    The stream is wrapped when the request comes in (before anything can read it) and the
    check is made in process_view, when the language and the person are known for the
    message; 408 tells the outbox to try again rather than to show a refusal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and hasattr(request, "_stream"):
            request._stream = request._counted_body = _CountingStream(request._stream)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        counted = getattr(request, "_counted_body", None)
        if counted is None:
            return None
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        multipart = request.content_type == "multipart/form-data"
        try:
            # Reads the whole body through the counter (the parser reads to its end).
            request.POST if multipart else request.body  # noqa: B018
        except MultiPartParserError:
            return refuse_post(request, _("What was sent could not be read. Send it again."))
        boundary = request.content_params.get("boundary", "").encode("ascii", "replace")
        closed = not multipart or counted.tail.rstrip(b"\r\n").endswith(b"--" + boundary + b"--")
        if counted.received >= declared and closed:
            return None
        return refuse_post(
            request,
            _(
                "The upload was cut off before it was complete, so nothing was saved. "
                "Send it again (the phone does this by itself)."
            ),
            status=408,
        )


class PrivateResponsesNotStoredMiddleware:
    """Every answer to a signed-in person is sent `Cache-Control: no-store`: pages, finding
    photos, dispute attachments, Excel exports, JSON. Phones and office computers are shared,
    and what a browser stored stays readable (the back button, the cache folder) after its
    person signed out; a proxy must not keep it either.

    Static assets never come here (WhiteNoise answers them earlier in the chain, with its
    far-future caching), nor does anything asked for without signing in. A view that set
    no-store itself keeps its own header, and so does one marked `shared_with_everyone` (the
    JavaScript catalogue, governance.jsi18n: translations, the same for everyone).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if request.path.startswith(settings.STATIC_URL):
            return response
        if "no-store" in response.get("Cache-Control", ""):
            return response
        match = getattr(request, "resolver_match", None)
        if match is not None and getattr(match.func, "shared_with_everyone", False):
            return response
        # Replaces a view's own caching (`private, max-age=…`): private is not enough, since
        # the browser's own cache is what a phone's next person reads.
        del response["Cache-Control"]
        add_never_cache_headers(response)
        return response


class PortalLanguageMiddleware:
    """Chinese unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office
    machines run English browsers; the portal is Chinese first, so only an explicit choice
    (the language cookie set by the switcher) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


# C0 control characters other than tab and line breaks, DEL, and the bidirectional overrides
# and isolates (U+202A–U+202E, U+2066–U+2069) that make text read differently from what it is.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class ControlCharacterMiddleware:
    """Refuses, with a message, any post whose text (or file name) carries control characters.

    They cannot be typed, only pasted or forged, and nothing downstream wants them: PostgreSQL
    refuses NUL in text, Excel exports refuse the other C0 characters, escape sequences would
    reach terminals through logs, and bidirectional overrides disguise names and numbers. One
    check here covers every form, including fields read without a form.
    Runs as process_view, so that the CSRF check has answered first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        texts = [value for _name, values in request.POST.lists() for value in values]
        texts += [
            upload.name or "" for _name, uploads in request.FILES.lists() for upload in uploads
        ]
        if not any(CONTROL_CHARACTERS.search(text) for text in texts):
            return None
        return refuse_post(
            request,
            _(
                "What you sent contains invisible control characters (usually brought in by "
                "copying and pasting). Remove them and send it again."
            ),
        )


class PageCompressionMiddleware(GZipMiddleware):
    """Sends pages and JSON gzipped (a county dashboard's 45 KB of HTML is 5 KB on the wire).

    BREACH, which guesses a secret in a compressed page from the page's length, is answered
    the way Django answers it: the CSRF token in every form is masked afresh for each response,
    so it never repeats for a guess to match; Django's GZipMiddleware pads each response with up
    to 100 random bytes ("Heal the Breach"), so lengths vary by more than a guessed character
    changes them; and the session cookie is SameSite=Lax, so another site cannot make the
    browser send the many signed-in requests the attack needs. Files are left alone: photos and
    Excel exports are compressed already, and static files never get here (WhiteNoise answers
    them before, with the .gz it made at collectstatic)."""

    COMPRESSIBLE = ("text/", "application/json", "application/javascript")

    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)
