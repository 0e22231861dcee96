"""Reads of notices: a person's inbox, a class's overdue slips and who may see them, and the
wording of every kind of notice (the administrator's, else the default)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from library_site.accounts.models import User
from library_site.accounts.roles import Capability

from ..models import Notice, NoticeTemplate, Reader, SchoolClass
from ..policies import DEFAULT_TEMPLATES, Wording, template_check
from .loans import class_open_loans

logger = logging.getLogger(__name__)


INBOX_PAGE = 50


def notices_for_user(user: User, *, limit: int = INBOX_PAGE) -> dict:
    """The user's inbox: their latest notices and how many are unread, in two queries."""
    notices = Notice.objects.filter(recipient=user)
    return {
        "notices": list(notices.order_by("-created_at", "-pk")[:limit]),
        "unread": notices.filter(read_at__isnull=True).count(),
    }


def class_overdue_slips(school_class: SchoolClass, *, today=None) -> list[dict]:
    """The pupils of a class with overdue books, each with those books (one slip per pupil):
    one query, whatever the class's size."""
    today = today or timezone.localdate()
    loans = [
        loan
        for loan in class_open_loans(school_class.pk, today=today)
        if loan.days_overdue and loan.reader.kind == Reader.Kind.STUDENT
    ]
    slips: list[dict] = []
    for loan in loans:  # ordered by the reader's number
        if not slips or slips[-1]["reader"].pk != loan.reader_id:
            slips.append({"reader": loan.reader, "loans": []})
        slips[-1]["loans"].append(loan)
    return slips


def user_may_see_class_lists(user: User, school_class: SchoolClass) -> bool:
    """A class's overdue list is its head teacher's, and the library staff's."""
    return school_class.head_teacher_id == user.pk or user.has_perm(Capability.MANAGE_READERS.permission)


def notice_templates() -> dict[str, Wording]:
    """The wording of every kind: the administrator's where saved (and still valid), else the
    default. One query."""
    wordings = {kind: Wording(*DEFAULT_TEMPLATES[kind]) for kind in NoticeTemplate.Kind.values}
    for template in NoticeTemplate.objects.all():
        try:
            template_check(template.kind, template.subject)
            template_check(template.kind, template.body)
        except ValidationError:
            logger.warning("Notice template %s is not valid; the default wording is used.", template.kind)
            continue
        wordings[template.kind] = Wording(template.subject, template.body)
    return wordings


def notices_unread_count(user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def notice_template_list() -> list[dict]:
    """Every kind of notice with its subject now and whether it is the default wording (the
    policies page): one query."""
    saved = {template.kind: template for template in NoticeTemplate.objects.all()}
    return [
        {
            "kind": kind,
            "label": label,
            "subject": saved[kind].subject if kind in saved else DEFAULT_TEMPLATES[kind][0],
            "is_default": kind not in saved,
        }
        for kind, label in NoticeTemplate.Kind.choices
    ]


def notice_template_current(kind: str) -> tuple[NoticeTemplate | None, str, str]:
    """The saved template of a kind (None when it uses the default) and its subject and body."""
    saved = NoticeTemplate.objects.filter(kind=kind).first()
    subject, body = (saved.subject, saved.body) if saved else DEFAULT_TEMPLATES[kind]
    return saved, subject, body
