"""Reads of the school's structure: the overview of readers and classes, the classes by grade
and their pupils, the teachers, and what the promotion at year end would do."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext

from library_site.accounts.models import User
from library_site.school import grade_name

from ..exceptions import PromotionRefused
from ..models import LibraryCard, Reader, RosterChange, SchoolClass
from ..policies import top_grade_default
from .leavers import readers_with_open_items


def school_overview() -> dict:
    """Counts for the staff and leader home pages: two queries whatever the school's size."""
    readers = Reader.objects.active().aggregate(
        students=Count("pk", filter=Q(kind=Reader.Kind.STUDENT)),
        teachers=Count("pk", filter=Q(kind__in=[Reader.Kind.TEACHER, Reader.Kind.STAFF])),
        with_card=Count("pk", filter=Q(cards__status=LibraryCard.Status.ACTIVE)),
    )
    grades = list(
        SchoolClass.objects.filter(is_active=True)
        .values("grade")
        .annotate(
            classes=Count("pk", distinct=True),
            students=Count("students", filter=Q(students__status=Reader.Status.ACTIVE), distinct=True),
        )
        .order_by("grade")
    )
    return {
        **readers,
        "classes": sum(row["classes"] for row in grades),
        "grades": [{**row, "name": grade_name(row["grade"])} for row in grades],
    }


def classes_of_head_teacher(user: User):
    return (
        SchoolClass.objects.filter(head_teacher=user, is_active=True)
        .annotate(student_count=Count("students", filter=Q(students__status=Reader.Status.ACTIVE)))
        .order_by("grade", "number")
    )


def classes_by_grade(*, active: bool = True) -> list[dict]:
    """The school's classes grouped by grade, each grade's parallel classes (同轨班) together,
    with the head teacher and the number of active students: one query."""
    classes = (
        SchoolClass.objects.filter(is_active=active)
        .select_related("head_teacher")
        .annotate(student_count=Count("students", filter=Q(students__status=Reader.Status.ACTIVE)))
        .order_by("grade", "number")
    )
    grades: list[dict] = []
    for school_class in classes:
        if not grades or grades[-1]["grade"] != school_class.grade:
            grades.append(
                {"grade": school_class.grade, "name": grade_name(school_class.grade), "classes": []}
            )
        grades[-1]["classes"].append(school_class)
    for grade in grades:
        grade["student_count"] = sum(item.student_count for item in grade["classes"])
    return grades


def class_readers(school_class: SchoolClass):
    return (
        Reader.objects.with_display()
        .filter(school_class=school_class, status=Reader.Status.ACTIVE)
        .order_by("number")
    )


def teachers_for_choice():
    return User.objects.filter(reader__kind__in=[Reader.Kind.TEACHER, Reader.Kind.STAFF]).order_by(
        "full_name"
    )


def promotion_plan(*, top_grade: int | None = None) -> dict:
    """What promotion would do: each active class and its next name, the classes of the top
    grade that graduate with their students, and the graduates who still have items out."""
    top_grade = top_grade or top_grade_default()
    if not 1 <= top_grade <= 12:
        raise PromotionRefused(gettext("The top grade must be from 1 to 12."))
    classes = list(
        SchoolClass.objects.filter(is_active=True).select_related("head_teacher").order_by("grade", "number")
    )
    if not classes:
        raise PromotionRefused(gettext("There are no active classes to move up a grade."))
    graduating = [school_class for school_class in classes if school_class.grade >= top_grade]
    moving = [school_class for school_class in classes if school_class.grade < top_grade]
    graduates = list(
        Reader.objects.active()
        .filter(kind=Reader.Kind.STUDENT, school_class__in=graduating)
        .select_related("user", "school_class")
        .order_by("school_class__grade", "school_class__number", "number")
    )
    open_items = readers_with_open_items([reader.pk for reader in graduates])
    return {
        "top_grade": top_grade,
        "moving": [
            {
                "school_class": school_class,
                "next_name": SchoolClass(grade=school_class.grade + 1, number=school_class.number).name,
            }
            for school_class in moving
        ],
        "graduating": graduating,
        "graduates": graduates,
        "graduates_with_items": [
            {"reader": reader, "items": open_items[reader.pk]}
            for reader in graduates
            if open_items.get(reader.pk)
        ],
    }


def active_class_list():
    """The school's active classes in order (the desk's choice of a class pile)."""
    return SchoolClass.objects.filter(is_active=True).order_by("grade", "number")


def active_class_get(class_id: int) -> SchoolClass | None:
    return SchoolClass.objects.filter(pk=class_id, is_active=True).first()


def class_parallels(school_class: SchoolClass) -> list[SchoolClass]:
    """The other active classes of the same grade (同轨班)."""
    return list(
        SchoolClass.objects.filter(grade=school_class.grade, is_active=True)
        .exclude(pk=school_class.pk)
        .order_by("number")
    )


def roster_changes_latest(limit: int = 10):
    """The latest roster imports and promotions, with who made them."""
    return RosterChange.objects.select_related("done_by")[:limit]


# --- the roster's preview, as the worker builds it (issue 13) ------------------------------------

ROSTER_PREVIEW_LIMIT = 500  # rows shown per list of the preview; the counts are always whole


def _class_of(reader) -> dict | None:
    school_class = getattr(reader, "school_class", None) if reader is not None else None
    return {"name": school_class.name} if school_class is not None else None


def _roster_row(row) -> dict:
    return {
        "row_number": row.row_number,
        "identifier": row.identifier,
        "name": str(row),
        "class_key": bool(row.class_key),
        "class_name": row.class_name,
        "department": getattr(row, "department", "") or "",
        "changes": [str(change) for change in row.changes],
        "existing": {"school_class": _class_of(row.existing)} if row.existing is not None else None,
    }


def _roster_reader(reader) -> dict:
    return {
        "name": reader.name,
        "number": reader.number,
        "get_kind_display": str(reader.get_kind_display()),
        "school_class": _class_of(reader),
    }


def roster_preview_rows(plan) -> dict:
    """What the roster's preview page shows of a checked plan, as JSON: each list's first rows
    and how many more, the counts whole, the classes new this year."""

    def limited(items, shape):
        return {
            "items": [shape(item) for item in items[:ROSTER_PREVIEW_LIMIT]],
            "more": max(0, len(items) - ROSTER_PREVIEW_LIMIT),
        }

    return {
        "counts": plan.counts,
        "new": limited(plan.of("new"), _roster_row),
        "moved": limited(plan.of("moved"), _roster_row),
        "changed": limited(plan.of("changed"), _roster_row),
        "missing": limited(plan.missing, _roster_reader),
        "errors": limited(plan.errors, lambda error: [error[0], str(error[1])]),
        "new_classes": [SchoolClass(grade=grade, number=number).name for grade, number in plan.new_classes],
    }
