"""Class book corners (issue 18): every write. A copy's status and location change only through
catalog's services (``copies_set_status_bulk``, ``copies_relocate_bulk``), checked against
COPY_STATES; the corner's own lines move through CORNER_LOAN_STATES. Every step takes all its
copies or none: a refusal says which barcode is wrong and why, and nothing is changed."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.exceptions import CatalogError
from catalog.models import Copy, Location
from catalog.services.acquisitions import donation_receive
from catalog.services.copies import copies_relocate_bulk, copies_set_status_bulk
from catalog.services.locations import class_corner_location_get_or_create
from circulation.models import Reader, SchoolClass
from circulation.scans import scan_normalise
from library_site.accounts.models import User
from library_site.accounts.roles import Capability
from library_site.school import class_name

from ..exceptions import CornerRefused
from ..models import (
    ClassCorner,
    CornerBatch,
    CornerDonation,
    CornerLending,
    CornerLoan,
    CornerRotation,
    CornerRotationPlan,
    CornerStocktake,
)
from ..states import CORNER_DONATION_STATES, CORNER_LOAN_STATES

MAX_BATCH = 500
_SEPARATORS = re.compile(r"[\s,，;；、]+")


def _require_manager(user: User | None) -> None:
    if user is None or not user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        raise CornerRefused(_("Only the library's staff manage the class book corners."))


def barcodes_parse(text: str | Iterable[str]) -> list[str]:
    """The barcodes of a scan list (one a line, or separated by spaces or commas), cleaned as
    the desk cleans a scan, each once, in the order scanned."""
    parts = _SEPARATORS.split(text) if isinstance(text, str) else list(text)
    seen: dict[str, None] = {}
    for part in parts:
        code = scan_normalise(part)
        if code:
            seen.setdefault(code, None)
    barcodes = list(seen)
    if len(barcodes) > MAX_BATCH:
        raise CornerRefused(_("Scan at most %(limit)s copies at a time.") % {"limit": MAX_BATCH})
    return barcodes


def corner_name(school_class: SchoolClass) -> str:
    """The corner's location name, the same in every language (a location is data)."""
    with translation.override("zh-hans"):
        return class_name(school_class.grade, school_class.number) + "图书角"


@transaction.atomic
def corner_for_class(*, school_class: SchoolClass, user: User | None) -> ClassCorner:
    """The class's corner, set up (with its catalog location) the first time."""
    corner = ClassCorner.objects.filter(school_class=school_class).select_related("location").first()
    if corner is not None:
        return corner
    _require_manager(user)
    if not school_class.is_active:
        raise CornerRefused(_("This class has graduated: it has no book corner any more."))
    location = class_corner_location_get_or_create(name=corner_name(school_class))
    return ClassCorner.objects.create(school_class=school_class, location=location)


@transaction.atomic
def corner_keeper_set(*, corner: ClassCorner, keeper: Reader | None, user: User) -> ClassCorner:
    """Name the class's pupil librarian (or nobody)."""
    _require_manager(user)
    if keeper is not None and keeper.school_class_id != corner.school_class_id:
        raise CornerRefused(_("The pupil librarian must be a pupil of this class."))
    corner.keeper = keeper
    corner.save(update_fields=["keeper"])
    return corner


def _copies_for(barcodes: Sequence[str]) -> dict[str, Copy]:
    found = {
        copy.barcode: copy for copy in Copy.objects.filter(barcode__in=barcodes).select_related("record")
    }
    unknown = [code for code in barcodes if code not in found]
    if unknown:
        raise CornerRefused(
            _("No copy has the barcode %(codes)s: nothing was changed.") % {"codes": "、".join(unknown)}
        )
    return found


def _batch(corner: ClassCorner, kind: str, user: User | None, **fields) -> CornerBatch:
    return CornerBatch.objects.create(corner=corner, kind=kind, created_by=user, **fields)


