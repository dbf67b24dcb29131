"""Bad input on every form: each field of each form the portal serves is sent empty,
oversized, of the wrong type, as script and with control characters, and each upload as a fake
image. The answer is always a clear message in Chinese (or a redirect when the input is in fact
acceptable), never a server error, and script that was stored never comes back unescaped.

The forms are found the way a person finds them: by opening the portal's pages (walked from
the URL configuration, with the objects of the access matrix's `world`) and reading their
<form method="post"> elements. Every form target must be listed in FORMS below, with the person
who may use it and the page that shows it, or `test_every_form_is_covered` fails.
"""

import io
import re
import uuid
import zipfile
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from governance.models import Area, Membership, Role
from tests import test_access_matrix as matrix
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.factories import department_with_liaison, person_with_role

# The access matrix's `world` (one of everything in 店上镇), shared as a fixture here.
world = matrix.world
OBJECT_URLS = matrix.OBJECT_URLS

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never appear in a page as markup: the payloads above, unescaped.
RAW_PAYLOADS = ("<script>alert(1)", "<img src=x onerror=alert(1)")
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- Reading forms out of a page -------------------------------------------------------------


class _Forms(HTMLParser):
    """The post forms of a page: each with its targets and its fields as a browser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None
        self._in_template = 0

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "template":
            # The rows a script adds (a formset's empty form): a browser never sends them.
            self._in_template += 1
        if self._in_template:
            return
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "fields": [], "formactions": []}
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if a.get("formaction"):
                    form["formactions"].append(a["formaction"])
                return
            if a.get("name"):
                form["fields"].append(
                    {
                        "name": a["name"],
                        "kind": kind,
                        "value": a.get("value", ""),
                        "checked": "checked" in a,
                    }
                )
        elif tag == "button" and a.get("formaction"):
            form["formactions"].append(a["formaction"])
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "kind": "select", "options": [], "selected": None}
            self._select["multiple"] = "multiple" in a
            form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "kind": "textarea", "value": ""}
            form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self._textarea["value"] = self._textarea["value"].removeprefix("\n")
            self._textarea = None


def post_forms(html: str, page_url: str) -> list[dict]:
    """Each post form of the page, once per URL it can be sent to (a form whose buttons carry
    their own `formaction` goes to each of them)."""
    parser = _Forms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        for target in form["formactions"] or [form["action"] or page_url]:
            found.append({"target": unescape(target), "fields": form["fields"]})
    return found


def target_name(url: str) -> str:
    match = resolve(urlsplit(url).path)
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def baseline(fields: list[dict]) -> dict:
    """What a person who fills every field sensibly would send."""
    data: dict[str, list] = {}
    today = timezone.localdate()
    for field in fields:
        name, kind = field["name"], field["kind"]
        if kind == "file":
            continue
        if kind in ("checkbox", "radio"):
            if kind == "radio" and name in data:
                if field["checked"]:
                    data[name] = [field["value"]]
                continue
            if kind == "radio" or field["checked"]:
                data.setdefault(name, []).append(field["value"])
            continue
        if kind == "select":
            options = [o for o in field["options"] if o]
            value = field["selected"] if field["selected"] else (options[0] if options else "")
            data[name] = [value]
            continue
        value = field["value"]
        if not value.strip():
            value = sensible(name, kind, today)
        data.setdefault(name, []).append(value)
    return data


def sensible(name: str, kind: str, today: date) -> str:
    if kind == "number":
        return "2"
    if kind == "date" or name.endswith(("_on", "_from", "_to")):
        return (today + timedelta(days=7)).isoformat() if name == "due_on" else today.isoformat()
    if kind == "password":
        return "Pingan-2026-fuzz"
    if name in ("id_number", "phone") or name.endswith(("-id_number", "-phone")):
        return ""
    if name == "username":
        return f"fuzz{uuid.uuid4().hex[:8]}"
    if name.endswith("key"):
        return str(uuid.uuid4())  # the phone's submission key, made by its script
    if kind == "hidden":
        return ""
    return "测试内容"


# --- The values sent ----------------------------------------------------------------------


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, format="JPEG")
    return buffer.getvalue()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "not an image")
    return buffer.getvalue()


def fake_uploads():
    """Files that pose as images (or, for a spreadsheet input, as spreadsheets)."""
    return [
        ("text.jpg", b"this is plain text, not a photo\n" * 20, "image/jpeg"),
        ("cut.jpg", _jpeg_bytes()[:200], "image/jpeg"),
        ("archive.png", _zip_bytes(), "image/png"),
        ("script.jpg", f"{SCRIPT}".encode(), "image/jpeg"),
        ("report.pdf", b"%PDF-1.4\n%cut off here", "application/pdf"),
        # A real photo whose name is markup: the name may be shown back.
        ("<img src=x onerror=alert(1)>.jpg", _jpeg_bytes(), "image/jpeg"),
    ]


def bad_values(field: dict) -> list[tuple[str, str]]:
    """The values one field is tried with, chosen by what the field takes."""
    name, kind = field["name"], field["kind"]
    values = [
        ("oversized", "界" * 100_000),
        ("script", SCRIPT + IMG),
        ("NUL", "a\x00b"),
        ("control characters", "x\x1b[2J\u202eyz\x07"),
    ]
    looks_numeric = kind == "number" or (
        kind in ("hidden", "text") and re.fullmatch(r"-?\d+", field.get("value") or "")
    )
    looks_dated = kind in ("date", "datetime-local") or name.endswith(("_on", "_at", "month"))
    if looks_numeric:
        values += [("letters", "abc"), ("huge", "9" * 400), ("negative", "-1"), ("float", "1.5")]
    if looks_dated:
        values += [
            ("no such day", "2026-02-30"),
            ("letters", "abc"),
            ("year 0", "0000-01-01"),
            ("the last day there is", "9999-12-31"),
        ]
    if name.endswith("month"):
        values += [("the last month there is", "9999-12"), ("no such month", "2026-13")]
    if kind in ("select", "radio", "checkbox"):
        values += [("unknown choice", "not-a-choice"), ("huge", "9" * 400), ("negative", "-1")]
    return values


# --- Who uses which form, and where it is ----------------------------------------------------


@pytest.fixture
def people(world, settings, tmp_path):
    """The people who use the forms, with cases in the states whose forms they see."""
    from disputes.models import Dispute, ExtensionRequest, Outcome
    from grids import services as grids
    from grids.models import GridRole
    from petitions import services as petitions
    from tests.disputes.helpers import bring_to_mediation, take
    from tests.disputes.helpers import register as register_dispute
    from tests.petitions.helpers import register as register_petition

    settings.MEDIA_ROOT = tmp_path / "media"
    # A form tried a hundred times with the same name must not lock the sign-in form.
    settings.AXES_FAILURE_LIMIT = 100_000
    # Nor may the tries at the public query page run into its limit (tests/desk test it).
    settings.DESK_QUERY_TRIES_PER_ADDRESS = settings.DESK_QUERY_TRIES_PER_NUMBER = 100_000
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="乡镇综治")
    mediator = person_with_role(Role.MEDIATOR, DIANSHANG, first_name="调解员")
    county = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG, first_name="区县综治")
    admin = person_with_role(Role.ADMINISTRATOR, LUCHENG, first_name="管理员")
    city_admin = person_with_role(Role.ADMINISTRATOR, CITY, first_name="市管理员")
    village = person_with_role(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE, first_name="村委")
    office, liaison = department_with_liaison("司法所", DIANSHANG, first_name="联络员")

    revisitor = person_with_role(Role.REVISITOR, LUCHENG, first_name="回访员")
    # A dispute in mediation, with a pending extension request of the days before extensions
    # needed the parties' consent, a summons and a supervision.
    mediating = bring_to_mediation(register_dispute(staff), staff=staff, mediator=mediator)
    ExtensionRequest.objects.create(
        dispute=mediating, working_days=5, reason="需要补充材料", requested_by=staff
    )
    take(
        "summon",
        staff,
        mediating,
        departments=[office],
        due_on=timezone.localdate() + timedelta(days=5),
    )
    take("supervise", county, mediating, note="请尽快办理")
    # A resolved dispute: its revisit and reopen forms.
    resolved = bring_to_mediation(register_dispute(staff), staff=staff, mediator=mediator)
    take("resolve", mediator, resolved, outcome=Outcome.AGREEMENT, agreement="双方同意")
    # Mediated long enough ago for the county's revisit officer to revisit it.
    Dispute.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now() - timedelta(days=60))

    # Petitions accepted and assigned, and replied.
    assigned = register_petition(staff)
    petitions.petition_accept(actor=staff, petition=assigned, version=assigned.version)
    assigned.refresh_from_db()
    petitions.petition_assign(
        actor=staff, petition=assigned, version=assigned.version, person=staff
    )
    assigned.refresh_from_db()
    replied = register_petition(staff, subject="另一件信访")
    for step, extra in (("accept", {}), ("assign", {"person": staff}), ("handle", {})):
        replied.refresh_from_db()
        if step == "handle":
            extra = {"opinion": "已处理"}
        getattr(petitions, f"petition_{step}")(
            actor=staff, petition=replied, version=replied.version, **extra
        )
    replied.refresh_from_db()
    petitions.petition_reply(actor=staff, petition=replied, version=replied.version, reply="答复")
    # A petition whose extension awaits the head of the township's centre, and one sent to
    # the township's office (转送), which its liaison now handles.
    head = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="中心主任")
    Membership.objects.filter(user=head).update(is_head=True)
    extension_asked = register_petition(staff, subject="待批延期的信访")
    petitions.petition_accept(
        actor=staff, petition=extension_asked, version=extension_asked.version
    )
    petitions.petition_request_extension(
        actor=staff, petition=extension_asked, version=None, days=10, reason="需要协调"
    )
    sent = register_petition(staff, subject="转送司法所的信访")
    petitions.petition_send_to_department(
        actor=staff, petition=sent, version=sent.version, department=office
    )

    # A second grid whose worker has no patrol under way and nothing found today: the start
    # form, and the zero report's confirmation.
    second = grids.grid_create(
        actor=None, village=world["village"], code="T-02", name="二网格", kind="rural"
    )
    idle = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE, first_name="空闲网格员")
    grids.grid_assign(
        actor=None, grid=second, person=idle, role=GridRole.WORKER, starts_on=date(2026, 1, 1)
    )

    # A finding handed up, which opens the dispute form prefilled from it.
    handed_up, _ = grids.finding_log(
        actor=world["worker"],
        grid=world["grid"],
        client_key=uuid.uuid4(),
        category="dispute",
        severity="low",
        description="两户争执",
        status="open",
    )
    grids.finding_hand_up(actor=world["worker"], finding=handed_up, reason="需要调解")

    # A hazard handed up and not yet an incident (the workbench's button), and incidents
    # dispatched to the township's office, signed in, and handled (the forms of each step).
    from incidents import services as incidents

    def hazard(text):
        found, _ = grids.finding_log(
            actor=world["worker"],
            grid=world["grid"],
            client_key=uuid.uuid4(),
            category="safety_hazard",
            severity="low",
            description=text,
            status="handed_up",
        )
        return found

    hazard("护栏损坏")

    def incident_at(step):
        incident = incidents.incident_create_from_finding(actor=staff, finding=hazard(step))
        steps = [
            lambda: incidents.incident_dispatch(
                actor=staff,
                incident=incident,
                unit_kind="department",
                department=office,
                reason="归司法所",
            ),
            lambda: incidents.incident_sign_in(actor=liaison, incident=incident),
            lambda: incidents.incident_handle(
                actor=liaison, incident=incident, what_was_done="已处理"
            ),
        ]
        for take_step in steps[: {"dispatched": 1, "signed_in": 2, "handled": 3}[step]]:
            take_step()
        return incident

    # A matter answered at the desk: its page offers the public reply.
    from desk.services import matter_classify, matter_receive

    asked, _code = matter_receive(
        actor=staff,
        channel="phone",
        area=world["village"],
        subject="咨询低保政策",
        description="来电咨询低保申请条件",
    )
    answered_matter = matter_classify(
        actor=staff, matter=asked, kind="consultation", reply="已当场解答"
    )
    # A work order from the hotline, just received: its page offers signing in and returning.
    work_order, _code = matter_receive(
        actor=None,
        channel="hotline_12345",
        area=world["village"],
        subject="反映路灯不亮",
        description="12345转来：村口路灯不亮",
        return_by=timezone.now() + timedelta(hours=24),
    )
    return {
        "anonymous": None,
        "worker": world["worker"],
        "idle worker": idle,
        "staff": staff,
        "mediator": mediator,
        "county": county,
        "admin": admin,
        "city admin": city_admin,
        "village": village,
        "liaison": liaison,
        "head": head,
        "revisitor": revisitor,
        "cases": {
            "answered_matter": answered_matter,
            "work_order": work_order,
            "mediating": mediating,
            "resolved": resolved,
            "assigned": assigned,
            "replied": replied,
            "extension_asked": extension_asked,
            "sent": sent,
            "handed_up": handed_up,
            "idle_grid": second,
            "dispatched": incident_at("dispatched"),
            "signed_in": incident_at("signed_in"),
            "handled": incident_at("handled"),
        },
    }


def _url(name, **kwargs):
    return lambda w, c: reverse(name, kwargs=kwargs)


def _world_url(name):
    return lambda w, c: reverse(name, kwargs=OBJECT_URLS[name](w))


def _case_url(name, case):
    return lambda w, c: reverse(name, kwargs={"pk": c[case].pk})


# Form target (URL name) → who uses it and on which pages its form is.
FORMS = {
    "login": [("anonymous", _url("login"))],
    "set_language": [("staff", _url("disputes:workbench"))],
    "person_create": [("admin", _url("person_create"))],
    "person_detail": [("admin", _world_url("person_detail"))],
    # The confirmation pages of irreversible actions hold their forms; the pages that lead
    # to them only link there.
    "membership_revoke": [("admin", _world_url("membership_revoke"))],
    "grids:patrol_start": [("idle worker", _url("grids:worker_home"))],
    "grids:patrol_end": [("worker", _url("grids:worker_home"))],
    "grids:zero_report": [("idle worker", _case_url("grids:zero_report", "idle_grid"))],
    "grids:finding_new": [("worker", _url("grids:finding_new"))],
    "grids:finding_handle": [("worker", _world_url("grids:finding_detail"))],
    "grids:finding_hand_up": [("worker", _world_url("grids:finding_detail"))],
    "grids:grid_create": [("village", _world_url("grids:grid_create"))],
    "grids:grid_handover": [("village", _world_url("grids:grid_handover"))],
    "grids:grid_import": [("admin", _url("grids:grid_import"))],
    "disputes:register": [
        ("staff", _url("disputes:register")),
        ("staff", lambda w, c: f"{reverse('disputes:register')}?finding={c['handed_up'].pk}"),
    ],
    "disputes:act": [
        ("staff", _world_url("disputes:detail")),
        ("staff", _case_url("disputes:detail", "mediating")),
        ("staff", _case_url("disputes:detail", "resolved")),
        ("county", _case_url("disputes:detail", "mediating")),
        ("liaison", _case_url("disputes:detail", "mediating")),
        ("revisitor", _case_url("disputes:detail", "resolved")),
    ],
    "disputes:attachment_add": [("staff", _world_url("disputes:detail"))],
    "petitions:register": [("staff", _url("petitions:register"))],
    "petitions:act": [
        ("staff", _world_url("petitions:detail")),
        ("staff", _case_url("petitions:detail", "assigned")),
        ("staff", _case_url("petitions:detail", "replied")),
        ("county", _case_url("petitions:detail", "assigned")),
        # The village committee records its help; the head approves or refuses an extension;
        # the department a petition was sent to handles it.
        ("village", _world_url("petitions:detail")),
        ("head", _case_url("petitions:detail", "extension_asked")),
        ("liaison", _case_url("petitions:detail", "sent")),
    ],
    "petitions:link_dispute": [("staff", _world_url("petitions:detail"))],
    "incidents:from_finding": [("staff", _url("disputes:workbench"))],
    # The dispute page's "convert to an incident", a panel of the incidents app.
    "incidents:convert_dispute": [("staff", _world_url("disputes:detail"))],
    "incidents:act": [
        ("staff", _world_url("incidents:detail")),
        ("liaison", _case_url("incidents:detail", "dispatched")),
        ("liaison", _case_url("incidents:detail", "signed_in")),
        ("worker", _case_url("incidents:detail", "handled")),
    ],
    "incidents:check_phone": [("worker", _case_url("incidents:check_phone", "handled"))],
    "dashboards:scheme": [("admin", _world_url("dashboards:scheme"))],
    "dashboards:month_publish": [("county", _world_url("dashboards:month_publish"))],
    "grids:patrol_target_settings": [("admin", _world_url("county_settings"))],
    "incidents:matter_rules_settings": [("admin", _world_url("county_settings"))],
    "disputes:deadline_settings": [("city admin", _world_url("county_settings"))],
    "disputes:revisit_settings": [("admin", _world_url("county_settings"))],
    "petitions:clock_settings": [("city admin", _world_url("county_settings"))],
    "calendar_day_add": [("city admin", _world_url("working_calendar"))],
    "calendar_day_remove": [("city admin", _world_url("working_calendar"))],
    "cases:light_settings": [("admin", _world_url("county_settings"))],
    "cases:supervision_instruct": [("county", _url("cases:board"))],
    "cases:supervision_answer": [("staff", _url("cases:board"))],
    # The intake API's own fields are tried in tests/open311/test_api_bad_input.py.
    "open311:sources": [("city admin", _url("open311:sources"))],
    "open311:source_revoke": [("city admin", _world_url("open311:source_revoke"))],
    "open311:source_reissue": [("city admin", _world_url("open311:source_reissue"))],
    "desk:intake": [("staff", _url("desk:intake"))],
    "desk:classify": [("staff", _world_url("desk:detail"))],
    "desk:reply": [("staff", _case_url("desk:detail", "answered_matter"))],
    "desk:return": [("staff", _case_url("desk:detail", "work_order"))],
    "desk:query": [("anonymous", _url("desk:query"))],
}

# Forms that take nothing from the person but the click itself.
NOTHING_TO_FUZZ = {"logout"}


def _client() -> Client:
    # CSRF is checked as in a browser: every post carries the token its page was drawn with.
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def signed_in(user) -> Client:
    client = _client()
    if user is not None:
        client.force_login(user)
    return client


def every_page(world, cases) -> list[str]:
    """Every page of the URL configuration, objects named as the access matrix names them, and
    the pages of the cases in other states."""
    urls = []
    for name, converters in _walk_all():
        if converters:
            if name in OBJECT_URLS:
                urls.append(reverse(name, kwargs=OBJECT_URLS[name](world)))
        else:
            urls.append(reverse(name))
    for dispute in ("mediating", "resolved"):
        urls.append(reverse("disputes:detail", args=[cases[dispute].pk]))
    for petition in ("assigned", "replied", "extension_asked", "sent"):
        urls.append(reverse("petitions:detail", args=[cases[petition].pk]))
    for incident in ("dispatched", "signed_in", "handled"):
        urls.append(reverse("incidents:detail", args=[cases[incident].pk]))
    urls.append(f"{reverse('disputes:register')}?finding={cases['handed_up'].pk}")
    return urls


def _walk_all():
    """Every named URL, with and without converters (the matrix's walk yields only the
    former)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                yield from walk(entry, namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{prefix}{entry.name}", sorted(entry.pattern.converters)

    return list(walk(get_resolver()))


def test_every_form_is_covered(world, people):
    """Everyone opens every page; every post form they find must be in FORMS."""
    pages = every_page(world, people["cases"])
    found: dict[str, set] = {}
    for key, user in people.items():
        if key == "cases":
            continue
        client = signed_in(user)
        for url in pages:
            response = client.get(url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for form in post_forms(response.content.decode(), url):
                found.setdefault(target_name(form["target"]), set()).add(f"{key} {url}")
    unlisted = sorted(set(found) - set(FORMS) - NOTHING_TO_FUZZ)
    assert unlisted == [], f"add these form targets to FORMS: {unlisted}"
    # And every listed form is really found where FORMS says, by whom it says.
    for name, places in FORMS.items():
        for key, page in places:
            url = page(world, people["cases"])
            response = signed_in(people[key]).get(url)
            targets = {target_name(f["target"]) for f in post_forms(response.content.decode(), url)}
            assert name in targets, f"{name}: no form on {url} for {key}"


# --- Fuzzing ------------------------------------------------------------------------------


def error_texts(html: str) -> list[str]:
    """The error messages a person sees on the page."""
    pattern = re.compile(
        r'<(?P<tag>div|span|ul|p|li|strong)[^>]*class="[^"]*'
        r"(?:invalid-feedback|alert-danger|errorlist|alert-block|text-danger)[^\"]*\"[^>]*>"
        r"(?P<body>.*?)</(?P=tag)>",
        re.S,
    )
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", m.group("body")))).strip()
        for m in pattern.finditer(html)
    ]


def check_answer(response, what: str) -> list[str]:
    """Problems with the answer to one post (an empty list when it is as it should be)."""
    problems = []
    status = response.status_code
    chain = [status for _url, status in getattr(response, "redirect_chain", [])]
    html = response.content.decode(errors="replace")
    if status >= 500 or any(s >= 500 for s in chain):
        return [f"{what}: server error {status}"]
    for payload in RAW_PAYLOADS:
        if payload in html:
            problems.append(f"{what}: page carries unescaped {payload!r}")
    if chain:
        return problems  # accepted, or refused with a message on the page it went back to
    if status not in (200, 400):
        problems.append(f"{what}: answered {status}")
    elif not any(CJK.search(text) for text in error_texts(html)):
        problems.append(f"{what}: refused without a message in Chinese")
    return problems


def _flatten(data: dict) -> dict:
    return {k: (v if len(v) != 1 else v[0]) for k, v in data.items()}


def _form_key(target: str) -> tuple:
    """Forms that are the same form: one action on cases in different states, one view."""
    match = resolve(urlsplit(target).path)
    return (match.view_name, match.kwargs.get("action"))


def fuzz_form(client, form: dict, problems: list[str], tried: set) -> None:
    """Send one form empty, then each field bad in each way, each post in a savepoint rolled
    back afterwards so that every try starts from the same state (and what an accepted try
    stored is checked on the page it leads to before it goes).

    `tried` holds what was already sent to the same form on another page, and each row of a
    formset stands for the others: a value is tried once per field of a form."""
    target = form["target"]
    form_key = _form_key(target)
    fields = [f for f in form["fields"] if f["name"] != "csrfmiddlewaretoken"]
    token = next((f["value"] for f in form["fields"] if f["name"] == "csrfmiddlewaretoken"), None)
    base = baseline(fields)

    def send(data: dict, files: dict | None = None, label: str = ""):
        payload = {**_flatten(data), **(files or {})}
        if token is not None:
            payload["csrfmiddlewaretoken"] = token
        with transaction.atomic():
            response = client.post(target, payload, follow=True)
            problems.extend(check_answer(response, f"{target} {label}"))
            transaction.set_rollback(True)

    if (form_key, "") not in tried:
        tried.add((form_key, ""))
        send({}, label="(all empty)")
    for field in fields:
        name = field["name"]
        # The hidden fields (a case's version) are the same in every form of a view.
        key = (
            (form_key[0], re.sub(r"-\d+-", "-N-", name))
            if field["kind"] == "hidden"
            else (form_key, re.sub(r"-\d+-", "-N-", name))
        )
        if key in tried:
            continue  # one radio group, a multiple select, or a field already tried
        tried.add(key)
        if field["kind"] == "file":
            for filename, content, content_type in fake_uploads():
                upload = SimpleUploadedFile(filename, content, content_type=content_type)
                send(base, {name: upload}, label=f"{name}={filename}")
            continue
        for label, value in bad_values(field):
            send({**base, name: [value]}, label=f"{name}={label}")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_bad_input_is_answered_with_a_message_never_an_error(world, people, name):
    problems: list[str] = []
    tried: set = set()
    for key, page in FORMS[name]:
        client = signed_in(people[key])
        url = page(world, people["cases"])
        response = client.get(url)
        assert response.status_code == 200, url
        forms = [
            f
            for f in post_forms(response.content.decode(), url)
            if target_name(f["target"]) == name
        ]
        assert forms, f"no {name} form on {url}"
        for form in forms:
            fuzz_form(client, form, problems, tried)
    assert problems == []


# --- What was stored -------------------------------------------------------------------------


def stored_script_rows() -> int:
    """Rows of the portal's own tables holding the script payload as text."""
    found = 0
    for model in apps.get_models():
        if model._meta.app_label not in {"governance", "grids", "disputes", "petitions"}:
            continue
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            # Exactly these: encrypted fields (subclasses) hold no searchable text.
            if type(field) in (models.CharField, models.TextField) and not field.choices
        ]
        query = models.Q()
        for name in text_fields:
            query |= models.Q(**{f"{name}__contains": "<script>alert(1)"})
        if text_fields:
            found += model._default_manager.filter(query).count()
    return found


