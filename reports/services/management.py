"""The library's management registers: the compliance settings, the equipment register and its
condition checks, the safety inspections and incidents, and the staff (posts, target breakdown,
study sessions, training, papers, evaluations). Every write is here; nothing is deleted (an item
is retired, a staff member leaves)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import ComplianceRefused, ManagementRefused
from ..models import (
    ComplianceSettings,
    EquipmentCheck,
    EquipmentItem,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    SafetyIncident,
    SafetyInspection,
    StaffMember,
    StaffPaper,
    StudySession,
    TargetAssignment,
    Training,
)
from ..policies import CLC_GROUPS, STANDARD_FIGURES

# --- compliance settings -------------------------------------------------------------------------


def _decimal(text, *, label) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError) as error:
        raise ComplianceRefused(
            _("%(label)s: “%(text)s” is not a number.") % {"label": label, "text": text}
        ) from error
    if not value.is_finite() or value < 0 or value > 100000:
        raise ComplianceRefused(_("%(label)s: write a number from 0 to 100,000.") % {"label": label})
    return value


@transaction.atomic
def compliance_settings_save(
    *, user, school_type: str, standards: dict, shares: dict, tolerance
) -> ComplianceSettings:
    """The school's type, the standards per type (blank: not set) and the proportion table,
    whose shares must add up to 100."""
    if school_type not in ComplianceSettings.SchoolType.values:
        raise ComplianceRefused(_("Choose the type of school from the list."))
    cleaned_standards: dict = {}
    for kind, figures in standards.items():
        if kind not in ComplianceSettings.SchoolType.values:
            raise ComplianceRefused(_("“%(kind)s” is not a type of school.") % {"kind": kind})
        for name, value in figures.items():
            if name not in dict(STANDARD_FIGURES):
                raise ComplianceRefused(_("“%(name)s” is not a standard.") % {"name": name})
            if value in (None, ""):
                continue
            cleaned_standards.setdefault(kind, {})[name] = str(
                _decimal(value, label=str(dict(STANDARD_FIGURES)[name]))
            )
    rows, total = [], Decimal(0)
    for code, letters, label in CLC_GROUPS:
        if shares.get(code) in (None, ""):
            raise ComplianceRefused(
                _("Give the share of every class, %(label)s included.") % {"label": label}
            )
        share = _decimal(shares[code], label=str(label))
        if share > 100:
            raise ComplianceRefused(_("A share is at most 100%."))
        total += share
        rows.append({"code": code, "letters": letters, "share": str(share)})
    if total != 100:
        raise ComplianceRefused(
            _("The shares of the proportion table add up to %(total)s%%, not 100%%: correct them.")
            % {"total": f"{total:g}"}
        )
    tolerance = _decimal(tolerance, label=_("tolerance"))
    if tolerance > 50:
        raise ComplianceRefused(_("The tolerance is at most 50 percentage points."))
    settings = ComplianceSettings.objects.select_for_update().order_by("pk").first() or ComplianceSettings()
    settings.school_type, settings.standards, settings.clc_shares = school_type, cleaned_standards, rows
    settings.clc_tolerance, settings.updated_by, settings.updated_at = tolerance, user, timezone.now()
    settings.save()
    return settings


# --- equipment -----------------------------------------------------------------------------------


def _not_future(day: datetime.date, label: str) -> None:
    if day > timezone.localdate():
        raise ManagementRefused(_("%(label)s is in the future: give the day it happened.") % {"label": label})


@transaction.atomic
def equipment_add(
    *, user, room, kind: str, name: str, quantity: int, asset_number: str = "", added_on: datetime.date
) -> EquipmentItem:
    from catalog.models import Location

    if room.kind == Location.Kind.CLASS_CORNER:
        raise ManagementRefused(_("Equipment is registered to a room of the library."))
    _not_future(added_on, _("The day it came into service"))
    return EquipmentItem.objects.create(
        room=room,
        kind=kind,
        name=name.strip(),
        quantity=quantity,
        asset_number=asset_number.strip(),
        added_on=added_on,
        added_by=user,
    )


@transaction.atomic
def equipment_check_record(
    *, user, item: EquipmentItem, checked_on: datetime.date, condition: str, notes: str = ""
) -> EquipmentCheck:
    item = EquipmentItem.objects.select_for_update().get(pk=item.pk)
    if item.retired_on is not None:
        raise ManagementRefused(
            _("This item was retired on %(day)s: it is not checked any more.") % {"day": item.retired_on}
        )
    _not_future(checked_on, _("The day of the check"))
    if checked_on < item.added_on:
        raise ManagementRefused(_("The check is before the item came into service."))
    return EquipmentCheck.objects.create(
        item=item, checked_on=checked_on, condition=condition, notes=notes.strip(), checked_by=user
    )


@transaction.atomic
def equipment_retire(*, user, item: EquipmentItem, retired_on: datetime.date, reason: str) -> EquipmentItem:
    item = EquipmentItem.objects.select_for_update().get(pk=item.pk)
    if item.retired_on is not None:
        raise ManagementRefused(_("This item is already retired."))
    if not reason.strip():
        raise ManagementRefused(_("Say why the item is retired."))
    _not_future(retired_on, _("The day it was retired"))
    item.retired_on, item.retired_by, item.retire_reason = retired_on, user, reason.strip()[:200]
    item.save(update_fields=["retired_on", "retired_by", "retire_reason"])
    return item


# --- safety --------------------------------------------------------------------------------------


@transaction.atomic
def safety_inspection_record(
    *, user, room, inspected_on: datetime.date, checklist: list[dict], notes: str = ""
) -> SafetyInspection:
    if not checklist:
        raise ManagementRefused(
            _("An inspection goes through the checklist: tick the points that were in order.")
        )
    _not_future(inspected_on, _("The day of the inspection"))
    passed = all(point["ok"] for point in checklist)
    return SafetyInspection.objects.create(
        room=room,
        inspected_on=inspected_on,
        checklist=checklist,
        passed=passed,
        notes=notes.strip(),
        inspected_by=user,
    )


@transaction.atomic
def safety_incident_record(
    *, user, room, occurred_on: datetime.date, what: str, measures: str
) -> SafetyIncident:
    if not what.strip() or not measures.strip():
        raise ManagementRefused(_("Say what happened and the measures taken."))
    _not_future(occurred_on, _("The day of the incident"))
    return SafetyIncident.objects.create(
        room=room, occurred_on=occurred_on, what=what.strip(), measures=measures.strip(), recorded_by=user
    )


# --- staff ---------------------------------------------------------------------------------------


@transaction.atomic
def staff_member_save(
    *, user, post: str, duties: str, joined_on: datetime.date, member: StaffMember | None = None, account=None
) -> StaffMember:
    if member is None:
        try:
            with transaction.atomic():
                return StaffMember.objects.create(
                    user=account, post=post.strip(), duties=duties, joined_on=joined_on
                )
        except IntegrityError as error:
            raise ManagementRefused(_("This account is already on the staff list.")) from error
    member.post, member.duties, member.joined_on = post.strip(), duties, joined_on
    member.save(update_fields=["post", "duties", "joined_on"])
    return member


@transaction.atomic
def target_assign(*, target, staff: StaffMember, task: str) -> TargetAssignment:
    if not target.plan.is_editable:
        raise ManagementRefused(_("The plan is no longer a draft: its breakdown is fixed."))
    assignment, _created = TargetAssignment.objects.update_or_create(
        target=target, staff=staff, defaults={"task": task.strip()[:300]}
    )
    return assignment


@transaction.atomic
def study_session_record(*, user, held_on: datetime.date, topic: str, notes: str, attendees) -> StudySession:
    _not_future(held_on, _("The day of the session"))
    if not topic.strip():
        raise ManagementRefused(_("Give the session's topic."))
    session = StudySession.objects.create(held_on=held_on, topic=topic.strip(), notes=notes, recorded_by=user)
    session.attendees.set(attendees)
    return session


@transaction.atomic
def training_record(*, user, staff: StaffMember, held_on: datetime.date, topic: str, hours) -> Training:
    _not_future(held_on, _("The day of the training"))
    return Training.objects.create(
        staff=staff, held_on=held_on, topic=topic.strip(), hours=hours, recorded_by=user
    )


# The files a paper may be: (extension, the bytes it starts with).
PAPER_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
PAPER_MAX_BYTES = 20 * 1024 * 1024


def paper_file_check(upload) -> None:
    """A paper's file is a PDF or a Word file, and is what its name says."""
    import os

    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in PAPER_SIGNATURES:
        raise ManagementRefused(_("Upload the paper as a PDF or a Word file (.pdf, .docx, .doc)."))
    if upload.size > PAPER_MAX_BYTES:
        raise ManagementRefused(_("The file is larger than 20 MB."))
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in PAPER_SIGNATURES[extension]):
        raise ManagementRefused(
            _("The file is called %(name)s but is not a %(extension)s file: upload the document itself.")
            % {"name": os.path.basename(upload.name), "extension": extension}
        )
    if extension == ".docx":
        import zipfile

        from library_site.documents.archives import archive_check
        from library_site.documents.exceptions import DocumentError

        try:
            archive_check(upload)
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                if "word/document.xml" not in archive.namelist():
                    raise ManagementRefused(_("The file is not a Word document."))
        except (zipfile.BadZipFile, DocumentError) as error:
            raise ManagementRefused(_("The file is not a Word document.")) from error
        finally:
            upload.seek(0)