@transaction.atomic
def corner_lend(*, corner: ClassCorner, barcodes: Sequence[str], user: User) -> CornerBatch:
    """Lend a batch of copies to the corner in one step: each copy must be on the library's
    shelves (not on loan, not in another corner); it then stands in the corner's location with
    the class responsible for it."""
    _require_manager(user)
    barcodes = barcodes_parse(barcodes)
    if not barcodes:
        raise CornerRefused(_("Scan the copies to lend to the corner."))
    if not corner.school_class.is_active:
        raise CornerRefused(_("This class has graduated: it has no book corner any more."))
    copies = _copies_for(barcodes)
    elsewhere = {
        line.copy_id: line
        for line in CornerLoan.objects.filter(
            copy__in=copies.values(), state=CornerLoan.State.IN_CORNER
        ).select_related("corner__school_class")
    }
    for code in barcodes:
        copy = copies[code]
        line = elsewhere.get(copy.pk)
        if line is not None:
            if line.corner_id == corner.pk:
                raise CornerRefused(
                    _("Copy %(barcode)s is already in this corner: nothing was changed.") % {"barcode": code}
                )
            raise CornerRefused(
                _("Copy %(barcode)s is in the corner of %(class)s: nothing was changed.")
                % {"barcode": code, "class": line.corner.school_class.name}
            )
        if copy.status != Copy.Status.AVAILABLE:
            raise CornerRefused(
                _("Copy %(barcode)s is “%(status)s”, not on the shelf: nothing was changed.")
                % {"barcode": code, "status": Copy.Status(copy.status).label}
            )
    batch = _batch(corner, CornerBatch.Kind.LEND, user, copies_count=len(barcodes))
    homes = {copy.pk: copy.location_id for copy in copies.values()}
    try:
        copies_set_status_bulk(
            copies=list(copies.values()),
            to_status=Copy.Status.IN_CLASS_CORNER,
            user=user,
            reason=_("Lent to %(corner)s") % {"corner": corner.location.name},
            location=corner.location,
        )
        with transaction.atomic():
            CornerLoan.objects.bulk_create(
                CornerLoan(corner=corner, copy_id=pk, home_location_id=home, opened_by_batch=batch)
                for pk, home in homes.items()
            )
    except CatalogError as error:
        raise CornerRefused(str(error.message)) from error
    except IntegrityError as error:  # lent to another corner at the same moment
        raise CornerRefused(_("A copy was lent to another corner just now: scan the list again.")) from error
    return batch


def _open_lines(corner_ids: Sequence[int], *, lock: bool = True):
    lines = CornerLoan.objects.filter(corner_id__in=corner_ids, state=CornerLoan.State.IN_CORNER).order_by(
        "pk"
    )
    if lock:
        lines = lines.select_for_update(of=("self",))
    return list(lines.select_related("copy"))


def _lines_close(lines: Sequence[CornerLoan], *, to_state: str, batch: CornerBatch, now) -> None:
    CORNER_LOAN_STATES.check_all([line.state for line in lines], to_state)
    CornerLoan.objects.filter(pk__in=[line.pk for line in lines]).update(
        state=to_state, closed_by_batch=batch, closed_at=now
    )
    CornerLending.objects.filter(
        copy_id__in=[line.copy_id for line in lines], returned_on__isnull=True
    ).update(returned_on=timezone.localdate())


@transaction.atomic
def corner_return(*, corner: ClassCorner, barcodes: Sequence[str], user: User) -> CornerBatch:
    """Give the corner's books back to the library in one step: the copies scanned go back to
    where they stood, the corner's copies not scanned are listed as missing (declared lost,
    the class responsible). A barcode that is not in this corner refuses the whole return."""
    _require_manager(user)
    barcodes = barcodes_parse(barcodes)
    lines = _open_lines([corner.pk])
    by_code = {line.copy.barcode: line for line in lines}
    strangers = [code for code in barcodes if code not in by_code]
    if strangers:
        raise CornerRefused(
            _("Copy %(codes)s is not in this corner: nothing was changed.") % {"codes": "、".join(strangers)}
        )
    if not lines:
        raise CornerRefused(_("This corner has no library books to give back."))
    scanned = set(barcodes)
    back = [line for line in lines if line.copy.barcode in scanned]
    missing = [line for line in lines if line.copy.barcode not in scanned]
    now = timezone.now()
    batch = _batch(corner, CornerBatch.Kind.RETURN, user, copies_count=len(back), missing_count=len(missing))
    by_home: dict[int, list[Copy]] = defaultdict(list)
    for line in back:
        by_home[line.home_location_id].append(line.copy)
    reason = _("Back from %(corner)s") % {"corner": corner.location.name}
    for home_id, copies in sorted(by_home.items()):
        copies_set_status_bulk(
            copies=copies,
            to_status=Copy.Status.AVAILABLE,
            user=user,
            reason=reason,
            location=Location(pk=home_id),
        )
    if missing:
        copies_set_status_bulk(
            copies=[line.copy for line in missing],
            to_status=Copy.Status.LOST,
            user=user,
            reason=_("Missing from %(corner)s") % {"corner": corner.location.name},
        )
    _lines_close(back, to_state=CornerLoan.State.RETURNED, batch=batch, now=now)
    _lines_close(missing, to_state=CornerLoan.State.LOST, batch=batch, now=now)
    return batch


