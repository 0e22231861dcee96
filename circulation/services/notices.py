"""Notices: due-date reminders, overdue notices at the stages the administrator sets, a hold
ready to collect, and each class's overdue list for its head teacher.

How a notice is sent once and only once, however many jobs run and wherever one stops:

1. **Create** (set-based): one query finds the loans (or ready holds) that have reached a stage
   without a notice for it — by their state, not by "today", so a job that did not run for a
   week catches up (a loan that passed several stages meanwhile gets the latest one only). The
   rows are inserted in batches with ``ON CONFLICT DO NOTHING`` against the unique constraints
   (a loan's stage for one due date; a hold's notice): two jobs at once insert each notice
   once. The row *is* the message in the recipient's inbox.
2. **Class lists**: overdue notices of pupils whose class has a head teacher are gathered, per
   class, into one notice to the head teacher; the pupils' notices are marked listed in the same
   transaction, so each pupil's stage is listed once.
3. **E-mail**, idempotent per notice: notices with an address, not yet handed over, are read
   in batches; each is **claimed** (``email_claimed_at``, a conditional UPDATE committed on its
   own, so two jobs never both take it), handed to the mail server with a Message-ID of its own
   (``notice_message_id``, the same at every attempt), and **marked** sent (``emailed_at``)
   right after. A job killed anywhere leaves at most the one notice it was handing over claimed
   and unmarked: perhaps delivered, so it is never sent again (after ``EMAIL_IN_DOUBT_MINUTES``
   it says so in ``email_error``); it is still in the reader's inbox on the site. A mail server
   that refuses a message releases the claim, and the next runs try again, up to five times.

Messages are written from the templates the administrator edits (``NoticeTemplate``), by
default in Chinese; they name the book, the due date and the days overdue.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from library_site.accounts.models import User
from library_site.dates import date_text

from ..models import CirculationSettings, Hold, Loan, Notice, NoticeTemplate, SchoolClass
from ..policies import Wording, template_check
from ..selectors.notices import notice_templates

logger = logging.getLogger(__name__)

Kind = NoticeTemplate.Kind


# --- templates ----------------------------------------------------------------------------------


@transaction.atomic
def notice_template_save(*, kind: str, subject: str, body: str, user: User | None) -> NoticeTemplate:
    template_check(kind, subject)
    template_check(kind, body)
    template, _created = NoticeTemplate.objects.update_or_create(
        kind=kind,
        defaults={"subject": subject, "body": body, "changed_at": timezone.now(), "changed_by": user},
    )
    return template


@transaction.atomic
def notice_template_reset(*, kind: str) -> None:
    """Back to the default wording (the saved wording is a setting, not a record)."""
    NoticeTemplate.objects.filter(kind=kind).delete()


def _day(value: date) -> str:
    return date_text(value)


# --- the job ------------------------------------------------------------------------------------


@dataclass
class NoticeRun:
    """What one run did, for the job's record and the command's output."""

    reminders: int = 0
    overdue: int = 0
    hold_ready: int = 0
    class_lists: int = 0
    emailed: int = 0
    email_failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _batch_size() -> int:
    return max(1, int(getattr(settings, "NOTICE_BATCH_SIZE", 2000)))


def _pause() -> None:
    """Between two batches: nothing, unless a test slows the job down to stop it half-way."""
    seconds = float(getattr(settings, "NOTICE_BATCH_PAUSE_SECONDS", 0) or 0)
    if seconds > 0:
        time.sleep(seconds)


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def notices_send(*, today: date | None = None) -> NoticeRun:
    """The daily job: create what is due, list it for the head teachers, e-mail it. Safe to run
    again and at the same time as another run."""
    today = today or timezone.localdate()
    run = NoticeRun()
    with translation.override(settings.LANGUAGE_CODE):
        rules = CirculationSettings.current()
        wordings = notice_templates()
        run.reminders = loan_notices_create(kind=Kind.REMINDER, today=today, rules=rules, wordings=wordings)
        run.overdue = loan_notices_create(kind=Kind.OVERDUE, today=today, rules=rules, wordings=wordings)
        run.hold_ready = hold_notices_create(wordings=wordings)
        run.class_lists = class_lists_send(wordings=wordings)
        run.emailed, run.email_failed = notices_email()
    return run


def notices_send_for_hold(*, hold_id: int) -> NoticeRun:
    """A hold has just become ready: its notice now, rather than at the next daily run."""
    run = NoticeRun()
    with translation.override(settings.LANGUAGE_CODE):
        run.hold_ready = hold_notices_create(wordings=notice_templates(), hold_ids=[hold_id])
        if run.hold_ready:
            run.emailed, run.email_failed = notices_email()
    return run


def _loan_candidates(*, kind: str, today: date, rules: CirculationSettings):
    """The open loans that have reached a stage of ``kind`` with no notice for it (or, for
    overdue notices, for a later stage), annotated with that ``stage``."""
    loans = Loan.objects.filter(state=Loan.State.OPEN, reader__isnull=False)
    if kind == Kind.REMINDER:
        days = rules.reminder_days_before
        if not days:
            return None
        loans = loans.filter(due_on__gte=today, due_on__lte=today + timedelta(days=days)).annotate(
            stage=Value(days, output_field=IntegerField())
        )
        sent = Notice.objects.filter(loan_id=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on"))
    else:
        stages = rules.overdue_stages
        if not stages:
            return None
        # The latest stage reached: a loan that passed several while no job ran gets that one.
        reached = [
            When(due_on__lte=today - timedelta(days=stage), then=Value(stage)) for stage in reversed(stages)
        ]
        loans = loans.filter(due_on__lte=today - timedelta(days=stages[0])).annotate(
            stage=Case(*reached, output_field=IntegerField())
        )
        sent = Notice.objects.filter(
            loan_id=OuterRef("pk"), kind=kind, due_on=OuterRef("due_on"), stage__gte=OuterRef("stage")
        )
    return loans.filter(~Exists(sent))


LOAN_VALUES = (
    "pk", "stage", "due_on", "reader_id", "reader__kind", "reader__user_id", "reader__user__full_name",
    "reader__user__username", "reader__user__email", "reader__school_class_id",
    "reader__school_class__head_teacher_id", "copy__record__title",
)  # fmt: skip


def loan_notices_create(
    *, kind: str, today: date, rules: CirculationSettings, wordings: dict[str, Wording]
) -> int:
    """Insert the reminders or overdue notices that are due; returns how many this run made."""
    candidates = _loan_candidates(kind=kind, today=today, rules=rules)
    if candidates is None:
        return 0
    loan_ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    wording = wordings[kind]
    now = timezone.now()  # every row of this run bears it: how many this run made is counted by it
    for chunk in _chunks(loan_ids, _batch_size()):
        rows = _loan_candidates(kind=kind, today=today, rules=rules).filter(pk__in=chunk)
        notices = []
        for row in rows.order_by("pk").values_list(*LOAN_VALUES):
            (loan_id, stage, due_on, reader_id, reader_kind, user_id, full_name, username, email,
             class_id, head_teacher_id, title) = row  # fmt: skip
            days_overdue = max(0, (today - due_on).days)
            subject, body = wording.render(
                {
                    "reader": full_name or username,
                    "title": title,
                    "due_date": _day(due_on),
                    "days_left": max(0, (due_on - today).days),
                    "days_overdue": days_overdue,
                }
            )
            listed = kind == Kind.OVERDUE and reader_kind == "student" and head_teacher_id is not None
            notices.append(
                Notice(
                    kind=kind,
                    stage=stage,
                    recipient_id=user_id,
                    reader_id=reader_id,
                    loan_id=loan_id,
                    due_on=due_on,
                    days_overdue=days_overdue,
                    school_class_id=class_id if listed else None,
                    subject=subject,
                    body=body,
                    created_at=now,
                    email_to=email or "",
                )
            )
        # ON CONFLICT DO NOTHING: a notice another run has just made stays the only one.
        Notice.objects.bulk_create(notices, ignore_conflicts=True)
        _pause()
    return Notice.objects.filter(kind=kind, created_at=now).count() if loan_ids else 0


HOLD_VALUES = (
    "pk", "reader_id", "reader__user_id", "reader__user__full_name", "reader__user__username",
    "reader__user__email", "record__title", "collect_by",
)  # fmt: skip


def hold_notices_create(*, wordings: dict[str, Wording], hold_ids: list[int] | None = None) -> int:
    """Insert a notice for every ready hold without one (or for the holds named)."""
    holds = Hold.objects.filter(state=Hold.State.READY).filter(
        ~Exists(Notice.objects.filter(hold_id=OuterRef("pk"), kind=Kind.HOLD_READY))
    )
    if hold_ids is not None:
        holds = holds.filter(pk__in=hold_ids)
    now = timezone.now()
    wording = wordings[Kind.HOLD_READY]
    notices = []
    for hold_id, reader_id, user_id, full_name, username, email, title, collect_by in holds.order_by(
        "pk"
    ).values_list(*HOLD_VALUES):
        subject, body = wording.render(
            {
                "reader": full_name or username,
                "title": title,
                "collect_by": _day(collect_by) if collect_by else "",
            }
        )
        notices.append(
            Notice(
                kind=Kind.HOLD_READY,
                recipient_id=user_id,
                reader_id=reader_id,
                hold_id=hold_id,
                subject=subject,
                body=body,
                created_at=now,
                email_to=email or "",
            )
        )
    for chunk in _chunks(notices, _batch_size()):
        Notice.objects.bulk_create(chunk, ignore_conflicts=True)
    return Notice.objects.filter(kind=Kind.HOLD_READY, created_at=now).count() if notices else 0


def _class_line(notice: Notice) -> str:
    title = notice.loan.copy.record.title if notice.loan_id else ""
    return _("%(reader)s《%(title)s》, due %(date)s, %(days)s days overdue") % {
        "reader": notice.reader.name,
        "title": title,
        "date": _day(notice.due_on),
        "days": notice.days_overdue,
    }


CLASSES_PER_BATCH = 50


def class_lists_send(*, wordings: dict[str, Wording]) -> int:
    """Gather the overdue notices of pupils not yet on their head teacher's list into one
    notice per class; the pupils' notices are marked listed in the same transaction. A run
    takes whole classes, each under a row lock that another run skips, so that two runs at once
    never split a class between two lists."""
    made = 0
    wording = wordings[Kind.CLASS_OVERDUE]
    unlisted = Notice.objects.filter(
        kind=Kind.OVERDUE, school_class__isnull=False, class_listed_at__isnull=True
    )
    while True:
        with transaction.atomic():
            waiting = list(
                unlisted.order_by("school_class_id")
                .values_list("school_class_id", flat=True)
                .distinct()[:CLASSES_PER_BATCH]
            )
            classes = list(
                SchoolClass.objects.select_for_update(skip_locked=True)
                .filter(pk__in=waiting)
                .values_list("pk", flat=True)
            )
            if not classes:
                # Nothing left, or every class waiting is in another run's hands: that run
                # goes on until none is left.
                break
            # Read after the locks: a class another run has just listed has no notice left.
            pending = list(
                unlisted.filter(school_class_id__in=classes)
                .select_related("school_class__head_teacher", "reader__user", "loan__copy__record")
                .order_by("school_class_id", "reader__number", "pk")
            )
            now = timezone.now()
            class_notices = []
            for _class_id, group in groupby(pending, key=lambda notice: notice.school_class_id):
                group = list(group)
                school_class: SchoolClass = group[0].school_class
                head_teacher = school_class.head_teacher
                if head_teacher is None:
                    continue  # the class lost its head teacher meanwhile: nobody to tell
                subject, body = wording.render(
                    {
                        "class": school_class.name,
                        "count": len({notice.reader_id for notice in group}),
                        "list": "\n".join(_class_line(notice) for notice in group),
                    }
                )
                class_notices.append(
                    Notice(
                        kind=Kind.CLASS_OVERDUE,
                        recipient=head_teacher,
                        school_class=school_class,
                        subject=subject,
                        body=body,
                        created_at=now,
                        email_to=head_teacher.email or "",
                        class_listed_at=now,
                    )
                )
            Notice.objects.bulk_create(class_notices)
            Notice.objects.filter(pk__in=[notice.pk for notice in pending]).update(class_listed_at=now)
            made += len(class_notices)
        _pause()
    return made


EMAIL_IN_DOUBT_MINUTES = 10


def notice_message_id(notice: Notice) -> str:
    """The notice's own Message-ID, the same at every attempt (a mail system that sees it twice
    can tell one message from two)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<notice-{notice.pk}.{notice.created_at:%Y%m%d%H%M%S}@{domain}>"