def test_stored_script_never_comes_back_unescaped_and_every_page_still_opens(world, people):
    """Every text field of every form is sent once with script in it, and kept; then everyone
    opens every page (the exports too), and no page carries the script as markup."""
    cases = people["cases"]
    landed: set[str] = set()
    for name in sorted(FORMS):
        key, page = FORMS[name][0]
        if key == "anonymous" or name in ("set_language", "membership_revoke"):
            continue
        client = signed_in(people[key])
        url = page(world, cases)
        html = client.get(url).content.decode()
        for form in post_forms(html, url):
            if target_name(form["target"]) != name:
                continue
            fields = [f for f in form["fields"] if f["name"] != "csrfmiddlewaretoken"]
            token = next(f["value"] for f in form["fields"] if f["name"] == "csrfmiddlewaretoken")
            for field in fields:
                if field["kind"] not in ("text", "textarea"):
                    continue
                data = {**_flatten(baseline(fields)), field["name"]: SCRIPT + IMG}
                response = client.post(
                    form["target"], {**data, "csrfmiddlewaretoken": token}, follow=True
                )
                assert response.status_code < 500, f"{form['target']} {field['name']}"
                landed.update(url for url, _status in response.redirect_chain)
    assert stored_script_rows() > 0, "no form stored the script: the check below would be empty"

    pages = sorted({*every_page(world, cases), *landed, reverse("petitions:list") + "?export=1"})
    problems = []
    for key, user in people.items():
        if key in ("cases", "anonymous"):
            continue
        client = signed_in(user)
        for url in pages:
            response = client.get(url, follow=True)
            if response.status_code >= 500:
                problems.append(f"{key} {url}: server error {response.status_code}")
                continue
            if response.streaming or "html" not in response.get("Content-Type", ""):
                continue  # photos, attachments, workbooks: never rendered as a page
            body = response.content.decode(errors="replace")
            problems += [f"{key} {url}: unescaped {p!r}" for p in RAW_PAYLOADS if p in body]
    assert problems == []


