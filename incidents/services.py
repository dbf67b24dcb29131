"""The only writers of incidents. Every action goes through `cases.actions.take_action`: row
lock, stale-version refusal, the action's entry in `incidents.actions` (status, who, guard),
one event. `actor` is the person acting; `version` the incident's version their form was
drawn from."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.levels import area_at_level, staff_at_level, works_at_level
from cases.workflow import TransitionNotAllowed
from governance.configuration.services import (
    audit_setting_change,
    require_county_administrator,
    whole_number,
)
from governance.models import AreaLevel, Department
from governance.notifications import notify
from governance.selectors import covers
from governance.workdays import add_working_days
from grids.models import FindingCategory, FindingStatus, Severity
from grids.photos import MAX_PHOTOS, ProcessedPhoto
from incidents.models import (
    INCIDENT_CATEGORIES,
    Incident,
    IncidentEvent,
    IncidentLevel,
    IncidentPhoto,
    IncidentStatus,
    MatterRule,
    UnitKind,
)
from incidents.selectors import (
    DEFAULT_WORKING_DAYS,
    checkers,
    county_of,
    departments_of_county,
    proposed_unit,
)

SIGN_IN_WORKING_DAYS = 1
MATTER_WORKING_DAYS_BOUNDS = (1, 365)


def _act(
    *, actor, incident, version, action, change=None, note="", event_kind=None, event_fields=None
):
    # The registry names the services it dispatches to, so it is read when called.
    from cases.actions import take_action
    from incidents.actions import INCIDENT

    return take_action(
        INCIDENT,
        actor=actor,
        case=incident,
        version=version,
        action=action,
        change=change or (lambda locked: None),
        note=note,
        event_kind=event_kind,
        event_fields=event_fields,
    )


def _check_photo_count(photos) -> list:
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(count)d photos.") % {"count": MAX_PHOTOS}, code="too_many_photos"
        )
    return photos


def _act_with_photos(*, photos: list[ProcessedPhoto], **arguments) -> Incident:
    """`_act`, and the photos stored with the event it writes, all or nothing. Files are not
    part of the transaction: those written before a rollback are removed, so a step the
    database refused leaves no photo on disk that no row points to."""
    written = []
    try:
        with transaction.atomic():
            locked = _act(**arguments)
            if photos:
                event = IncidentEvent.objects.filter(incident=locked).latest("pk")
                for photo in photos:
                    stored = IncidentPhoto(
                        incident=locked, event=event, width=photo.width, height=photo.height
                    )
                    stored.image.save("photo.jpg", photo.content, save=False)
                    written.append(stored.image)
                    stored.save()
    except BaseException:
        for image in written:
            image.storage.delete(image.name)
        raise
    return locked


def _required(value: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError(message)
    return value.strip()


def _url(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])


def unit_people(incident) -> list:
    """Whom a dispatch concerns: the people who act for the handling unit."""
    if incident.unit_kind == UnitKind.DEPARTMENT and incident.department_id:
        return list(incident.department.liaisons.all())
    if incident.unit_kind == UnitKind.VILLAGE:
        return staff_at_level(incident.area, AreaLevel.VILLAGE)
    if incident.unit_kind == UnitKind.TOWNSHIP:
        return staff_at_level(incident.area, AreaLevel.TOWNSHIP)
    return []


def dispatchers(incident) -> list:
    return staff_at_level(incident.area, incident.level)


def incident_create_from_finding(*, actor, finding) -> Incident:
    """Open an incident from a handed-up finding, as the township's or the village's staff
    over its grid; it is dispatched from the level the person works at. A finding of the
    dispute category is not an incident: it is registered as a dispute."""
    village = finding.grid.village
    township = area_at_level(village, AreaLevel.TOWNSHIP)
    if works_at_level(user=actor, area=township, level=AreaLevel.TOWNSHIP):
        level = IncidentLevel.TOWNSHIP
    elif works_at_level(user=actor, area=village, level=AreaLevel.VILLAGE):
        level = IncidentLevel.VILLAGE
    else:
        raise TransitionNotAllowed(_("You cannot open an incident for this grid."))
    if finding.category == FindingCategory.DISPUTE:
        raise ValidationError(_("A dispute is registered as a dispute, not as an incident."))
    if finding.status != FindingStatus.HANDED_UP:
        raise ValidationError(_("Only a finding handed up by the grid becomes an incident."))
    today = timezone.localdate()
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                area=village,
                grid=finding.grid,
                finding=finding,
                reporter=finding.reporter,
                category=finding.category,
                severity=finding.severity,
                place=finding.grid.name,
                description=finding.description,
                level=level,
                registered_by=actor,
            )
            incident.number = f"SJ{today:%Y}{incident.pk:07d}"
            incident.save(update_fields=["number"])
            IncidentEvent.objects.create(
                incident=incident,
                actor=actor,
                kind="registered",
                to_status=incident.status,
                details={"finding": finding.pk, "photos": finding.photos.count()},
            )
    except IntegrityError:
        raise ValidationError(_("An incident was already opened from this finding.")) from None
    return incident


def incident_register(
    *,
    actor,
    area,
    category: str,
    description: str,
    place: str = "",
    severity: str = Severity.LOW,
    details: dict | None = None,
) -> Incident:
    """Register an incident that did not come from a grid finding (one received at the front
    desk), as the staff of the township or the county over its village; it is dispatched from
    the level the person works at. A dispute is registered as a dispute."""
    if area.level != AreaLevel.VILLAGE:
        raise ValidationError(_("An incident belongs to a village or community."))
    if category not in INCIDENT_CATEGORIES:
        raise ValidationError(_("Choose the category of the incident."))
    if severity not in Severity.values:
        raise ValidationError(_("Choose the severity."))
    description = _required(description, _("Describe the incident."))
    if len(description) > 2000:
        raise ValidationError(_("The description is at most 2000 characters."))
    if works_at_level(user=actor, area=area, level=AreaLevel.TOWNSHIP):
        level = IncidentLevel.TOWNSHIP
    elif works_at_level(user=actor, area=area, level=AreaLevel.COUNTY):
        level = IncidentLevel.COUNTY
    else:
        raise TransitionNotAllowed(_("You cannot register an incident for this area."))
    today = timezone.localdate()
    with transaction.atomic():
        incident = Incident.objects.create(
            area=area,
            category=category,
            severity=severity,
            place=(place or "").strip()[:200],
            description=description,
            level=level,
            registered_by=actor,
        )
        incident.number = f"SJ{today:%Y}{incident.pk:07d}"
        incident.save(update_fields=["number"])
        IncidentEvent.objects.create(
            incident=incident,
            actor=actor,
            kind="registered",
            to_status=incident.status,
            details=details or {},
        )
    return incident


def incident_dispatch(
    *, actor, incident, version=None, unit_kind: str, department=None, reason: str = ""
) -> Incident:
    """Send the incident to a unit: the one the county's matters list proposes, or another
    with a reason. A department must be of the incident's county. The unit signs in within one
    working day and closes within the list's working days."""
    if unit_kind not in UnitKind.values:
        raise ValidationError(_("Choose the handling unit."))
    if unit_kind == UnitKind.DEPARTMENT:
        if department is None:
            raise ValidationError(_("Choose the department."))
        if not covers(county_of(incident), department.area):
            raise ValidationError(_("This department is not of the incident's county."))
    else:
        department = None
    proposed_kind, proposed_department, days = proposed_unit(incident)
    differs = unit_kind != proposed_kind or (
        unit_kind == UnitKind.DEPARTMENT
        and (proposed_department is None or department.pk != proposed_department.pk)
    )
    reason = (reason or "").strip()
    if differs and not reason:
        raise ValidationError(
            _("Say why the incident goes to another unit than the matters list proposes.")
        )

    def change(locked):
        today = timezone.localdate()
        locked.unit_kind = unit_kind
        locked.department = department
        locked.dispatched_on = today
        locked.sign_in_due = add_working_days(today, SIGN_IN_WORKING_DAYS)
        locked.close_due = add_working_days(today, days)
        locked.signed_in_on = None
        notify(
            recipients=unit_people(locked),
            kind="incident_dispatched",
            text=_("Incident %(number)s was sent to you.") % {"number": locked.number},
            url=_url(locked),
            exclude=actor,
        )
        return {
            "unit": locked.unit_label(),
            "department": department.pk if department else None,
            "proposed": not differs,
            "sign_in_due": locked.sign_in_due.isoformat(),
            "close_due": locked.close_due.isoformat(),
        }

    return _act(
        actor=actor,
        incident=incident,
        version=version,
        action="dispatch",
        change=change,
        note=reason,
    )