# --- rotation between parallel classes -------------------------------------------------------


@transaction.atomic
def rotation_plan_create(
    *, classes: Sequence[SchoolClass], every_weeks: int, starts_on, user: User
) -> CornerRotationPlan:
    """A grade's rotation plan over its parallel classes, in the order of their numbers."""
    _require_manager(user)
    classes = sorted(classes, key=lambda school_class: (school_class.number, school_class.pk))
    if len(classes) < 2:
        raise CornerRefused(_("A rotation needs at least two parallel classes."))
    grades = {school_class.grade for school_class in classes}
    if len(grades) != 1:
        raise CornerRefused(_("A rotation is between parallel classes: choose classes of one grade."))
    if not all(school_class.is_active for school_class in classes):
        raise CornerRefused(_("A graduated class cannot take part in a rotation."))
    if not 1 <= int(every_weeks) <= 52:
        raise CornerRefused(_("Rotate every 1 to 52 weeks."))
    if starts_on is None:
        raise CornerRefused(_("Give the day of the first rotation."))
    plan = CornerRotationPlan.objects.create(
        grade=grades.pop(), every_weeks=every_weeks, starts_on=starts_on, created_by=user
    )
    plan.classes.set(classes)
    return plan


def rotation_next_on(plan: CornerRotationPlan, *, done: int):
    """The day the next rotation is due, after ``done`` rotations."""
    return plan.starts_on + timedelta(weeks=plan.every_weeks * done)


@transaction.atomic
def rotation_carry_out(
    *, plan: CornerRotationPlan, missing: Sequence[str] = (), user: User
) -> CornerRotation:
    """Carry out the plan's rotation in one action: each class's corner books go to the next
    parallel class (the last class's to the first). The copies named ``missing`` (not found
    when the books were gathered) stay with the class that lost them, marked missing, and are
    listed on the rotation. A number of queries that grows with the classes, not the books."""
    _require_manager(user)
    if not plan.is_active:
        raise CornerRefused(_("This rotation plan is no longer in use."))
    plan = CornerRotationPlan.objects.select_for_update().get(pk=plan.pk)
    classes = list(plan.classes.order_by("number", "pk"))
    if len({school_class.grade for school_class in classes}) != 1:
        raise CornerRefused(_("A rotation is between parallel classes: choose classes of one grade."))
    if not all(school_class.is_active for school_class in classes):
        raise CornerRefused(_("A graduated class cannot take part in a rotation."))
    corners = {
        corner.school_class_id: corner
        for corner in ClassCorner.objects.filter(school_class__in=classes).select_related("location")
    }
    for school_class in classes:
        if school_class.pk not in corners:
            school_class_corner = corner_for_class(school_class=school_class, user=user)
            corners[school_class.pk] = school_class_corner
    order = [corners[school_class.pk] for school_class in classes]
    lines = _open_lines([corner.pk for corner in order])
    missing_codes = barcodes_parse(missing)
    by_code = {line.copy.barcode: line for line in lines}
    strangers = [code for code in missing_codes if code not in by_code]
    if strangers:
        raise CornerRefused(
            _("Copy %(codes)s is not in a corner of this rotation: nothing was changed.")
            % {"codes": "、".join(strangers)}
        )
    missing_ids = {by_code[code].pk for code in missing_codes}
    now = timezone.now()
    today = timezone.localdate()
    rotation = CornerRotation.objects.create(plan=plan, carried_out_by=user)
    batches = CornerBatch.objects.bulk_create(
        CornerBatch(
            corner=corner, kind=CornerBatch.Kind.ROTATION, rotation=rotation, created_by=user, created_at=now
        )
        for corner in order
    )
    per_corner: dict[int, list[CornerLoan]] = defaultdict(list)
    for line in lines:
        per_corner[line.corner_id].append(line)
    new_lines: list[CornerLoan] = []
    moved_total = missing_total = 0
    for index, corner in enumerate(order):
        target = order[(index + 1) % len(order)]
        target_batch = batches[(index + 1) % len(order)]
        source_batch = batches[index]
        stays = [line for line in per_corner[corner.pk] if line.pk in missing_ids or line.missing_since]
        moving = [
            line for line in per_corner[corner.pk] if not (line.pk in missing_ids or line.missing_since)
        ]
        missing_total += len([line for line in stays if line.pk in missing_ids])
        source_batch.missing_count = len([line for line in stays if line.pk in missing_ids])
        target_batch.copies_count = len(moving)
        if not moving:
            continue
        try:
            copies_relocate_bulk(
                copies=[line.copy for line in moving],
                location=target.location,
                statuses=[Copy.Status.IN_CLASS_CORNER],
            )
        except CatalogError as error:
            raise CornerRefused(str(error.message)) from error
        CORNER_LOAN_STATES.check(CornerLoan.State.IN_CORNER, CornerLoan.State.ROTATED)
        CornerLoan.objects.filter(pk__in=[line.pk for line in moving]).update(
            state=CornerLoan.State.ROTATED, closed_by_batch=target_batch, closed_at=now
        )
        new_lines += [
            CornerLoan(
                corner=target,
                copy_id=line.copy_id,
                home_location_id=line.home_location_id,
                opened_by_batch=target_batch,
                opened_at=now,
            )
            for line in moving
        ]
        moved_total += len(moving)
    CornerLoan.objects.bulk_create(new_lines, batch_size=2000)
    CornerLending.objects.filter(
        copy_id__in=[line.copy_id for line in new_lines], returned_on__isnull=True
    ).update(returned_on=today)
    if missing_ids:
        CornerLoan.objects.filter(pk__in=missing_ids).update(missing_since=today)
    CornerBatch.objects.bulk_update(batches, ["copies_count", "missing_count"])
    rotation.moved_count, rotation.missing_count = moved_total, missing_total
    rotation.save(update_fields=["moved_count", "missing_count"])
    return rotation