@transaction.atomic
def staff_paper_record(
    *, user, staff: StaffMember, kind: str, title: str, written_on: datetime.date, published_in: str, upload
) -> StaffPaper:
    _not_future(written_on, _("The paper's date"))
    paper_file_check(upload)
    return StaffPaper.objects.create(
        staff=staff,
        kind=kind,
        title=title.strip(),
        written_on=written_on,
        published_in=published_in.strip(),
        file=upload,
        recorded_by=user,
    )


@transaction.atomic
def evaluation_save(*, user, staff: StaffMember, term, points: dict[int, int], comment: str) -> Evaluation:
    """A staff member's evaluation for a term: a score for every criterion in use, each within
    its points. Saving again replaces the scores and records who changed them."""
    if term.starts_on > timezone.localdate():
        raise ManagementRefused(
            _("%(term)s has not begun: a term is evaluated once it is under way or over.")
            % {"term": term.name}
        )
    criteria = {criterion.pk: criterion for criterion in EvaluationCriterion.objects.filter(is_active=True)}
    if not criteria:
        raise ManagementRefused(_("Set the evaluation's criteria first."))
    for pk, criterion in criteria.items():
        if pk not in points:
            raise ManagementRefused(_("Give a score for “%(name)s”.") % {"name": criterion.name})
        if not 0 <= points[pk] <= criterion.max_points:
            raise ManagementRefused(
                _("“%(name)s” scores from 0 to %(max)s.")
                % {"name": criterion.name, "max": criterion.max_points}
            )
    evaluation, _created = Evaluation.objects.update_or_create(
        staff=staff,
        term=term,
        defaults={"comment": comment, "evaluated_by": user, "evaluated_at": timezone.now()},
    )
    for pk, criterion in criteria.items():
        EvaluationScore.objects.update_or_create(
            evaluation=evaluation, criterion=criterion, defaults={"points": points[pk]}
        )
    return evaluation