def incident_sign_in(*, actor, incident, version=None) -> Incident:
    """The unit signs for the incident; whoever dispatched it, and the worker who reported
    it, are told."""

    def change(locked):
        locked.signed_in_on = timezone.localdate()
        unit = locked.unit_label()
        notify(
            recipients=[*dispatchers(locked), locked.reporter],
            kind="incident_signed_in",
            text=_("Incident %(number)s was signed for by %(unit)s.")
            % {"number": locked.number, "unit": unit},
            url=_url(locked),
            exclude=actor,
        )
        return {"unit": unit}

    return _act(actor=actor, incident=incident, version=version, action="sign_in", change=change)


def incident_return(*, actor, incident, version=None, reason: str) -> Incident:
    """The unit says it is not theirs, before its sign-in clock ran out; the incident goes back
    to the dispatcher, to be sent again."""
    reason = _required(reason, _("Give the reason."))

    def change(locked):
        unit = locked.unit_label()
        locked.unit_kind = ""
        locked.department = None
        notify(
            recipients=dispatchers(locked),
            kind="incident_returned",
            text=_("Incident %(number)s was returned: %(reason)s")
            % {"number": locked.number, "reason": reason[:100]},
            url=_url(locked),
            exclude=actor,
        )
        return {"unit": unit}

    return _act(
        actor=actor,
        incident=incident,
        version=version,
        action="return",
        change=change,
        note=reason,
    )


