"""The intake API, modelled on Open311 GeoReport v2 (`/api/open311/v2/`): JSON only.

Every request but the service list and the description carries its source system's token as
`Authorization: Bearer <token>`. A missing, unknown or revoked token is refused with 403, as
GeoReport answers an invalid api_key. Errors are GeoReport's list of
`{"code": <HTTP status>, "description": <message>}` (with the `field` at fault when there is
one), in the requester's language: Chinese unless Accept-Language asks for English.

No CSRF: nothing here reads a cookie or a session, only the token."""

import json
import re
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cases.identity import clean_phone
from infra.errors import error_text
from infra.middleware import CONTROL_CHARACTERS
from open311 import throttle
from open311.openapi import openapi_document
from open311.selectors import area_in_scope, source_for_token, work_orders_for_source
from open311.serializers import service_request
from open311.services import work_order_receive
from open311.services_catalogue import service_named, services_list

SOURCE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")
AREA_CODE = re.compile(r"^\d{6,12}$")
MATTER_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,32}$")
MAX_BODY_BYTES = 64 * 1024
MAX_LISTED = 1000
MAX_IDS_ASKED = 50
# Fields of a POST that GeoReport clients commonly send and that mean nothing here.
IGNORED_FIELDS = frozenset({"jurisdiction_id", "lat", "long", "email", "device_id", "account_id"})


class ApiError(Exception):
    def __init__(self, status: int, errors: list[tuple[str, str]], headers: dict | None = None):
        super().__init__(errors)
        self.status = status
        self.errors = errors  # (field, message); field "" for the request as a whole
        self.headers = headers or {}