# --- donations into corners -----------------------------------------------------------------


@transaction.atomic
def corner_donation_record(
    *, corner: ClassCorner, donor: Reader, lines: Sequence[dict], user: User, token: str = ""
) -> CornerDonation:
    """A pupil's donated books for the class's corner, recorded through catalog's donation
    service with the donor and class; the copies await the library's content review."""
    _require_manager(user)
    if donor.school_class_id != corner.school_class_id:
        raise CornerRefused(_("The donor must be a pupil of this class."))
    home = Location.objects.filter(kind=Location.Kind.STACKS, is_active=True).first()
    if home is None:
        raise CornerRefused(_("The library has no stacks to keep donated books in while they are reviewed."))
    try:
        delivery = donation_receive(
            donor=donor.name,
            donor_class=corner.school_class.name,
            lines=lines,
            location=home,
            token=token,
            user=user,
            awaiting_review=True,
        )
    except CatalogError as error:
        raise CornerRefused(str(error.message)) from error
    donation, _created = CornerDonation.objects.get_or_create(
        delivery=delivery, defaults={"corner": corner, "donor": donor, "recorded_by": user}
    )
    return donation


@transaction.atomic
def corner_donation_review(
    *, donation: CornerDonation, decision: str, note: str = "", user: User
) -> CornerDonation:
    """The content review of a donation: placed in the class's corner, in the library, or
    refused (its copies withdrawn, never deleted)."""
    _require_manager(user)
    donation = (
        CornerDonation.objects.select_for_update().select_related("corner__location").get(pk=donation.pk)
    )
    if decision not in (
        CornerDonation.State.IN_CORNER,
        CornerDonation.State.IN_LIBRARY,
        CornerDonation.State.REFUSED,
    ):
        raise CornerRefused(_("Choose where the donated books go, or refuse them."))
    note = (note or "").strip()
    if decision == CornerDonation.State.REFUSED and not note:
        raise CornerRefused(_("Say why the donated books are refused."))
    CORNER_DONATION_STATES.check(donation.state, decision)
    copies = list(Copy.objects.filter(delivery_lines__delivery=donation.delivery).distinct())
    target = {
        CornerDonation.State.IN_CORNER: Copy.Status.IN_CLASS_CORNER,
        CornerDonation.State.IN_LIBRARY: Copy.Status.AVAILABLE,
        CornerDonation.State.REFUSED: Copy.Status.WITHDRAWN,
    }[decision]
    corner = donation.corner
    copies_set_status_bulk(
        copies=copies,
        to_status=target,
        user=user,
        reason=note or _("Content review of a donation"),
        location=corner.location if decision == CornerDonation.State.IN_CORNER else None,
    )
    if decision == CornerDonation.State.IN_CORNER:
        batch = _batch(corner, CornerBatch.Kind.DONATION, user, copies_count=len(copies))
        CornerLoan.objects.bulk_create(
            CornerLoan(corner=corner, copy=copy, home_location_id=copy.location_id, opened_by_batch=batch)
            for copy in copies
        )
    donation.state = decision
    donation.review_note = note[:300]
    donation.reviewed_by = user
    donation.reviewed_at = timezone.now()
    donation.save(update_fields=["state", "review_note", "reviewed_by", "reviewed_at"])
    return donation