def incident_handle(
    *, actor, incident, version=None, what_was_done: str, photos: list[ProcessedPhoto] = ()
) -> Incident:
    """The unit records what it did, with up to six photos (checked and re-encoded by
    `grids.photos`), and the worker who checks it is told."""
    what_was_done = _required(what_was_done, _("Say what was done."))
    photos = _check_photo_count(photos)

    def change(locked):
        locked.what_was_done = what_was_done
        notify(
            recipients=checkers(locked),
            kind="incident_handled",
            text=_("Incident %(number)s was handled: check it on the spot.")
            % {"number": locked.number},
            url=_url(locked),
            exclude=actor,
        )
        return {"photos": len(photos)} if photos else None

    return _act_with_photos(
        photos=photos,
        actor=actor,
        incident=incident,
        version=version,
        action="handle",
        change=change,
        note=what_was_done,
    )


def incident_check(
    *,
    actor,
    incident,
    version=None,
    passed: bool,
    reason: str = "",
    photos: list[ProcessedPhoto] = (),
    client_key=None,
) -> Incident:
    """The grid worker checks the handling on the spot: passed closes the incident (whoever
    dispatched it and the unit are told); failed sends it back to the unit to be done again,
    counted, with the reason and a photo of what is still wrong.

    `client_key`, made by the phone before its first try, records the check once: a retry
    with the same key (the network dropped before the answer came) changes nothing."""
    return incident_check_once(
        actor=actor,
        incident=incident,
        version=version,
        passed=passed,
        reason=reason,
        photos=photos,
        client_key=client_key,
    )[0]


def incident_check_once(
    *,
    actor,
    incident,
    version=None,
    passed: bool,
    reason: str = "",
    photos: list[ProcessedPhoto] = (),
    client_key=None,
) -> tuple[Incident, bool]:
    """`incident_check`, and whether it was recorded now (False: a check with this
    `client_key` was recorded before, and nothing was written)."""
    reason = (reason or "").strip()
    if not passed and not reason:
        raise ValidationError(_("Say what is still wrong."))
    photos = _check_photo_count(photos)

    def change(locked):
        if passed:
            locked.status = IncidentStatus.CLOSED
            locked.closed_on = timezone.localdate()
            notify(
                recipients=[*dispatchers(locked), *unit_people(locked)],
                kind="incident_closed",
                text=_("Incident %(number)s passed the check and is closed.")
                % {"number": locked.number},
                url=_url(locked),
                exclude=actor,
            )
            details = {"passed": True}
        else:
            if not photos:
                raise ValidationError(
                    _("Take a photo of what is still wrong."), code="no_check_photo"
                )
            locked.status = IncidentStatus.SIGNED_IN
            locked.rework_count += 1
            notify(
                recipients=unit_people(locked),
                kind="incident_rework",
                text=_("Incident %(number)s failed the check: do it again.")
                % {"number": locked.number},
                url=_url(locked),
                exclude=actor,
            )
            details = {"passed": False, "rework": locked.rework_count}
        if photos:
            details["photos"] = len(photos)
        return details

    try:
        with transaction.atomic():
            if client_key is not None:
                # The incident's row is the lock: a retry waits for the try it repeats.
                Incident.objects.select_for_update().filter(pk=incident.pk).first()
                repeated = _repeated_check(actor=actor, incident=incident, client_key=client_key)
                if repeated is not None:
                    return repeated, False
            locked = _act_with_photos(
                photos=photos,
                actor=actor,
                incident=incident,
                version=version,
                action="check",
                change=change,
                note=reason,
                event_kind="check_passed" if passed else "check_failed",
                event_fields=lambda before, locked: {"client_key": client_key},
            )
    except IntegrityError:
        # The same key arrived twice at the same moment: the other request recorded it.
        repeated = client_key and _repeated_check(
            actor=actor, incident=incident, client_key=client_key
        )
        if not repeated:
            raise
        return repeated, False
    return locked, True