# --- Commands that read files ------------------------------------------------------------


def _zip_named(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "not what it claims")
    return buffer.getvalue()


BAD_FILES = {
    "binary junk": ("areas.csv", bytes(range(256)) * 40),
    "a zip named .csv": ("areas.csv", _zip_named("a.csv")),
    "a NUL in a name": ("areas.csv", "code,name,level,parent_code\n9901,测\x00试市,city,\n"),
    "an escape sequence in a name": (
        "areas.csv",
        "code,name,level,parent_code\n9901,\x1b[31m测试市,city,\n",
    ),
    "a name of 100,000 characters": (
        "areas.csv",
        "code,name,level,parent_code\n9901," + "界" * 100_000 + ",city,\n",
    ),
    "UTF-16": ("areas.csv", "code,name,level,parent_code\n9901,测试市,city,\n".encode("utf-16")),
}


def _write(tmp_path, filename, content):
    path = tmp_path / filename
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES)
def test_import_areas_refuses_a_bad_file_with_a_message_and_writes_nothing(tmp_path, case):
    path = _write(tmp_path, *BAD_FILES[case])

    with pytest.raises(CommandError) as raised:
        call_command("import_areas", str(path), stdout=io.StringIO())

    assert CJK.search(str(raised.value)), str(raised.value)
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_import_areas_refuses_a_directory_with_a_message(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_areas", str(tmp_path), stdout=io.StringIO())
    assert str(tmp_path) in str(raised.value) and CJK.search(str(raised.value))
    assert not Area.objects.exists()


GRID_HEADER = "grid_code,grid_name,kind,village_code,households,population"
BAD_GRID_FILES = {
    "binary junk": ("grids.csv", bytes(range(256)) * 40),
    "a zip named .xlsx": ("grids.xlsx", _zip_named("xl/workbook.xml")),
    "text named .xlsx": ("grids.xlsx", GRID_HEADER.encode()),
    "a NUL in a name": (
        "grids.csv",
        f"{GRID_HEADER}\nD-01,店上\x00网格,农村,{DIANSHANG_VILLAGE},1,1\n",
    ),
    "an escape sequence in a name": (
        "grids.csv",
        f"{GRID_HEADER}\nD-01,\x1b[2J店上网格,农村,{DIANSHANG_VILLAGE},1,1\n",
    ),
    "a name of 100,000 characters": (
        "grids.csv",
        f"{GRID_HEADER}\nD-01,{'界' * 100_000},农村,{DIANSHANG_VILLAGE},1,1\n",
    ),
    "a huge count": (
        "grids.csv",
        f"{GRID_HEADER}\nD-01,网格,农村,{DIANSHANG_VILLAGE},{'9' * 400},1\n",
    ),
    "a picture": ("grids.csv", _jpeg_bytes()),
}


@pytest.mark.parametrize("case", BAD_GRID_FILES)
def test_import_grids_refuses_a_bad_file_with_a_message_and_writes_nothing(
    changzhi_slice, tmp_path, case
):
    from grids.models import Grid

    path = _write(tmp_path, *BAD_GRID_FILES[case])
    errors = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_grids", str(path), stdout=io.StringIO(), stderr=errors)

    told = f"{raised.value} {errors.getvalue()}"
    assert CJK.search(told), told
    assert not Grid.objects.exists()


def test_the_phone_outbox_is_told_of_control_characters_in_json(world, people):
    """The outbox sends findings with fetch and shows the errors of a JSON answer."""
    client = signed_in(people["worker"])
    html = client.get(reverse("grids:finding_new")).content.decode()
    [form] = [f for f in post_forms(html, "/grid/findings/new/") if "findings" in f["target"]]
    token = next(f["value"] for f in form["fields"] if f["name"] == "csrfmiddlewaretoken")
    data = _flatten(baseline([f for f in form["fields"] if f["name"] != "csrfmiddlewaretoken"]))

    response = client.post(
        form["target"],
        {**data, "description": "井盖\u202e缺失", "csrfmiddlewaretoken": token},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "控制字符" in response.json()["errors"][0]