def _pause_after_handover() -> None:
    """Between a message's hand-over and its mark: nothing, unless a test slows the job down to
    kill it in that window."""
    seconds = float(getattr(settings, "NOTICE_EMAIL_HANDOVER_PAUSE_SECONDS", 0) or 0)
    if seconds > 0:
        time.sleep(seconds)


def _email_claim(notice: Notice) -> bool:
    """Take the notice for this job, committed before anything is sent; False when another job
    (or an earlier, cut-off attempt) has it."""
    return bool(
        Notice.objects.filter(pk=notice.pk, emailed_at__isnull=True, email_claimed_at__isnull=True).update(
            email_claimed_at=timezone.now()
        )
    )


def _email_batch(batch: list[Notice]) -> tuple[int, list[tuple[Notice, str]]]:
    """Send a batch over one connection, each notice claimed before and marked after its
    message; returns how many went and those that failed, why."""
    delivered, errors = 0, []
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the mail server is down: every message waits for the next run
        reason = str(error)[:300] or error.__class__.__name__
        for notice in batch:
            Notice.objects.filter(pk=notice.pk).update(
                email_attempts=notice.email_attempts + 1, email_error=reason
            )
        return 0, [(notice, reason) for notice in batch]
    try:
        for notice in batch:
            if not _email_claim(notice):
                continue
            message = EmailMessage(
                subject=notice.subject,
                body=notice.body,
                to=[notice.email_to],
                connection=connection,
                headers={"Message-ID": notice_message_id(notice)},
            )
            try:
                message.send()
            except Exception as error:  # refused: the claim is released, tried again next run
                errors.append((notice, str(error)[:300] or error.__class__.__name__))
                Notice.objects.filter(pk=notice.pk).update(
                    email_claimed_at=None,
                    email_attempts=notice.email_attempts + 1,
                    email_error=errors[-1][1],
                )
                continue
            _pause_after_handover()
            Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now(), email_error="")
            delivered += 1
    finally:
        connection.close()
    return delivered, errors