def _repeated_check(*, actor, incident, client_key) -> Incident | None:
    """The incident as it stands, if a check with `client_key` was recorded already."""
    earlier = IncidentEvent.objects.filter(client_key=client_key).first()
    if earlier is None:
        return None
    if earlier.incident_id != incident.pk or earlier.actor_id != actor.pk:
        raise ValidationError(_("This submission key was already used."), code="key_reused")
    incident.refresh_from_db()
    return incident


def _rule_value(unit_kind, department, working_days) -> dict:
    """A matters-list line as its audit entry shows it."""
    return {
        "unit_kind": unit_kind,
        "department": department.name if department else None,
        "department_id": department.pk if department else None,
        "working_days": working_days,
    }


def matter_rules_set(*, actor, county, rules: dict) -> int:
    """Set `county`'s matters list (事项清单): `rules` maps a category of incident to None (no
    line: the default applies, the village in five working days) or to a dict with
    `unit_kind`, `department` (a Department or its id; needed for, and kept only with, the
    department kind) and `working_days` (None: the default). `actor` must administer the
    county (at it or above). All or nothing: one bad line and nothing is written. Each line
    changed is audited with its old and new value. Returns how many lines changed; the next
    dispatch proposes from them."""
    require_county_administrator(actor=actor, county=county)
    low, high = MATTER_WORKING_DAYS_BOUNDS
    departments = {d.pk: d for d in departments_of_county(county)}
    clean, problems = {}, []
    for category, line in rules.items():
        if category not in INCIDENT_CATEGORIES:
            problems.append(_("Unknown category of incident."))
            continue
        label = FindingCategory(category).label
        if not line:
            clean[category] = None
            continue
        unit_kind = line.get("unit_kind") or ""
        department = line.get("department")
        working_days = line.get("working_days")
        if not unit_kind and department in (None, "") and working_days is None:
            clean[category] = None
            continue
        unit_kind = unit_kind or UnitKind.VILLAGE
        if unit_kind not in UnitKind.values:
            problems.append(_("%(label)s: unknown handling unit.") % {"label": label})
            continue
        if isinstance(department, Department):
            department = department.pk
        if department not in (None, ""):
            department = departments.get(department) if isinstance(department, int) else None
            if department is None:
                problems.append(
                    _("%(label)s: the department is not one of this county's.") % {"label": label}
                )
                continue
        else:
            department = None
        if unit_kind == UnitKind.DEPARTMENT and department is None:
            problems.append(
                _("%(label)s: choose the department that handles it.") % {"label": label}
            )
            continue
        if unit_kind != UnitKind.DEPARTMENT:
            department = None
        if working_days is None:
            working_days = DEFAULT_WORKING_DAYS
        try:
            working_days = whole_number(
                working_days, low=low, high=high, label=f"{label} · {_('Working days')}"
            )
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        clean[category] = (unit_kind, department, working_days)
    if problems:
        raise ValidationError(problems, code="invalid_matter_rule")
    changed = 0
    with transaction.atomic():
        # The county's row is the lock: two saves of one list run one after the other.
        type(county).objects.select_for_update().filter(pk=county.pk).first()
        current = {
            rule.category: rule
            for rule in MatterRule.objects.select_for_update(of=("self",))
            .filter(county=county)
            .select_related("department")
        }
        for category, value in clean.items():
            rule = current.get(category)
            old = _rule_value(rule.unit_kind, rule.department, rule.working_days) if rule else None
            new = _rule_value(*value) if value else None
            if old == new:
                continue
            if value is None:
                rule.delete()
            elif rule is not None:
                rule.unit_kind, rule.department, rule.working_days = value
                rule.save(update_fields=["unit_kind", "department", "working_days"])
            else:
                unit_kind, department, working_days = value
                MatterRule.objects.create(
                    county=county,
                    category=category,
                    unit_kind=unit_kind,
                    department=department,
                    working_days=working_days,
                )
            audit_setting_change(
                actor=actor,
                area=county,
                setting="matter_rule",
                key=f"{county.code}/{category}",
                old=old,
                new=new,
                default=_rule_value(UnitKind.VILLAGE, None, DEFAULT_WORKING_DAYS),
            )
            changed += 1
    return changed
