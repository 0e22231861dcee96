"""The school's structure: classes and their head teachers, the roster import at term start
and the promotion at year end. The roster's resource (circulation/resources.py) reads and
checks the file's rows; ``roster_import`` owns the transaction and applies them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from library_site.accounts.models import User

from ..exceptions import RosterRefused
from ..models import Reader, RosterChange, SchoolClass
from ..policies import top_grade_default
from ..resources import RosterPlan, RosterResource
from ..roster import roster_read
from ..selectors.school import promotion_plan
from ..states import READER_STATES
from .readers import BULK_BATCH, NewReader, readers_create_bulk


@transaction.atomic
def school_class_create(*, grade: int, number: int, head_teacher: User | None = None) -> SchoolClass:
    school_class = SchoolClass(grade=grade, number=number, head_teacher=head_teacher)
    school_class.full_clean()
    school_class.save()
    return school_class


@transaction.atomic
def school_class_update(*, school_class: SchoolClass, head_teacher: User | None) -> SchoolClass:
    school_class.head_teacher = head_teacher
    school_class.save(update_fields=["head_teacher"])
    return school_class


# --- the roster -------------------------------------------------------------------------------


def roster_import(
    *,
    path,
    extension: str,
    name: str = "",
    dry_run: bool,
    user: User | None = None,
    deactivate_missing: bool = False,
) -> RosterPlan:
    """Check a roster file and, unless ``dry_run``, save it: all its rows or none. Returns the
    RosterPlan (its ``errors`` list the refused rows by spreadsheet row number). Raises
    RosterRefused when the file cannot be read at all.

    The resource reads and checks the rows into the plan (``RosterResource.rows_check``: it
    writes nothing); this service applies the plan (``roster_apply``) in its own transaction,
    the same one the rows were checked in, so what was checked is what is saved.

    The new readers get no password here: each gets a first password of their own, printed on
    the class's slips (``services.first_passwords.password_slips_request`` with
    ``plan.new_reader_ids``, once this has committed)."""
    parsed = roster_read(path, extension=extension, name=name)
    plan = RosterPlan(
        file_name=parsed.name,
        row_numbers=parsed.row_numbers,
        deactivate_missing=deactivate_missing,
        user=user,
    )
    if dry_run:
        _roster_check(plan=plan, dataset=parsed.dataset)
    else:
        try:
            with transaction.atomic():
                _roster_check(plan=plan, dataset=parsed.dataset)
                if plan.rows and not plan.errors:
                    plan.saved = roster_apply(plan=plan)
        except IntegrityError as error:
            # Another change to the school's records between the check and the save: all of
            # it is rolled back.
            raise RosterRefused(
                gettext(
                    "The roster could not be saved because the school's records changed meanwhile "
                    "(%(error)s). Nothing was saved: check the file again."
                )
                % {"error": error}
            ) from error
    if not plan.rows and not plan.errors:
        raise RosterRefused(gettext("The file has no rows to import."))
    return plan


def _roster_check(*, plan: RosterPlan, dataset) -> None:
    """Every row read and checked into ``plan`` by the resource; a fault that is not a refused
    row (a bug) is raised as it came."""
    result = RosterResource(plan=plan).rows_check(dataset)
    if result.has_errors():
        raise result.row_errors()[0][1][0].error if result.row_errors() else result.base_errors[0].error


def roster_apply(*, plan: RosterPlan) -> dict:
    """Save a checked roster (called by ``roster_import`` inside its transaction): the new
    classes, the new readers with their accounts and cards, the moves and changes, and, when
    asked, the missing readers marked as having left. Returns the figures saved."""
    classes = plan.classes
    created_classes = {}
    for grade, number in plan.new_classes:
        created_classes[(grade, number)] = classes[(grade, number)] = school_class_create(
            grade=grade, number=number
        )
    created = readers_create_bulk(
        rows=[
            NewReader(
                kind=row.kind,
                number=row.identifier,
                full_name=row.name,
                school_class=classes[row.class_key] if row.class_key else None,
                gender=row.gender,
                department=row.department,
                guardian_contact=row.guardian,
            )
            for row in plan.of("new")
        ],
        issued_by=plan.user,
    )
    plan.new_reader_ids = [reader.pk for reader in created]
    updated, renamed = [], []
    returning = plan.of("moved") + plan.of("changed")
    # Everyone the roster lists is at school: graduated or left readers come back.
    READER_STATES.check_all(
        {row.existing.status for row in returning} - {Reader.Status.ACTIVE}, Reader.Status.ACTIVE
    )
    for row in returning:
        reader = row.existing
        reader.school_class = classes[row.class_key] if row.class_key else reader.school_class
        reader.gender = row.gender or reader.gender
        reader.guardian_contact = row.guardian or reader.guardian_contact
        reader.department = row.department or reader.department
        reader.status = Reader.Status.ACTIVE
        reader.left_on = None
        updated.append(reader)
        if reader.user.full_name != row.name:
            reader.user.full_name = row.name
            renamed.append(reader.user)
    Reader.objects.bulk_update(
        updated,
        ["school_class", "gender", "guardian_contact", "department", "status", "left_on"],
        batch_size=BULK_BATCH,
    )
    User.objects.bulk_update(renamed, ["full_name"], batch_size=BULK_BATCH)
    left = 0
    if plan.deactivate_missing and plan.missing:
        READER_STATES.check(Reader.Status.ACTIVE, Reader.Status.LEFT)  # the missing are active readers
        left = Reader.objects.filter(pk__in=[reader.pk for reader in plan.missing]).update(
            status=Reader.Status.LEFT, left_on=timezone.localdate()
        )
    counts = plan.counts
    summary = {
        "new": counts["new"],
        "moved": counts["moved"],
        "changed": counts["changed"],
        "new_classes": len(created_classes),
        "missing": counts["missing"],
        "left": left,
    }
    RosterChange.objects.create(
        kind=RosterChange.Kind.IMPORT, file_name=plan.file_name[:200], summary=summary, done_by=plan.user
    )
    return summary


# --- promotion at year end -----------------------------------------------------------------------


@transaction.atomic
def grades_promote(*, top_grade: int | None = None, user: User | None = None) -> dict:
    """Move every active class up a grade; the top grade's classes become inactive and their
    students graduated. The classes are locked first (by primary key), so two promotions at once
    cannot both run."""
    top_grade = top_grade or top_grade_default()
    list(
        SchoolClass.objects.select_for_update()
        .filter(is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    plan = promotion_plan(top_grade=top_grade)
    graduating_ids = [school_class.pk for school_class in plan["graduating"]]
    READER_STATES.check(Reader.Status.ACTIVE, Reader.Status.GRADUATED)  # the active students of those classes
    graduated = Reader.objects.filter(
        kind=Reader.Kind.STUDENT, status=Reader.Status.ACTIVE, school_class_id__in=graduating_ids
    ).update(status=Reader.Status.GRADUATED, left_on=timezone.localdate())
    SchoolClass.objects.filter(pk__in=graduating_ids).update(is_active=False)
    # From the top down, so that a grade moves into places the grade above has just left.
    grades = sorted({item["school_class"].grade for item in plan["moving"]}, reverse=True)
    for grade in grades:
        SchoolClass.objects.filter(is_active=True, grade=grade).update(grade=F("grade") + 1)
    summary = {
        "top_grade": top_grade,
        "moved": len(plan["moving"]),
        "graduated_classes": len(graduating_ids),
        "graduates": graduated,
        "graduates_with_items": len(plan["graduates_with_items"]),
    }
    RosterChange.objects.create(kind=RosterChange.Kind.PROMOTION, summary=summary, done_by=user)
    return summary


def roster_preview_build(path, options: dict, progress) -> dict:
    """The roster's preview as the worker builds it (library_site.documents.previews): the whole
    file read and checked against the readers, nothing saved."""
    from ..exceptions import CirculationError
    from ..selectors.school import roster_preview_rows

    try:
        plan = roster_import(
            path=path, extension=options.get("extension"), name=options.get("name", ""), dry_run=True
        )
    except CirculationError as error:
        return {"refusal": str(error.message)}
    return {"refusal": "", **roster_preview_rows(plan)}
