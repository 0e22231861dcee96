"""The library's management (issue 20): plans and their approval, the measures and the targets
board, compliance, equipment, safety, staff and the term summary."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Location
from circulation.models import ClosedPeriod, OpeningHours, Term
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from reports.exceptions import ComplianceRefused, ManagementRefused, PlanRefused, TargetRefused
from reports.measures import MEASURES, MeasurePeriod
from reports.models import (
    ComplianceSettings,
    EquipmentItem,
    EvaluationCriterion,
    PlanTarget,
    SafetyIncident,
    StaffMember,
    StaffPaper,
    WorkPlan,
)
from reports.policies import SEED_TARGETS
from reports.selectors.targets import MET, MISSED, targets_board
from reports.services import management, plans
from reports.states import WORK_PLAN_STATES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = datetime.date(2026, 12, 6)
SCHOOL_YEAR = 2026


@pytest.fixture
def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


@pytest.fixture
def leader():
    return UserFactory(roles=[Role.LEADER])


@pytest.fixture
def term():
    return Term.objects.create(
        name="2026–2027 第一学期",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 20),
        hard_due_on=datetime.date(2027, 1, 15),
    )


@pytest.fixture
def reading_room():
    return Location.objects.create(name="第一阅览室", kind=Location.Kind.READING_ROOM, position=50)


def open_weekdays(room, opens=datetime.time(8), closes=datetime.time(16)):
    for weekday in range(1, 6):
        OpeningHours.objects.create(room=room, weekday=weekday, opens_at=opens, closes_at=closes)


def a_plan(librarian) -> WorkPlan:
    return plans.work_plan_create(
        user=librarian, kind=WorkPlan.Kind.YEAR, school_year=SCHOOL_YEAR, title="2026 年度计划"
    )


# --- plans ---------------------------------------------------------------------------------------


def test_a_new_plan_comes_with_the_seeds_targets_each_with_a_known_measure(librarian):
    plan = a_plan(librarian)
    targets = list(plan.targets.all())
    assert [target.measure for target in targets] == [code for code, *_rest in SEED_TARGETS]
    assert all(target.measure in MEASURES and target.from_seed for target in targets)
    hardware = targets[0]
    assert (hardware.comparison, hardware.threshold) == ("gte", Decimal("95.00"))


def test_a_target_without_a_measure_is_refused_and_nothing_is_added(librarian):
    plan = a_plan(librarian)
    count = plan.targets.count()
    with pytest.raises(TargetRefused, match="needs a measure"):
        plans.plan_target_save(plan=plan, name="读书节", measure="", comparison="gte", threshold="1")
    with pytest.raises(TargetRefused, match="not a measure"):
        plans.plan_target_save(plan=plan, name="读书节", measure="no_such", comparison="gte", threshold="1")
    with pytest.raises(TargetRefused, match="not a number"):
        plans.plan_target_save(plan=plan, name="读书节", measure="loans", comparison="gte", threshold="many")
    assert plan.targets.count() == count


def test_the_librarian_submits_and_a_leader_approves(librarian, leader):
    plan = a_plan(librarian)
    plans.work_plan_submit(plan=plan, user=librarian)
    plans.work_plan_approve(plan=plan, user=leader, comment="同意")
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by, plan.decision_comment) == (WorkPlan.Status.APPROVED, leader, "同意")


def test_a_plan_approved_by_someone_without_the_right_is_refused_and_stays_submitted(librarian):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    plan = a_plan(librarian)
    plans.work_plan_submit(plan=plan, user=librarian)
    for user in (librarian, administrator):
        with pytest.raises(PlanRefused, match="Only a school leader"):
            plans.work_plan_approve(plan=plan, user=user)
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == (WorkPlan.Status.SUBMITTED, None)


def test_an_approved_plan_cannot_be_edited_and_a_draft_cannot_be_approved(librarian, leader):
    plan = a_plan(librarian)
    with pytest.raises(PlanRefused, match="cannot become"):
        plans.work_plan_approve(plan=plan, user=leader)
    plans.work_plan_submit(plan=plan, user=librarian)
    plans.work_plan_approve(plan=plan, user=leader)
    with pytest.raises(PlanRefused):
        plans.plan_target_save(plan=plan, name="x", measure="loans", comparison="gte", threshold="1")
    with pytest.raises(PlanRefused):
        plans.work_plan_update(plan=plan, title="改", aims="", measures="")
    assert WorkPlan.objects.get(pk=plan.pk).title == "2026 年度计划"


def test_the_work_plan_table_refuses_every_move_it_does_not_name(librarian):
    assert WORK_PLAN_STATES.refused_moves()
    for source, target in WORK_PLAN_STATES.refused_moves():
        with pytest.raises(PlanRefused):
            WORK_PLAN_STATES.check(source, target)


def test_returning_needs_a_comment(librarian, leader):
    plan = a_plan(librarian)
    plans.work_plan_submit(plan=plan, user=librarian)
    with pytest.raises(PlanRefused, match="comment"):
        plans.work_plan_return(plan=plan, user=leader, comment=" ")
    plans.work_plan_return(plan=plan, user=leader, comment="补充安全目标")
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.RETURNED and plan.is_editable


# --- the board -----------------------------------------------------------------------------------


def _row(board, measure):
    return next(row for row in board.rows if row.target.measure == measure)


def test_the_board_marks_the_incidents_month_and_the_short_week_as_missed(librarian, term, reading_room):
    a_plan(librarian)
    open_weekdays(reading_room)  # 40 hours a week
    ClosedPeriod.objects.create(
        name="国庆", starts_on=datetime.date(2026, 10, 1), ends_on=datetime.date(2026, 10, 7)
    )
    SafetyIncident.objects.create(
        occurred_on=datetime.date(2026, 11, 10), what="插座冒烟", measures="断电，更换插座"
    )
    board = targets_board(SCHOOL_YEAR, today=TODAY)

    incidents = _row(board, "safety_incidents")
    verdicts = {
        f"{month:%m}": cell.verdict for month, cell in zip(board.months, incidents.months, strict=True)
    }
    assert verdicts == {"09": MET, "10": MET, "11": MISSED, "12": MET}
    assert (incidents.total.value, incidents.total.verdict, incidents.gap) == (1, MISSED, "1")

    hours = _row(board, "weekly_opening_hours")
    by_month = {
        f"{month:%m}": (cell.value, cell.verdict)
        for month, cell in zip(board.months, hours.months, strict=True)
    }
    # The week of 28 September lost Thursday and Friday (1–2 October); that of 5 October three days.
    assert by_month["09"] == (Decimal("24.0"), MISSED)
    assert by_month["10"] == (Decimal("16.0"), MISSED)
    assert by_month["11"] == (Decimal("40.0"), MET)
    assert hours.total.verdict == MISSED
    assert "Week of 2026-09-28: 24.0 hours" in hours.details


def test_the_calendar_and_suggestion_box_measures_read_the_activities_app(librarian):
    from activities.models import Suggestion
    from activities.services.suggestions import suggestion_file
    from activities.tests.factories import activity, pupil

    a_plan(librarian)
    # September has its themed activity and a reader activity; October has neither; a planned
    # reader activity is not counted as held.
    activity("themed", starts_on=datetime.date(2026, 9, 10), state="closed")
    activity("reader", starts_on=datetime.date(2026, 9, 20), state="published")
    activity("reader", starts_on=datetime.date(2026, 11, 20), state="planned")
    complaint = suggestion_file(
        reader=pupil(),
        kind=Suggestion.Kind.COMPLAINT,
        category="service",
        text="借书排队太久",
        anonymous=True,
    )
    Suggestion.objects.filter(pk=complaint.pk).update(received_on=datetime.date(2026, 11, 3))

    board = targets_board(SCHOOL_YEAR, today=TODAY)

    themed = _row(board, "months_without_themed_activity")
    assert not themed.not_measured
    verdicts = {f"{month:%m}": cell.verdict for month, cell in zip(board.months, themed.months, strict=True)}
    assert verdicts["09"] == MET and verdicts["10"] == MISSED
    assert "2026-10: no themed activity" in themed.details
    readers = _row(board, "reader_activities")
    assert readers.total.value == Decimal(1)
    complaints = _row(board, "complaints")
    by_month = {
        f"{month:%m}": (cell.value, cell.verdict)
        for month, cell in zip(board.months, complaints.months, strict=True)
    }
    assert by_month["11"] == (Decimal(1), MISSED) and by_month["10"] == (Decimal(0), MET)
    assert complaints.total.verdict == MISSED


def test_hardware_compliance_counts_items_whose_latest_check_is_up_to_standard(librarian, reading_room):
    items = [
        management.equipment_add(
            user=librarian,
            room=reading_room,
            kind="seats",
            name=f"座椅{i}",
            quantity=1,
            added_on=datetime.date(2026, 8, 1),
        )
        for i in range(4)
    ]
    for item in items[:3]:
        management.equipment_check_record(
            user=librarian, item=item, checked_on=datetime.date(2026, 9, 5), condition="good"
        )
    management.equipment_check_record(
        user=librarian, item=items[2], checked_on=datetime.date(2026, 11, 5), condition="broken"
    )
    measured = MEASURES["hardware_compliance"].function(
        MeasurePeriod(datetime.date(2026, 9, 1), TODAY, SCHOOL_YEAR)
    )
    assert measured.months[datetime.date(2026, 10, 1)] == Decimal("75.0")
    assert measured.months[datetime.date(2026, 11, 1)] == Decimal("50.0")
    assert measured.period == Decimal("50.0")


def test_staff_without_a_paper_are_named(librarian):
    other = UserFactory(roles=[Role.LIBRARIAN], full_name="李老师")
    writer = StaffMember.objects.create(user=librarian, post="馆长", joined_on=datetime.date(2020, 1, 1))
    StaffMember.objects.create(user=other, post="馆员", joined_on=datetime.date(2020, 1, 1))
    StaffPaper.objects.create(staff=writer, title="论文", written_on=datetime.date(2026, 10, 2), file="x.pdf")
    measured = MEASURES["staff_without_paper"].function(
        MeasurePeriod(datetime.date(2026, 9, 1), TODAY, SCHOOL_YEAR)
    )
    assert measured.months[datetime.date(2026, 9, 1)] == 2
    assert measured.months[datetime.date(2026, 10, 1)] == 1
    assert measured.details == ["李老师"]


def test_the_board_reads_a_fixed_number_of_queries_whatever_the_data(
    librarian, term, reading_room, django_assert_max_num_queries
):
    a_plan(librarian)
    open_weekdays(reading_room)

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            targets_board(SCHOOL_YEAR, today=TODAY)
        return len(captured)

    management.equipment_add(
        user=librarian,
        room=reading_room,
        kind="shelves",
        name="书架",
        quantity=1,
        added_on=datetime.date(2026, 8, 1),
    )
    few = queries()
    for day in range(1, 20):
        SafetyIncident.objects.create(occurred_on=datetime.date(2026, 10, day), what="x", measures="y")
        management.equipment_add(
            user=librarian,
            room=reading_room,
            kind="shelves",
            name=f"书架{day}",
            quantity=1,
            added_on=datetime.date(2026, 8, 1),
        )
    assert queries() == few
    with django_assert_max_num_queries(25):
        targets_board(SCHOOL_YEAR, today=TODAY)


def test_the_board_page_shows_the_table_chart_data_and_not_measured(client, librarian, term):
    a_plan(librarian)
    client.force_login(librarian)
    response = client.get(reverse("reports:targets-board"), {"year": SCHOOL_YEAR})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="statistics-charts"' in text and "data-targets-board" in text
    assert response.context["board"].not_measured_count == 0
    bad = client.get(reverse("reports:targets-board"), {"year": "abcd"})
    assert bad.status_code == 400


def test_a_leader_approves_through_the_page_and_a_librarian_cannot(client, librarian, leader):
    plan = a_plan(librarian)
    plans.work_plan_submit(plan=plan, user=librarian)
    client.force_login(librarian)
    client.post(reverse("reports:plan-decide", args=[plan.pk]), {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.SUBMITTED
    client.force_login(leader)
    client.post(reverse("reports:plan-decide", args=[plan.pk]), {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.APPROVED


def test_a_teacher_cannot_open_the_plans(client):
    client.force_login(UserFactory(roles=[Role.TEACHER]))
    assert client.get(reverse("reports:plans")).status_code == 403


# --- compliance ----------------------------------------------------------------------------------


def test_shares_that_do_not_add_up_are_refused_and_nothing_changes(librarian):
    shares = {"A": "2", "B": "3", "C-K": "60", "N-X": "30", "Z": "6"}
    with pytest.raises(ComplianceRefused, match="add up to 101%"):
        management.compliance_settings_save(
            user=librarian, school_type="primary", standards={}, shares=shares, tolerance="5"
        )
    assert not ComplianceSettings.objects.exists()
    shares["Z"] = "5"
    saved = management.compliance_settings_save(
        user=librarian,
        school_type="junior",
        standards={"junior": {"books_per_pupil": "35"}},
        shares=shares,
        tolerance="5",
    )
    assert saved.standards == {"junior": {"books_per_pupil": "35"}}


def test_books_per_pupil_are_held_against_the_primary_standard_and_an_unset_one_is_not_judged():
    from circulation.tests.factories import ReaderFactory, copies_of
    from reports.selectors.compliance import MISSED as C_MISSED
    from reports.selectors.compliance import NOT_SET, compliance_report

    ReaderFactory()
    ReaderFactory()
    copies_of(count=10)
    report = compliance_report(today=TODAY)
    books = report.lines[0]
    assert (books.value, books.standard, books.verdict) == (Decimal("5.00"), Decimal("25"), C_MISSED)
    new = report.lines[1]
    assert new.value == Decimal("5.00") and new.verdict == MET
    settings = ComplianceSettings.objects.create(school_type="vocational")
    report = compliance_report(today=TODAY)
    assert report.lines[0].verdict == NOT_SET and settings.pk


# --- equipment, safety, staff --------------------------------------------------------------------


def test_dates_in_the_future_are_refused(librarian, reading_room):
    with pytest.raises(ManagementRefused, match="future"):
        management.safety_incident_record(
            user=librarian, room=None, occurred_on=datetime.date(2099, 1, 1), what="x", measures="y"
        )
    assert not SafetyIncident.objects.exists()


def test_a_file_that_is_not_what_it_claims_is_refused(librarian):
    member = StaffMember.objects.create(user=librarian, post="馆员", joined_on=datetime.date(2020, 1, 1))
    fake = SimpleUploadedFile("论文.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ManagementRefused, match=r"is not a \.pdf file"):
        management.staff_paper_record(
            user=librarian,
            staff=member,
            kind="paper",
            title="t",
            written_on=datetime.date(2026, 10, 1),
            published_in="",
            upload=fake,
        )
    assert not StaffPaper.objects.exists()


def test_a_staff_member_sees_only_their_own_page_and_leaders_see_everyones(client, librarian, leader):
    other = UserFactory(roles=[Role.LIBRARIAN])
    own = StaffMember.objects.create(user=librarian, post="馆员", joined_on=datetime.date(2020, 1, 1))
    theirs = StaffMember.objects.create(user=other, post="馆员", joined_on=datetime.date(2020, 1, 1))
    client.force_login(librarian)
    assert client.get(reverse("reports:staff-member", args=[own.pk])).status_code == 200
    assert client.get(reverse("reports:staff-member", args=[theirs.pk])).status_code == 404
    client.force_login(leader)
    assert client.get(reverse("reports:staff-member", args=[theirs.pk])).status_code == 200


def test_the_evaluation_shows_the_evidence_and_only_leaders_score(client, librarian, leader, term):
    member = StaffMember.objects.create(user=librarian, post="馆员", joined_on=datetime.date(2020, 1, 1))
    criterion = EvaluationCriterion.objects.create(name="论文", max_points=10, evidence="papers")
    EvaluationCriterion.objects.create(name="组织活动", max_points=10, evidence="activities")
    url = reverse("reports:evaluation", args=[member.pk, term.pk])
    client.force_login(librarian)
    page = client.get(url)
    lines = page.context["sheet"].lines
    assert [line.evidence for line in lines] == [
        "0 papers or summary articles",
        "0 activities organised",
    ]
    assert client.post(url, {f"criterion_{criterion.pk}": 9}).status_code == 403
    client.force_login(leader)
    with pytest.raises(ManagementRefused, match="from 0 to 10"):
        management.evaluation_save(
            user=leader,
            staff=member,
            term=term,
            points={c.pk: 11 for c in EvaluationCriterion.objects.all()},
            comment="",
        )
    assert not member.evaluations.exists()


def test_study_sessions_fall_every_other_friday(term):
    from reports.selectors.management import study_session_schedule

    days = study_session_schedule(term)
    assert days[:3] == [datetime.date(2026, 9, 4), datetime.date(2026, 9, 18), datetime.date(2026, 10, 2)]
    assert {day.weekday() for day in days} == {4}


# --- the term summary ----------------------------------------------------------------------------


def test_the_term_summary_is_a_word_document_a_pdf_and_a_workbook(librarian, term):
    import docx
    import openpyxl

    from reports.documents.summary import term_summary_docx, term_summary_pdf, term_summary_xlsx
    from reports.selectors.summary import term_summary
    from reports.services.summary import term_summary_text_save

    a_plan(librarian)
    term_summary_text_save(term=term, text="本学期图书馆工作顺利。\n第二段。", version=0, user=librarian)
    summary = term_summary(term, today=TODAY)
    document = docx.Document(io.BytesIO(term_summary_docx(summary)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert summary.title in paragraphs and "本学期图书馆工作顺利。" in paragraphs
    figures = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert figures["Suggestions answered"] == "0"
    assert figures["Reader activities and their results"] == "0 held, 0 with results published"
    assert [row.cells[0].text for row in document.tables[1].rows][1] == "Reading-room hardware compliance"
    assert term_summary_pdf(summary).startswith(b"%PDF-")
    workbook = openpyxl.load_workbook(io.BytesIO(term_summary_xlsx(summary)))
    assert workbook.sheetnames == ["Summary", "Targets"]


def test_the_commands_write_their_files(tmp_path, librarian, term):
    from django.core.management import call_command

    a_plan(librarian)
    board = tmp_path / "board.xlsx"
    call_command("targets_board", str(SCHOOL_YEAR), "--out", str(board))
    assert board.read_bytes().startswith(b"PK")
    out = tmp_path / "summary.docx"
    call_command("term_summary", str(term.pk), "--format", "docx", "--out", str(out))
    assert out.read_bytes().startswith(b"PK")


def test_the_equipment_item_is_retired_not_deleted(librarian, reading_room):
    item = management.equipment_add(
        user=librarian,
        room=reading_room,
        kind="computer",
        name="电脑",
        quantity=2,
        added_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ManagementRefused, match="why"):
        management.equipment_retire(user=librarian, item=item, retired_on=TODAY, reason="")
    management.equipment_retire(user=librarian, item=item, retired_on=TODAY, reason="报废")
    assert EquipmentItem.objects.filter(pk=item.pk, retire_reason="报废").exists()
    with pytest.raises(ManagementRefused, match="retired"):
        management.equipment_check_record(user=librarian, item=item, checked_on=TODAY, condition="good")


def test_plan_targets_keep_their_measure(librarian):
    plan = a_plan(librarian)
    target = plans.plan_target_save(
        plan=plan, name="借阅量", measure="loans", comparison="gte", threshold="1000"
    )
    assert PlanTarget.objects.get(pk=target.pk).threshold == Decimal("1000.00")


def test_dates_outside_a_term_that_has_not_begun_are_refused(librarian, leader):
    from reports.exceptions import ReportsError
    from reports.services.summary import term_summary_text_save

    later = Term.objects.create(
        name="未来学期",
        starts_on=datetime.date(2099, 2, 1),
        ends_on=datetime.date(2099, 7, 1),
        hard_due_on=datetime.date(2099, 7, 1),
    )
    member = StaffMember.objects.create(user=librarian, post="馆员", joined_on=datetime.date(2020, 1, 1))
    criterion = EvaluationCriterion.objects.create(name="论文", max_points=10, evidence="papers")
    with pytest.raises(ManagementRefused, match="has not begun"):
        management.evaluation_save(
            user=leader, staff=member, term=later, points={criterion.pk: 5}, comment=""
        )
    with pytest.raises(ReportsError, match="has not begun"):
        term_summary_text_save(term=later, text="x", version=0, user=librarian)
    assert not member.evaluations.exists()