# --- within the class: the light register and the stocktake ---------------------------------


def corner_may_record(user: User, corner: ClassCorner) -> bool:
    """The librarian, the class's head teacher or its pupil librarian."""
    if user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        return True
    if corner.school_class.head_teacher_id == user.pk:
        return True
    return corner.is_kept_by(user)


@transaction.atomic
def corner_lending_record(*, corner: ClassCorner, barcode: str, reader: Reader, user: User) -> CornerLending:
    """Note that a pupil of the class has one of the corner's books."""
    if not corner_may_record(user, corner):
        raise CornerRefused(
            _("Only the class's head teacher or pupil librarian records its corner's lending.")
        )
    codes = barcodes_parse(barcode)
    if len(codes) != 1:
        raise CornerRefused(_("Scan one copy of the corner."))
    line = (
        CornerLoan.objects.filter(corner=corner, state=CornerLoan.State.IN_CORNER, copy__barcode=codes[0])
        .select_related("copy")
        .first()
    )
    if line is None:
        raise CornerRefused(_("Copy %(barcode)s is not in this corner.") % {"barcode": codes[0]})
    if reader.school_class_id != corner.school_class_id:
        raise CornerRefused(_("Only a pupil of this class can borrow from its corner."))
    if CornerLending.objects.filter(copy=line.copy, returned_on__isnull=True).exists():
        raise CornerRefused(
            _("Copy %(barcode)s is already with a pupil: record its return first.") % {"barcode": codes[0]}
        )
    try:
        with transaction.atomic():
            return CornerLending.objects.create(
                corner=corner, copy=line.copy, reader=reader, recorded_by=user
            )
    except IntegrityError as error:
        raise CornerRefused(
            _("Copy %(barcode)s is already with a pupil: record its return first.") % {"barcode": codes[0]}
        ) from error


@transaction.atomic
def corner_lending_return(*, lending: CornerLending, user: User) -> CornerLending:
    if not corner_may_record(user, lending.corner):
        raise CornerRefused(
            _("Only the class's head teacher or pupil librarian records its corner's lending.")
        )
    if lending.returned_on is not None:
        raise CornerRefused(_("This book was already given back."))
    lending.returned_on = timezone.localdate()
    lending.save(update_fields=["returned_on"])
    return lending


@transaction.atomic
def corner_stocktake(*, corner: ClassCorner, barcodes: Sequence[str], user: User) -> CornerStocktake:
    """Count the corner by scanning: the corner's copies not scanned are marked missing (the
    class responsible), those scanned are found again; scans of other copies are listed."""
    if not corner_may_record(user, corner):
        raise CornerRefused(
            _("Only the library, the head teacher or the pupil librarian stocktakes a corner.")
        )
    barcodes = barcodes_parse(barcodes)
    if not barcodes:
        raise CornerRefused(_("Scan the corner's books to count them."))
    lines = _open_lines([corner.pk])
    by_code = {line.copy.barcode: line for line in lines}
    scanned = set(barcodes)
    missing = [line for line in lines if line.copy.barcode not in scanned]
    found = [line for line in lines if line.copy.barcode in scanned]
    today = timezone.localdate()
    CornerLoan.objects.filter(pk__in=[line.pk for line in missing], missing_since__isnull=True).update(
        missing_since=today
    )
    CornerLoan.objects.filter(pk__in=[line.pk for line in found], missing_since__isnull=False).update(
        missing_since=None
    )
    return CornerStocktake.objects.create(
        corner=corner,
        taken_by=user,
        found_count=len(found),
        missing=sorted(line.copy.barcode for line in missing),
        unexpected=[code for code in barcodes if code not in by_code],
    )