def _json(data, *, status: int = 200, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    add_never_cache_headers(response)
    return response


def error_response(error: ApiError) -> JsonResponse:
    body = [
        {"code": error.status, "description": message, **({"field": field} if field else {})}
        for field, message in error.errors
    ]
    return _json(body, status=error.status, headers=error.headers)


def requested_language(request) -> str:
    """The first language of Accept-Language the portal speaks; Chinese otherwise."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = code.lower()
        if code in supported:
            return code
        if code.split("-")[0] == "en":
            return "en"
        if code.split("-")[0] == "zh":
            return settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def api_view(*, methods: tuple[str, ...], token: bool = True):
    """An API endpoint: its methods, its token (the view gets the source system), the rate
    limit, the requester's language, and every refusal as a GeoReport error."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            with translation.override(requested_language(request)):
                try:
                    if request.method not in methods:
                        raise ApiError(
                            405,
                            [
                                (
                                    "",
                                    _("This address does not take %(method)s.")
                                    % {"method": request.method},
                                )
                            ],
                            {"Allow": ", ".join(methods)},
                        )
                    if token:
                        kwargs["source"] = _authenticated_source(request)
                    return view(request, *args, **kwargs)
                except ApiError as error:
                    return error_response(error)

        return wrapper

    return decorator


def _authenticated_source(request):
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if not header:
        raise ApiError(403, [("", _("A token is required: send Authorization: Bearer <token>."))])
    source = source_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if source is None:
        raise ApiError(403, [("", _("The token is not valid."))])
    if source.revoked:
        raise ApiError(403, [("", _("The token has been revoked."))])
    allowed, wait = throttle.allow(source)
    if not allowed:
        raise ApiError(
            429,
            [("", _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": wait})],
            {"Retry-After": str(wait)},
        )
    return source


# --- services.json, openapi.json ------------------------------------------------------------


@api_view(methods=("GET",), token=False)
def services(request):
    return _json(services_list())


@api_view(methods=("GET",), token=False)
def openapi(request):
    return _json(openapi_document(request))


# --- requests.json --------------------------------------------------------------------------


@api_view(methods=("GET", "POST"))
def requests_collection(request, source):
    if request.method == "POST":
        return _create(request, source)
    return _list(request, source)


def _body(request) -> dict:
    if request.content_type != "application/json":
        raise ApiError(
            415, [("", _("Send the work order as JSON (Content-Type: application/json)."))]
        )
    if len(request.body) > MAX_BODY_BYTES:
        raise ApiError(413, [("", _("The request is too large."))])
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, [("", _("The body is not valid JSON."))]) from None
    if not isinstance(data, dict):
        raise ApiError(400, [("", _("The body must be a JSON object."))])
    return data


class _Fields:
    """Reads the fields of a posted work order, collecting every error before refusing."""

    def __init__(self, data: dict):
        self.data = data
        self.errors: list[tuple[str, str]] = []

    def text(self, name: str, *, max_length: int, required: bool) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.errors.append((name, _("This field is required.")))
            return ""
        if not isinstance(value, str):
            self.errors.append((name, _("This field must be a string.")))
            return ""
        if CONTROL_CHARACTERS.search(value):
            self.errors.append((name, _("This field contains control characters.")))
            return ""
        value = value.strip()
        if required and not value:
            self.errors.append((name, _("This field is required.")))
        elif len(value) > max_length:
            self.errors.append(
                (name, _("This field is at most %(limit)d characters.") % {"limit": max_length})
            )
        return value

    def error(self, name: str, message: str) -> None:
        self.errors.append((name, message))


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _create(request, source):
    data = _body(request)
    fields = _Fields(data)
    known = {
        "service_code",
        "area_code",
        "description",
        "subject",
        "address_string",
        "name",
        "phone",
        "source_number",
        "source_deadline",
    }
    for name in sorted(set(data) - known - IGNORED_FIELDS):
        fields.error(name[:50], _("Unknown field."))
    service_code = fields.text("service_code", max_length=32, required=True)
    if service_code and service_named(service_code) is None:
        fields.error("service_code", _("Unknown service code: see services.json."))
    area_code = fields.text("area_code", max_length=12, required=True)
    area = None
    if area_code:
        # Outside the source's scope is answered exactly as a code that does not exist.
        area = area_in_scope(source, area_code) if AREA_CODE.fullmatch(area_code) else None
        if area is None:
            fields.error("area_code", _("Unknown area code."))
    description = fields.text("description", max_length=5000, required=True)
    subject = fields.text("subject", max_length=100, required=False)
    place = fields.text("address_string", max_length=200, required=False)
    name = fields.text("name", max_length=50, required=False)
    phone = fields.text("phone", max_length=20, required=False)
    if phone:
        try:
            phone = clean_phone(phone)
        except ValidationError as error:
            fields.error("phone", error_text(error))
    source_number = fields.text("source_number", max_length=64, required=True)
    if source_number and not SOURCE_NUMBER.fullmatch(source_number):
        fields.error(
            "source_number",
            _("A source number is letters, digits and - _ . : / (at most 64)."),
        )
    deadline_text = fields.text("source_deadline", max_length=40, required=False)
    deadline = None
    if deadline_text:
        deadline = _parse_time(deadline_text)
        if deadline is None:
            fields.error(
                "source_deadline",
                _("Give the deadline as an ISO 8601 time, e.g. 2026-12-31T18:00:00+08:00."),
            )
        elif deadline <= timezone.now():
            fields.error("source_deadline", _("This deadline has already passed."))
    if fields.errors:
        raise ApiError(400, fields.errors)
    try:
        work_order, code = work_order_receive(
            source=source,
            source_number=source_number,
            service_code=service_code,
            area=area,
            subject=subject or description[:30],
            description=description,
            place=place,
            requester_name=name,
            requester_phone=phone,
            source_deadline=deadline,
        )
    except (ValidationError, PermissionDenied) as error:
        raise ApiError(400, [("", error_text(error))]) from None
    answer = {
        "service_request_id": work_order.matter.number,
        "source_number": work_order.source_number,
        "service_notice": "",
        "account_id": None,
    }
    if code is None:  # the same source number again: the same matter, as it was
        return _json([answer], status=200)
    answer["query_code"] = code
    return _json([answer], status=201)


LIST_PARAMETERS = {
    "service_request_id",
    "source_number",
    "service_code",
    "status",
    "start_date",
    "end_date",
}


def _list(request, source):
    errors = []
    for name in sorted(set(request.GET) - LIST_PARAMETERS - {"jurisdiction_id"}):
        errors.append((name[:50], _("Unknown parameter.")))
    for name in sorted(set(request.GET) & LIST_PARAMETERS):
        if CONTROL_CHARACTERS.search(request.GET[name]) or len(request.GET[name]) > 2000:
            errors.append((name, _("This parameter is not valid.")))
    if errors:
        raise ApiError(400, errors)
    work_orders = work_orders_for_source(source)
    numbers = [n.strip() for n in request.GET.get("service_request_id", "").split(",") if n.strip()]
    if numbers:
        if len(numbers) > MAX_IDS_ASKED or not all(MATTER_NUMBER.fullmatch(n) for n in numbers):
            errors.append(("service_request_id", _("At most 50 request ids, separated by commas.")))
        work_orders = work_orders.filter(matter__number__in=numbers)
    source_numbers = [
        n.strip() for n in request.GET.get("source_number", "").split(",") if n.strip()
    ]
    if source_numbers:
        if len(source_numbers) > MAX_IDS_ASKED or not all(
            SOURCE_NUMBER.fullmatch(n) for n in source_numbers
        ):
            errors.append(("source_number", _("At most 50 source numbers, separated by commas.")))
        work_orders = work_orders.filter(source_number__in=source_numbers)
    service_code = request.GET.get("service_code", "")
    if service_code:
        if service_named(service_code) is None:
            errors.append(("service_code", _("Unknown service code: see services.json.")))
        work_orders = work_orders.filter(service_code=service_code)
    status = request.GET.get("status", "")
    if status:
        from open311.serializers import CLOSED_STATUSES

        if status == "open":
            work_orders = work_orders.exclude(matter__status__in=CLOSED_STATUSES)
        elif status == "closed":
            work_orders = work_orders.filter(matter__status__in=CLOSED_STATUSES)
        else:
            errors.append(("status", _("Status is open or closed.")))
    for name, lookup in (("start_date", "received_at__gte"), ("end_date", "received_at__lte")):
        value = request.GET.get(name, "")
        if value:
            moment = _parse_time(value)
            if moment is None:
                errors.append(
                    (name, _("Give the time as ISO 8601, e.g. 2026-12-01T00:00:00+08:00."))
                )
            else:
                work_orders = work_orders.filter(**{lookup: moment})
    if errors:
        raise ApiError(400, errors)
    return _json([service_request(w) for w in work_orders[:MAX_LISTED]])


@api_view(methods=("GET",))
def request_detail(request, number, source):
    work_order = (
        work_orders_for_source(source).filter(matter__number=number).first()
        if MATTER_NUMBER.fullmatch(number)
        else None
    )
    if work_order is None:
        raise ApiError(404, [("", _("No such request."))])
    return _json([service_request(work_order)])