def notices_email_in_doubt() -> int:
    """Say on the notices that a cut-off job was handing over, long enough ago, that they are
    not sent again; returns how many were newly found."""
    before = timezone.now() - timedelta(minutes=EMAIL_IN_DOUBT_MINUTES)
    return Notice.objects.filter(emailed_at__isnull=True, email_claimed_at__lt=before, email_error="").update(
        email_error=_(
            "The job stopped while handing this e-mail to the mail server; it may have been "
            "delivered, so it is not sent again. The notice is in the reader's inbox on the site."
        )[:300]
    )


def notices_email() -> tuple[int, int]:
    """E-mail the notices that have an address and have not been handed over, batch by batch;
    returns (sent, failed). A failed message is tried again by the next runs, up to five times;
    one claimed by a job that was cut off is never sent again (see the module's notes)."""
    notices_email_in_doubt()
    sent = failed = 0
    last_pk = 0
    while True:
        batch = list(
            Notice.objects.filter(
                pk__gt=last_pk,
                emailed_at__isnull=True,
                email_claimed_at__isnull=True,
                email_attempts__lt=Notice.MAX_EMAIL_ATTEMPTS,
            )
            .exclude(email_to="")
            .only("pk", "email_to", "subject", "body", "email_attempts", "created_at")
            .order_by("pk")[: _batch_size()]
        )
        if not batch:
            break
        last_pk = batch[-1].pk
        delivered, errors = _email_batch(batch)
        sent += delivered
        failed += len(errors)
        if errors:
            logger.warning("%s notice e-mails failed; they are tried again at the next run.", len(errors))
        _pause()
    return sent, failed


# --- the inbox ----------------------------------------------------------------------------------


def notice_mark_read(*, user: User, notice_id: int | None = None) -> int:
    """Mark one of the user's notices (or all of them) read; another person's is untouched."""
    notices = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_id is not None:
        notices = notices.filter(pk=notice_id)
    return notices.update(read_at=timezone.now())
