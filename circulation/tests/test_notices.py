"""Reminders, overdue notices, hold-ready notices and the head teachers' class lists: each stage
once per loan, by state (so a missed day is caught up), delivered per channel and recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from catalog.models import Copy
from circulation.models import CirculationSettings, Loan, Notice, NoticeTemplate
from circulation.policies import template_check
from circulation.services.notices import notice_template_save, notices_send
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)


def lend(reader, *, due_on: date, title: str = "草房子") -> Loan:
    """An open loan due on ``due_on`` (set up directly: the due date is what matters here)."""
    copy = copies_of(title)[0]
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
    return Loan.objects.create(copy=copy, reader=reader, due_on=due_on)


@pytest.fixture
def head_teacher():
    return UserFactory(username="banzhuren", full_name="王老师", roles=[Role.TEACHER])


@pytest.fixture
def pupil(head_teacher):
    return ReaderFactory(
        full_name="李小明",
        number="2026000101",
        email="xiaoming@home.example",
        school_class=SchoolClassFactory(grade=3, number=2, head_teacher=head_teacher),
    )


def test_each_overdue_stage_is_sent_once_and_names_the_book_the_due_date_and_the_days(pupil):
    loan = lend(pupil, due_on=TODAY - timedelta(days=1), title="城南旧事")

    first = notices_send(today=TODAY)
    again = notices_send(today=TODAY)

    notice = Notice.objects.get(kind=Notice.Kind.OVERDUE)
    assert (first.overdue, again.overdue) == (1, 0)
    assert (notice.loan, notice.stage, notice.days_overdue, notice.recipient) == (loan, 1, 1, pupil.user)
    assert notice.subject == "逾期通知：《城南旧事》已逾期1天"
    assert (
        notice.body == "李小明：你借阅的《城南旧事》应于2026-03-19归还，现已逾期1天。请尽快将书还到图书馆。"
    )
    # Day 7 brings the next stage; the days in between nothing.
    assert notices_send(today=TODAY + timedelta(days=3)).overdue == 0
    assert notices_send(today=TODAY + timedelta(days=6)).overdue == 1
    assert list(
        Notice.objects.filter(kind="overdue").order_by("stage").values_list("stage", "days_overdue")
    ) == [
        (1, 1),
        (7, 7),
    ]


def test_a_job_that_did_not_run_for_days_catches_up_with_the_latest_stage_only(pupil):
    lend(pupil, due_on=TODAY - timedelta(days=10))
    lend(pupil, due_on=TODAY - timedelta(days=30), title="呼兰河传")

    run = notices_send(today=TODAY)

    assert run.overdue == 2
    assert sorted(Notice.objects.filter(kind="overdue").values_list("stage", "days_overdue")) == [
        (7, 10),
        (21, 30),
    ]
    assert notices_send(today=TODAY + timedelta(days=1)).overdue == 0


def test_a_reminder_goes_before_the_due_date_once_and_again_for_a_new_due_date(pupil):
    CirculationSettings.objects.update_or_create(
        pk=CirculationSettings.current().pk, defaults={"reminder_days_before": 2}
    )
    soon = lend(pupil, due_on=TODAY + timedelta(days=2), title="小王子")
    lend(pupil, due_on=TODAY + timedelta(days=3), title="夏洛的网")

    assert notices_send(today=TODAY).reminders == 1
    assert notices_send(today=TODAY).reminders == 0
    assert notices_send(today=TODAY + timedelta(days=1)).reminders == 1  # 夏洛的网, two days before
    assert notices_send(today=TODAY + timedelta(days=2)).reminders == 0
    reminder = Notice.objects.get(kind="reminder", loan=soon)
    assert reminder.body.startswith("李小明：你借阅的《小王子》将于2026-03-22到期，还有2天。")
    # Renewed: the new due date gets its own reminder.
    Loan.objects.filter(pk=soon.pk).update(due_on=TODAY + timedelta(days=16))
    assert notices_send(today=TODAY + timedelta(days=14)).reminders == 1
    assert Notice.objects.filter(kind="reminder", loan=soon).count() == 2


def test_no_stages_and_no_reminder_send_nothing(pupil):
    settings = CirculationSettings.current()
    settings.reminder_days_before, settings.overdue_notice_days = 0, ""
    settings.save()
    lend(pupil, due_on=TODAY - timedelta(days=30))
    lend(pupil, due_on=TODAY + timedelta(days=1))
    assert notices_send(today=TODAY).as_dict() == {
        "reminders": 0,
        "overdue": 0,
        "hold_ready": 0,
        "class_lists": 0,
        "emailed": 0,
        "email_failed": 0,
    }
    assert not Notice.objects.exists()


def test_returned_loans_get_nothing(pupil):
    loan = lend(pupil, due_on=TODAY - timedelta(days=8))
    Loan.objects.filter(pk=loan.pk).update(state=Loan.State.RETURNED)
    assert notices_send(today=TODAY).overdue == 0


def test_e_mail_goes_once_to_readers_with_an_address_and_is_recorded(pupil):
    without = ReaderFactory(full_name="赵没邮箱", school_class=pupil.school_class)  # no address
    lend(pupil, due_on=TODAY - timedelta(days=1))
    lend(without, due_on=TODAY - timedelta(days=1))

    run = notices_send(today=TODAY)
    notices_send(today=TODAY)

    assert (run.overdue, run.emailed) == (2, 2)  # the pupil's notice and the head teacher's list
    to_pupil = [message for message in mail.outbox if message.to == [pupil.user.email]]
    assert len(to_pupil) == 1
    assert to_pupil[0].subject == "逾期通知：《草房子》已逾期1天"
    assert Notice.objects.get(reader=pupil).emailed_at is not None
    assert Notice.objects.get(reader=without).email_to == ""
    assert len(mail.outbox) == 2


def test_each_message_carries_its_notices_own_message_id_and_a_claimed_one_is_never_sent_again(pupil):
    from django.utils import timezone

    from circulation.services.notices import notice_message_id

    classmate = ReaderFactory(
        full_name="钱有邮箱", email="qian@home.example", school_class=pupil.school_class
    )
    lend(pupil, due_on=TODAY - timedelta(days=1))
    lend(classmate, due_on=TODAY - timedelta(days=1))
    notices_send(today=TODAY)
    sent = {message.to[0]: message.extra_headers["Message-ID"] for message in mail.outbox}
    assert sent[pupil.user.email] == notice_message_id(Notice.objects.get(reader=pupil))
    assert len(set(sent.values())) == len(sent)
    # A later overdue stage, handed over by a job that was then killed (claimed, never marked):
    # no later run sends it, and after ten minutes it says why.
    mail.outbox.clear()
    Notice.objects.update(emailed_at=None, email_claimed_at=timezone.now() - timedelta(minutes=11))
    again = notices_send(today=TODAY)
    assert again.emailed == 0 and mail.outbox == []
    notice = Notice.objects.get(reader=pupil)
    assert notice.emailed_at is None and "不再重发" in notice.email_error


def test_a_mail_server_that_is_down_leaves_the_e_mails_for_the_next_run_and_none_twice(pupil, settings):
    lend(pupil, due_on=TODAY - timedelta(days=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens

    failed = notices_send(today=TODAY)

    notice = Notice.objects.get(reader=pupil)
    assert (failed.overdue, failed.emailed, failed.email_failed) == (1, 0, 2)
    assert notice.emailed_at is None and notice.email_attempts == 1 and notice.email_error
    # The inbox has it already; the e-mail goes at the next run, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = notices_send(today=TODAY)
    notices_send(today=TODAY)
    assert (later.overdue, later.emailed) == (0, 2)
    assert [message.to for message in mail.outbox].count([pupil.user.email]) == 1
    assert Notice.objects.filter(kind="overdue").count() == 1


def test_the_head_teacher_gets_one_list_per_class_with_every_overdue_pupil(pupil, head_teacher):
    other = ReaderFactory(full_name="陈小红", number="2026000102", school_class=pupil.school_class)
    elsewhere = ReaderFactory(full_name="孙无班主任")  # a class without a head teacher
    lend(pupil, due_on=TODAY - timedelta(days=7), title="草房子")
    lend(other, due_on=TODAY - timedelta(days=1), title="青铜葵花")
    lend(elsewhere, due_on=TODAY - timedelta(days=1))

    run = notices_send(today=TODAY)
    notices_send(today=TODAY)

    assert run.class_lists == 1
    class_list = Notice.objects.get(kind=Notice.Kind.CLASS_OVERDUE)
    assert class_list.recipient == head_teacher
    assert class_list.school_class == pupil.school_class
    assert class_list.subject == "三年级(2)班逾期图书名单（2人）"
    assert "李小明《草房子》" in class_list.body and "7" in class_list.body
    assert "陈小红《青铜葵花》" in class_list.body
    assert "孙无班主任" not in class_list.body
    assert (
        Notice.objects.filter(
            kind="overdue", class_listed_at__isnull=True, school_class__isnull=False
        ).count()
        == 0
    )
    assert Notice.objects.get(reader=elsewhere).school_class is None


def test_a_template_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValidationError, match=r"\{name\}"):
        template_check(NoticeTemplate.Kind.OVERDUE, "{name}：请还书")
    with pytest.raises(ValidationError):
        template_check(NoticeTemplate.Kind.OVERDUE, "《{title》")
    with pytest.raises(ValidationError):
        template_check(NoticeTemplate.Kind.OVERDUE, "{title.__class__}")
    template_check(NoticeTemplate.Kind.OVERDUE, "{reader} {title} {due_date} {days_overdue} {{括号}}")


def test_the_administrators_wording_is_used(pupil):
    notice_template_save(
        kind=NoticeTemplate.Kind.OVERDUE,
        subject="请还《{title}》",
        body="{reader}同学，《{title}》{due_date}到期，逾期{days_overdue}天了。",
        user=None,
    )
    lend(pupil, due_on=TODAY - timedelta(days=7), title="稻草人")
    notices_send(today=TODAY)
    notice = Notice.objects.get(kind="overdue")
    assert (notice.subject, notice.body) == (
        "请还《稻草人》",
        "李小明同学，《稻草人》2026-03-13到期，逾期7天了。",
    )


def test_the_command_sends_for_a_day_and_records_its_run(pupil):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from library_site.system.models import JobRun

    lend(pupil, due_on=TODAY - timedelta(days=7))
    out = StringIO()
    call_command("send_notices", "--date", TODAY.isoformat(), stdout=out)
    assert "0 reminders, 1 overdue notices" in out.getvalue()
    run = JobRun.objects.get(key="send_notices")
    assert (run.trigger, run.state, run.param, run.result["overdue"]) == (
        "command",
        "succeeded",
        "2026-03-20",
        1,
    )
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_notices", "--date", "2026-13-01")
    assert Notice.objects.count() == 2  # the pupil's notice and the head teacher's list


def test_the_tasks_record_their_runs(pupil):
    from circulation.tasks import expire_holds_task, send_notices_task
    from library_site.system.models import JobRun

    lend(pupil, due_on=TODAY - timedelta(days=1))
    result = send_notices_task.apply(kwargs={"param": TODAY.isoformat()}).get()
    assert result["overdue"] == 1
    assert expire_holds_task.apply(kwargs={"param": TODAY.isoformat()}).get() == {
        "expired": 0,
        "issues_expired": 0,
    }
    assert sorted(JobRun.objects.values_list("key", "state")) == [
        ("expire_holds", "succeeded"),
        ("send_notices", "succeeded"),
    ]
