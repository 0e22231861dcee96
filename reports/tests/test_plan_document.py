"""The work plan printed (issue 20): the PDF with how each target is measured and who approved it,
in both languages; the plans waiting on the leader's home page; the decision shown to the
librarian; the approval right checked with another plan's id; the evaluation seen only by its
member; the management commands in every format and with bad input."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from circulation.models import Term
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports.documents.plans import work_plan_pdf
from reports.models import EvaluationCriterion, StaffMember, WorkPlan
from reports.selectors.plans import work_plan_document
from reports.services import plans

pytestmark = pytest.mark.django_db
SCHOOL_YEAR = 2026


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN], full_name="王馆员")


@pytest.fixture
def leader():
    return UserFactory(roles=[Role.LEADER], full_name="李校长")


@pytest.fixture
def term():
    return Term.objects.create(
        name="2026–2027 第一学期",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 20),
        hard_due_on=datetime.date(2027, 1, 15),
    )


def a_plan(librarian, *, year=SCHOOL_YEAR, title="2026 年度图书馆工作计划") -> WorkPlan:
    return plans.work_plan_create(
        user=librarian,
        kind=WorkPlan.Kind.YEAR,
        school_year=year,
        title=title,
        aims="建设书香校园。",
        measures="每月一次主题活动；\n每周开放不少于40小时。",
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


# --- the plan's PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "approved_line", "how"),
    [
        ("en", "Approved by 李校长", "Equipment register"),
        ("zh-hans", "已由李校长于", "设备登记"),
    ],
)
def test_the_approved_plan_prints_its_aims_targets_how_each_is_measured_and_the_approval(
    tmp_path, librarian, leader, language, approved_line, how
):
    plan = a_plan(librarian)
    plans.work_plan_submit(plan=plan, user=librarian)
    plans.work_plan_approve(plan=plan, user=leader, comment="同意")
    plan.refresh_from_db()

    with translation.override(language):
        content = work_plan_pdf(work_plan_document(plan))
    text = pdf_text(content, tmp_path)

    assert content.startswith(b"%PDF-")
    flat = " ".join(text.split())
    assert "2026 年度图书馆工作计划" in flat and "建设书香校园。" in flat
    assert "每周开放不少于40小时。" in flat
    assert approved_line in flat.replace(" ", "") or approved_line in flat
    assert how.replace(" ", "") in flat.replace(" ", "")
    assert "≥ 95%" in flat and "同意" in flat
    # the Chinese font is embedded (a subset), so the plan prints the same on any PC
    fonts = pdf_fonts(content, tmp_path)
    embedded = [line for line in fonts.splitlines() if "TrueType" in line]
    assert embedded and all(line.split()[-5:-3] == ["yes", "yes"] for line in embedded)


def test_an_unapproved_plan_says_so_and_leaves_a_line_for_the_signature(tmp_path, librarian):
    plan = a_plan(librarian)
    with translation.override("en"):
        text = " ".join(pdf_text(work_plan_pdf(work_plan_document(plan)), tmp_path).split())
    assert "Not approved yet (Draft)" in text
    assert "School leader's signature" in text


def test_the_plan_page_links_its_pdf_and_the_pdf_answers_those_who_read_plans_only(client, librarian, leader):
    plan = a_plan(librarian)
    client.force_login(librarian)
    page = client.get(reverse("reports:plan-detail", args=[plan.pk])).content.decode()
    assert f'href="{reverse("reports:plan-pdf", args=[plan.pk])}"' in page and "data-plan-print" in page

    client.force_login(leader)
    response = client.get(reverse("reports:plan-pdf", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert client.get(reverse("reports:plan-pdf", args=[plan.pk + 999])).status_code == 404

    client.force_login(UserFactory(roles=[Role.TEACHER]))
    assert client.get(reverse("reports:plan-pdf", args=[plan.pk])).status_code == 403


# --- waiting for the leader, decided for the librarian --------------------------------------------


def test_the_leader_s_home_lists_the_plans_waiting_for_their_decision(client, librarian, leader):
    waiting = a_plan(librarian)
    plans.work_plan_submit(plan=waiting, user=librarian)
    draft = a_plan(librarian, year=SCHOOL_YEAR - 1, title="2025 年度计划")

    client.force_login(leader)
    html = client.get(reverse("home")).content.decode()
    assert f'data-work-plan-waiting="{waiting.pk}"' in html
    assert f'data-work-plan-waiting="{draft.pk}"' not in html  # a draft is not theirs yet

    plans.work_plan_approve(plan=waiting, user=leader)
    html = client.get(reverse("home")).content.decode()
    assert "data-work-plan-waiting" not in html


def test_an_administrator_without_the_right_is_not_shown_plans_to_approve():
    from reports.selectors.leaders import leader_home

    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    plans.work_plan_submit(plan=a_plan(librarian), user=librarian)
    assert leader_home(admin, today=datetime.date(2026, 12, 7)).work_plans_waiting == []


def test_the_librarian_sees_the_approval_and_the_return_with_the_comment(client, librarian, leader):
    approved = a_plan(librarian)
    plans.work_plan_submit(plan=approved, user=librarian)
    plans.work_plan_approve(plan=approved, user=leader)
    returned = a_plan(librarian, year=SCHOOL_YEAR - 1, title="2025 年度计划")
    plans.work_plan_submit(plan=returned, user=librarian)
    plans.work_plan_return(plan=returned, user=leader, comment="请补充安全目标")

    client.force_login(librarian)
    html = client.get(reverse("reports:plans")).content.decode()
    assert f'data-plan-decided="{approved.pk}" data-plan-decided-status="approved"' in html
    assert f'data-plan-decided="{returned.pk}" data-plan-decided-status="returned"' in html
    assert "请补充安全目标" in html
    detail = client.get(reverse("reports:plan-detail", args=[returned.pk])).content.decode()
    assert "data-plan-returned" in detail


def test_a_user_without_the_right_cannot_decide_another_plan_by_its_id(client, librarian, leader):
    mine = a_plan(librarian)
    other = a_plan(librarian, year=SCHOOL_YEAR - 1, title="2025 年度计划")
    for plan in (mine, other):
        plans.work_plan_submit(plan=plan, user=librarian)
    for role in (Role.LIBRARIAN, Role.ADMINISTRATOR, Role.TEACHER):
        client.force_login(UserFactory(roles=[role]))
        for decision in ("approve", "return"):
            response = client.post(
                reverse("reports:plan-decide", args=[other.pk]), {"decision": decision, "comment": "x"}
            )
            assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert (other.status, other.decided_by, other.decided_at) == (WorkPlan.Status.SUBMITTED, None, None)
    assert client.post(reverse("reports:plan-decide", args=[other.pk + 999])).status_code in (403, 404)
    client.force_login(leader)
    assert client.post(reverse("reports:plan-decide", args=[other.pk + 999])).status_code == 404


# --- a staff member's own evaluation -------------------------------------------------------------


def test_a_staff_member_opens_their_own_evaluation_and_not_another_s(client, librarian, leader, term):
    colleague = UserFactory(roles=[Role.LIBRARIAN])
    own = StaffMember.objects.create(user=librarian, post="馆员", joined_on=datetime.date(2020, 1, 1))
    theirs = StaffMember.objects.create(user=colleague, post="馆员", joined_on=datetime.date(2020, 1, 1))
    EvaluationCriterion.objects.create(name="论文", max_points=10, evidence="papers")

    client.force_login(librarian)
    assert client.get(reverse("reports:evaluation", args=[own.pk, term.pk])).status_code == 200
    assert client.get(reverse("reports:evaluation", args=[theirs.pk, term.pk])).status_code == 404
    assert client.post(reverse("reports:evaluation", args=[theirs.pk, term.pk]), {}).status_code == 404
    assert not theirs.evaluations.exists()
    client.force_login(leader)
    assert client.get(reverse("reports:evaluation", args=[theirs.pk, term.pk])).status_code == 200


# --- the commands --------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF-"), ("docx", b"PK"), ("xlsx", b"PK")])
def test_term_summary_writes_each_format(tmp_path, librarian, term, fmt, magic):
    a_plan(librarian)
    out = tmp_path / f"summary.{fmt}"
    call_command("term_summary", str(term.pk), "--format", fmt, "--out", str(out), "--language", "en")
    assert out.read_bytes().startswith(magic)
    if fmt == "docx":
        import docx

        document = docx.Document(str(out))
        assert document.tables and document.paragraphs[0].text


def test_the_commands_refuse_bad_input_and_write_nothing(tmp_path, librarian, term):
    out = tmp_path / "never.xlsx"
    with pytest.raises(CommandError, match="school year that has begun"):
        call_command("targets_board", "2099", "--out", str(out))
    with pytest.raises(CommandError, match="school year that has begun"):
        call_command("targets_board", "twenty", "--out", str(out))
    with pytest.raises(CommandError, match="no term"):
        call_command("term_summary", "9999", "--format", "pdf", "--out", str(out))
    with pytest.raises(CommandError, match="Choose --format"):
        call_command("term_summary", str(term.pk), "--out", str(tmp_path / "summary.txt"))
    assert not any(tmp_path.iterdir())


def test_targets_board_writes_the_year_s_workbook(tmp_path, librarian):
    import openpyxl

    a_plan(librarian)
    out = tmp_path / "board.xlsx"
    call_command("targets_board", str(SCHOOL_YEAR), "--out", str(out), "--language", "en")
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[4]]
    assert header[:2] == ["Target", "Goal"] and header[-3:] == ["Whole period", "Gap", "Result"]
    # the headers in the language asked for; the targets' names as the plan holds them
    assert sheet.cell(row=5, column=1).value == "阅览室硬件达标率"


def test_a_term_plan_whose_term_is_outside_its_school_year_is_refused(librarian, term):
    from reports.exceptions import PlanRefused

    with translation.override("en"):
        with pytest.raises(PlanRefused, match="is not in the school year 2025"):
            plans.work_plan_create(
                user=librarian, kind=WorkPlan.Kind.TERM, school_year=2025, term=term, title="学期计划"
            )
        with pytest.raises(PlanRefused, match="needs its term"):
            plans.work_plan_create(
                user=librarian, kind=WorkPlan.Kind.TERM, school_year=SCHOOL_YEAR, term=None, title="学期计划"
            )
    assert not WorkPlan.objects.exists()


def test_figures_per_pupil_are_not_judged_without_pupils_on_the_roll():
    from circulation.tests.factories import copies_of
    from reports.selectors.compliance import NO_PUPILS, compliance_report

    copies_of(count=3)
    report = compliance_report(today=datetime.date(2026, 12, 7))
    books, new = report.lines[0], report.lines[1]
    assert (books.value, books.verdict) == (None, NO_PUPILS)
    assert new.verdict == NO_PUPILS and not books.css
