"""Hold-ready notices (sent after the commit, once per hold), the inbox, the desk's panel, the
head teacher's class list and its PDF slips, the wording page — and who may see what."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Copy
from circulation.models import Hold, Loan, Notice, NoticeTemplate
from circulation.services.holds import hold_expire, hold_place
from circulation.services.loans import loan_checkout, loan_return
from circulation.services.notices import notices_send
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.celery import app

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def eager_tasks():
    """Tasks run in this process when sent (Celery's own eager mode), so that what a return
    queues after its commit can be checked here; the worker tests send them through a broker."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def head_teacher():
    return UserFactory(username="wanglaoshi", full_name="王老师", roles=[Role.TEACHER])


@pytest.fixture
def school_class(head_teacher):
    return SchoolClassFactory(grade=4, number=1, head_teacher=head_teacher)


def overdue_loan(reader, *, days: int, title: str = "草房子") -> Loan:
    copy = copies_of(title)[0]
    Copy.objects.filter(pk=copy.pk).update(status=Copy.Status.ON_LOAN)
    return Loan.objects.create(copy=copy, reader=reader, due_on=timezone.localdate() - timedelta(days=days))


# --- holds ------------------------------------------------------------------------------------


def test_a_trapped_hold_notifies_its_reader_once_after_the_commit(
    librarian, eager_tasks, django_capture_on_commit_callbacks
):
    (copy,) = copies_of("小王子")
    waiting = ReaderFactory(full_name="周等书", email="zhou@home.example")
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian, today=WEDNESDAY)
    hold = hold_place(reader=waiting, record=copy.record, user=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    notices_send(today=WEDNESDAY)  # the daily job finds it already sent

    assert len(callbacks) == 1
    notice = Notice.objects.get(kind=Notice.Kind.HOLD_READY)
    assert (notice.hold, notice.recipient) == (hold, waiting.user)
    assert notice.body == "周等书：你预约的《小王子》已经为你保留在借阅台，请于2026-03-09前凭借书证领取。"
    assert notice.emailed_at is not None


def test_an_expired_hold_passes_the_copy_on_and_notifies_the_next_in_line(
    librarian, eager_tasks, django_capture_on_commit_callbacks
):
    (copy,) = copies_of("夏洛的网")
    loan_checkout(reader=ReaderFactory(), copy=copy, user=librarian, today=WEDNESDAY)
    first = hold_place(reader=ReaderFactory(), record=copy.record, user=None)
    second = hold_place(reader=ReaderFactory(full_name="吴第二"), record=copy.record, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        loan_return(copy=copy, user=librarian, today=WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert hold_expire(today=date(2026, 3, 10)) == 1

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state, second.copy) == (Hold.State.EXPIRED, Hold.State.READY, copy)
    assert list(Notice.objects.filter(kind="hold_ready").order_by("pk").values_list("hold", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert "吴第二" in Notice.objects.get(hold=second).body
    # Nobody after the second: when it expires too, the copy goes back to the shelf.
    with django_capture_on_commit_callbacks(execute=True):
        assert hold_expire(today=date(2026, 3, 30)) == 1
    assert Copy.objects.get(pk=copy.pk).status == Copy.Status.AVAILABLE
    assert Notice.objects.filter(kind="hold_ready").count() == 2


# --- the inbox --------------------------------------------------------------------------------


def test_a_reader_sees_their_own_notices_with_the_unread_count_and_marks_them_read(client):
    pupil = ReaderFactory(full_name="李小明")
    other = ReaderFactory(full_name="陈小红")
    overdue_loan(pupil, days=7, title="城南旧事")
    overdue_loan(other, days=7, title="秘密花园")
    notices_send()
    client.force_login(pupil.user)

    home = client.get(reverse("circulation:my-library")).content.decode()
    inbox = client.get(reverse("circulation:my-notices")).content.decode()

    assert 'data-unread="1"' in home
    assert "城南旧事" in inbox and "已逾期7天" in inbox
    assert "秘密花园" not in inbox and "陈小红" not in inbox
    client.post(reverse("circulation:my-notices-read"))
    assert Notice.objects.get(recipient=pupil.user).read_at is not None
    assert 'data-unread="' not in client.get(reverse("circulation:my-library")).content.decode()


def test_a_reader_cannot_mark_another_readers_notice(client):
    pupil, other = ReaderFactory(), ReaderFactory()
    overdue_loan(other, days=1)
    notices_send()
    theirs = Notice.objects.get(recipient=other.user)
    client.force_login(pupil.user)

    response = client.post(reverse("circulation:my-notice-read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.force_login(other.user)
    assert client.post(reverse("circulation:my-notice-read", args=[theirs.pk])).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_the_desk_panel_shows_the_readers_unread_notices(client, librarian):
    pupil = ReaderFactory()
    overdue_loan(pupil, days=21, title="稻草人")
    notices_send()
    client.force_login(librarian)
    client.post(reverse("circulation:desk-reader", args=[pupil.pk]))
    page = client.get(reverse("circulation:desk")).content.decode()
    assert 'data-unread="1"' in page and "逾期通知：《稻草人》已逾期21天" in page


# --- the head teacher's class list ------------------------------------------------------------


def test_the_head_teacher_gets_the_class_list_in_their_inbox_and_sees_the_class_page(
    client, head_teacher, school_class
):
    first = ReaderFactory(full_name="李小明", number="2026000201", school_class=school_class)
    second = ReaderFactory(full_name="陈小红", number="2026000202", school_class=school_class)
    ReaderFactory(full_name="按时还", number="2026000203", school_class=school_class)
    overdue_loan(first, days=7, title="城南旧事")
    overdue_loan(second, days=1, title="青铜葵花")
    notices_send()
    client.force_login(head_teacher)

    inbox = client.get(reverse("circulation:my-notices")).content.decode()
    page = client.get(reverse("circulation:class-overdue", args=[school_class.pk])).content.decode()

    assert "四年级(1)班逾期图书名单（2人）" in inbox
    assert reverse("circulation:class-overdue-pdf", args=[school_class.pk]) in inbox
    assert page.count("data-overdue-loan=") == 2
    assert "李小明" in page and "城南旧事" in page and "陈小红" in page and "按时还" not in page


def test_only_the_head_teacher_and_the_library_see_a_class_list(client, school_class, librarian):
    pupil = ReaderFactory(school_class=school_class)
    overdue_loan(pupil, days=3)
    other_teacher = UserFactory(roles=[Role.TEACHER])
    SchoolClassFactory(grade=4, number=2, head_teacher=other_teacher)
    page = reverse("circulation:class-overdue", args=[school_class.pk])
    pdf = reverse("circulation:class-overdue-pdf", args=[school_class.pk])

    for refused in (other_teacher, pupil.user):
        client.force_login(refused)
        assert client.get(page).status_code == 403
        assert client.get(pdf).status_code == 403
    client.force_login(librarian)
    assert client.get(page).status_code == 200
    client.logout()
    assert client.get(page).status_code == 302  # to the login page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_slips_pdf_has_one_slip_per_pupil_with_the_books_due_dates_and_days(
    client, head_teacher, school_class, tmp_path
):
    first = ReaderFactory(full_name="李小明", number="2026000201", school_class=school_class)
    second = ReaderFactory(full_name="陈小红", number="2026000202", school_class=school_class)
    overdue_loan(first, days=7, title="城南旧事")
    overdue_loan(first, days=1, title="呼兰河传")
    overdue_loan(second, days=21, title="青铜葵花")
    client.force_login(head_teacher)

    response = client.get(reverse("circulation:class-overdue-pdf", args=[school_class.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "slips.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    due = timezone.localdate() - timedelta(days=7)
    assert compact.count("李小明") == 3  # the name on the slip and in both books' lines
    assert f"《城南旧事》应于{due:%Y-%m-%d}归还，现已逾期7天" in compact
    assert "《呼兰河传》" in compact and "逾期1天" in compact
    assert "陈小红" in compact and "《青铜葵花》" in compact and "逾期21天" in compact
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "yes" in fonts.splitlines()[-1].split()[-5:-2]  # the font is embedded


def test_a_class_without_overdue_books_gets_a_message_not_an_empty_pdf(client, head_teacher, school_class):
    client.force_login(head_teacher)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("circulation:class-overdue-pdf", args=[school_class.pk]), follow=True)
    assert "has an overdue book" in response.content.decode()


# --- the wording page ---------------------------------------------------------------------------


def test_the_administrator_edits_a_notice_and_an_unknown_placeholder_saves_nothing(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    client.cookies["django_language"] = "en"
    url = reverse("circulation:notice-template", args=["overdue"])

    refused = client.post(url, {"subject": "请还《{title}》", "body": "{name}：请还书"})

    assert refused.status_code == 200
    assert "Unknown placeholder {name}" in refused.content.decode()
    assert not NoticeTemplate.objects.exists()
    saved = client.post(url, {"subject": "请还《{title}》", "body": "{reader}：逾期{days_overdue}天"})
    assert saved.status_code == 302
    assert NoticeTemplate.objects.get(kind="overdue").body == "{reader}：逾期{days_overdue}天"
    assert "请还《{title}》" in client.get(reverse("circulation:policies")).content.decode()
    client.post(url, {"reset": "1"})
    assert not NoticeTemplate.objects.exists()


def test_only_the_administrator_edits_the_wording(client, librarian):
    client.force_login(librarian)
    url = reverse("circulation:notice-template", args=["overdue"])
    assert client.post(url, {"subject": "x", "body": "y"}).status_code == 403
    assert not NoticeTemplate.objects.exists()


def test_the_stages_are_set_on_the_lending_settings_page(client):
    from circulation.models import CirculationSettings

    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))
    client.cookies["django_language"] = "en"
    form = {
        "closed_weekdays": ["5", "6"],
        "suspension_days_per_late_day": 1,
        "fine_per_day": "0",
        "lost_multiplier": "2",
        "hold_pickup_days": 5,
        "graduating_grades": "6",
        "reminder_days_before": 3,
        "overdue_notice_days": "21，1, 7",
    }
    assert client.post(reverse("circulation:policy-settings"), form).status_code == 302
    settings = CirculationSettings.current()
    assert (settings.reminder_days_before, settings.overdue_stages) == (3, (1, 7, 21))
    refused = client.post(reverse("circulation:policy-settings"), {**form, "overdue_notice_days": "1,七"})
    assert "from 1 to 365" in refused.content.decode()
    assert CirculationSettings.current().overdue_notice_days == "1,7,21"
