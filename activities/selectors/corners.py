"""The reads of the class book corners (issue 18): who may see a corner, what stands in it, the
rotation's preview and next dates, and the figures the statistics pages show. Each read's
queries do not grow with its rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from circulation.models import SchoolClass
from library_site.accounts.roles import Capability

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
from ..services.corners import rotation_next_on


def corner_access(user, corner: ClassCorner) -> str | None:
    """ "manage" for the library's staff, "class" for the class's head teacher and pupil
    librarian, None for anybody else."""
    if user.has_perm(Capability.MANAGE_ACTIVITIES.permission):
        return "manage"
    if corner.school_class.head_teacher_id == user.pk:
        return "class"
    if corner.is_kept_by(user):
        return "class"
    return None


def corners_overview() -> list[dict]:
    """Every class at school with its corner (if any), its books and its missing books."""
    classes = list(SchoolClass.objects.filter(is_active=True).order_by("grade", "number"))
    corners = {
        corner.school_class_id: corner for corner in ClassCorner.objects.filter(school_class__in=classes)
    }
    counts = {
        row["corner_id"]: row
        for row in CornerLoan.objects.filter(state=CornerLoan.State.IN_CORNER, corner__in=corners.values())
        .values("corner_id")
        .annotate(books=Count("pk"), missing=Count("pk", filter=Q(missing_since__isnull=False)))
    }
    rows = []
    for school_class in classes:
        corner = corners.get(school_class.pk)
        figures = counts.get(corner.pk, {}) if corner else {}
        rows.append(
            {
                "school_class": school_class,
                "corner": corner,
                "books": figures.get("books", 0),
                "missing": figures.get("missing", 0),
            }
        )
    return rows


def corners_of_teacher(user) -> list[ClassCorner]:
    return list(
        ClassCorner.objects.filter(
            Q(school_class__head_teacher=user) | Q(keeper__user=user, keeper__school_class=F("school_class")),
            school_class__is_active=True,
        )
        .select_related("school_class", "location")
        .distinct()
    )


def corner_detail(corner: ClassCorner) -> dict:
    lines = list(
        CornerLoan.objects.filter(corner=corner, state=CornerLoan.State.IN_CORNER)
        .select_related("copy__record")
        .order_by("copy__record__call_number", "copy__barcode")
    )
    lendings = {
        lending.copy_id: lending
        for lending in CornerLending.objects.filter(corner=corner, returned_on__isnull=True).select_related(
            "reader__user"
        )
    }
    books = [{"line": line, "copy": line.copy, "lending": lendings.get(line.copy_id)} for line in lines]
    return {
        "books": books,
        "missing": [book for book in books if book["line"].missing_since],
        "batches": list(CornerBatch.objects.filter(corner=corner).select_related("created_by")[:10]),
        "stocktakes": list(CornerStocktake.objects.filter(corner=corner)[:3]),
        "donations": list(
            CornerDonation.objects.filter(corner=corner).select_related("donor__user", "delivery")[:10]
        ),
        "lent": [lendings[key] for key in sorted(lendings)],
        "next_rotation": corner_next_rotation(corner.school_class),
        "pupils": list(
            corner.school_class.students.filter(status="active").select_related("user").order_by("number")
        ),
    }


def batch_list(batch: CornerBatch) -> list[CornerLoan]:
    """The copies a batch put into a corner (its signed list), or took out of it."""
    if batch.kind == CornerBatch.Kind.RETURN:
        lines = CornerLoan.objects.filter(closed_by_batch=batch)
    else:
        lines = CornerLoan.objects.filter(opened_by_batch=batch)
    return list(lines.select_related("copy__record").order_by("copy__record__call_number", "copy__barcode"))


def batch_missing(batch: CornerBatch) -> list[CornerLoan]:
    return list(
        CornerLoan.objects.filter(closed_by_batch=batch, state=CornerLoan.State.LOST).select_related(
            "copy__record"
        )
    )


@dataclass
class RotationShare:
    school_class: SchoolClass
    to_class: SchoolClass
    corner: ClassCorner | None
    copies: list = field(default_factory=list)
    staying: list = field(default_factory=list)


def rotation_preview(plan: CornerRotationPlan) -> list[RotationShare]:
    """What the next rotation moves: each class's books and the class they go to (the
    missing ones stay). Three queries."""
    classes = list(plan.classes.order_by("number", "pk"))
    corners = {
        corner.school_class_id: corner for corner in ClassCorner.objects.filter(school_class__in=classes)
    }
    lines_by_corner: dict[int, list] = {}
    for line in (
        CornerLoan.objects.filter(corner__in=corners.values(), state=CornerLoan.State.IN_CORNER)
        .select_related("copy__record")
        .order_by("copy__record__call_number", "copy__barcode")
    ):
        lines_by_corner.setdefault(line.corner_id, []).append(line)
    shares = []
    for index, school_class in enumerate(classes):
        corner = corners.get(school_class.pk)
        lines = lines_by_corner.get(corner.pk, []) if corner else []
        shares.append(
            RotationShare(
                school_class=school_class,
                to_class=classes[(index + 1) % len(classes)],
                corner=corner,
                copies=[line.copy for line in lines if not line.missing_since],
                staying=[line.copy for line in lines if line.missing_since],
            )
        )
    return shares


def rotation_plans() -> list[dict]:
    plans = list(
        CornerRotationPlan.objects.filter(is_active=True)
        .prefetch_related("classes")
        .annotate(done=Count("rotations"))
        .order_by("grade", "pk")
    )
    return [
        {
            "plan": plan,
            "classes": sorted(plan.classes.all(), key=lambda school_class: school_class.number),
            "done": plan.done,
            "next_on": rotation_next_on(plan, done=plan.done),
        }
        for plan in plans
    ]


def corner_next_rotation(school_class: SchoolClass):
    """The next rotation day of the class's grade plan, for the head teacher's page."""
    plan = (
        CornerRotationPlan.objects.filter(is_active=True, classes=school_class)
        .annotate(done=Count("rotations"))
        .first()
    )
    if plan is None:
        return None
    return rotation_next_on(plan, done=plan.done)


def rotation_missing(rotation: CornerRotation) -> list[CornerLoan]:
    """The copies missing at a rotation: they stayed with their class, marked missing that day."""
    day = timezone.localtime(rotation.carried_out_at).date()
    return list(
        CornerLoan.objects.filter(
            corner__batches__rotation=rotation, state=CornerLoan.State.IN_CORNER, missing_since=day
        )
        .select_related("copy__record", "corner__school_class")
        .order_by("corner__school_class__number", "copy__barcode")
        .distinct()
    )


def donations_awaiting_review() -> list[CornerDonation]:
    return list(
        CornerDonation.objects.filter(state=CornerDonation.State.AWAITING_REVIEW)
        .select_related("corner__school_class", "donor__user", "delivery")
        .prefetch_related("delivery__lines__record")
    )


def corner_figures() -> dict:
    """The statistics pages' figures: books per corner, rotations done, corner books missing.
    Three queries."""
    per_corner = list(
        ClassCorner.objects.filter(school_class__is_active=True)
        .select_related("school_class")
        .annotate(
            books=Count("loans", filter=Q(loans__state=CornerLoan.State.IN_CORNER)),
            missing=Count(
                "loans", filter=Q(loans__state=CornerLoan.State.IN_CORNER, loans__missing_since__isnull=False)
            ),
            lost=Count("loans", filter=Q(loans__state=CornerLoan.State.LOST)),
        )
        .order_by("school_class__grade", "school_class__number")
    )
    return {
        "corners": [
            {"name": corner.school_class.name, "books": corner.books, "missing": corner.missing + corner.lost}
            for corner in per_corner
        ],
        "books": sum(corner.books for corner in per_corner),
        "missing": sum(corner.missing + corner.lost for corner in per_corner),
        "rotations": CornerRotation.objects.count(),
    }
