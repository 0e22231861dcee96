"""The demo school's main pages and printed cards, read in zh-Hans as each role sees them, hold
none of the wrong renderings found so far: short English texts translated without their context
(分类 for a school class, 馆藏 for a number of copies, 图书 for the verb "book", 第 … 期 for a student
number), half-width punctuation in Chinese text, role words kept in a name.

KNOWN_WRONG grows: when a wrong word is found on screen or on paper, add it here with the page it
was on ("*" for every page) before fixing it."""

from __future__ import annotations

import datetime
import html
import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from activities.services.notes import note_start
from catalog.models import Record
from circulation.models import Reader, SchoolClass
from circulation.selectors.rooms import active_rooms
from library_site.accounts.models import User
from reports.services.management import staff_member_save

pytestmark = pytest.mark.django_db

# (page, wrong text as read with the tags taken out, why it is wrong)
KNOWN_WRONG: list[tuple[str, str, str]] = [
    ("class-set-new", "分类*", "the school class of a class-set booking is 班级"),
    ("class-set-new", "馆藏*", "the number of copies booked is 册数"),
    ("class-set-new", "起*", "the booking's first day is 开始日期"),
    ("class-set-new", "图书 返回", "the button books: 预订, not the noun 图书"),
    ("class-sets", "分类 教师", "the bookings' class column is 班级"),
    ("statistics", "名次 分类", "the class ranking's column is 班级"),
    ("leaders-report", "名次 分类", "the class ranking's column is 班级"),
    ("cards", "期", "a card shows the student number (学号), not a periodical's issue (第 … 期)"),
    ("*", "续 著", "a contributor's role word is not kept in the name"),
    ("*", "班主任:", "Chinese text takes the full-width colon"),
    ("*", "统计用时（毫秒）:", "Chinese text takes the full-width colon"),
    ("*", "借出 返回 超期", "the day a loan came back is 归还日期, not the link 返回"),
    ("readers", "编号 名称", "a person's name is 姓名, not the name of a thing (名称)"),
    ("class", "编号 名称", "a person's name is 姓名, not the name of a thing (名称)"),
    ("reader-story", "签收", "a compensation's receipt is 收据; 签收 is signing for textbooks"),
    ("notes-rule-new", "分类", "the notes rule's class is 班级"),
    ("note-new", "题名", "a pupil's note has a 标题; 题名 is a catalogued title"),
    ("honour-roll", "节次", "an honour's period is 评选周期; 节次 is a lesson period"),
    ("staff", "职工", "the library's staff page is 工作人员; 职工 is a kind of reader"),
    ("plans", "题名", "a work plan has a 标题; 题名 is a catalogued title"),
    ("bulletin-manage", "题名", "a bulletin post has a 标题; 题名 is a catalogued title"),
    ("list-new", "题名", "a reading list has a 标题; 题名 is a catalogued title"),
    (
        "list-new",
        "载体形态",
        "a reading list's description is 说明; 载体形态 is a record's physical description",
    ),
    ("survey-new", "载体形态", "a questionnaire's description is 说明, not 载体形态"),
    ("activity-new", "题名", "an activity has a 活动名称; 题名 is a catalogued title"),
    ("post-new", "题名", "a bulletin post has a 标题; 题名 is a catalogued title"),
    ("rooms", "关闭时间", "a room's opening hours end at 闭馆时间"),
    ("jobs", "处理结果", "a job's result is 结果; 处理结果 is a repair's outcome"),
    ("notice-template", "学科", "a notice's subject line is 主题; 学科 is a school subject"),
    ("team-shifts", "超期", "a volunteer who came late is 迟到; 超期 is an overdue loan"),
    ("reader-story", "在借图书", "a loan's state is 在借"),
    ("my-library", "(超期", "Chinese text takes full-width brackets; the class list writes “· 超期 10 天”"),
    ("equipment", "件. ", "Chinese sentences end with 。"),
    # The review of every short text (issue 14, third pass).
    ("room-week", "关闭时间", "a room's opening hours end at 闭馆时间 (its form)"),
    ("survey-new", "关闭时间", "a questionnaire closes at its 截止时间"),
    ("survey-new", "开放时间 ", "a questionnaire opens at its 开始时间; 开放时间 is a room's opening hours"),
    ("class-owed", "学生 编号", "a pupil's number is the student number 学号"),
    ("quizzes", "结束年级", "answers waiting for a teacher are 待批阅, not the last grade of a range"),
    ("staff", "名称 岗位", "a staff member's name is 姓名"),
    (
        "staff-member",
        "入队日期",
        "a staff member joined the library on the 入职日期; 入队 is the service team",
    ),
    ("suggestions", "到书日期", "a suggestion is received on its 收到日期; 到书 is a delivery of books"),
    ("bulletin-manage", "已注销", "a withdrawn post is 已撤下; 已注销 is a written-off copy"),
    ("jobs", "种热门图书", "a job's result reads 热门图书：12"),
    ("jobs", "组图书", "a job's result reads 图书组合：12"),
    ("corners", "打开", "a corner's page is opened with 查看"),
]
# Chinese text followed by a half-width colon, comma or full stop and a space: "班主任: 王老师",
# "0 件中 0 件. 待检查".
HALF_WIDTH_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff）][:,.] ")


def page_text(content: bytes) -> str:
    text = content.decode()
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "printed.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def wrong_in(page: str, text: str) -> list[str]:
    found = [
        f"{page}: “{wrong}” ({why})"
        for where, wrong, why in KNOWN_WRONG
        if where in (page, "*") and wrong in text
    ]
    found += [
        f"{page}: half-width punctuation in “{match.group(0)}”"
        for match in HALF_WIDTH_AFTER_CHINESE.finditer(text)
    ]
    return found


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_main_pages_and_the_printed_cards_hold_no_known_wrong_rendering(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_data", stdout=io.StringIO())
    record = Record.objects.get(title="草房子")
    school_class = SchoolClass.objects.order_by("grade", "number").first()
    student = Reader.objects.filter(kind=Reader.Kind.STUDENT).order_by("number").first()
    teacher = school_class.head_teacher
    staff_member = staff_member_save(
        user=User.objects.get(username="admin"),
        post="馆员",
        duties="",
        joined_on=datetime.date(2020, 9, 1),
        account=User.objects.get(username="librarian"),
    )
    pages = {
        "librarian": [
            ("home", reverse("home")),
            ("desk", reverse("circulation:desk")),
            ("cataloguing", reverse("catalog:cataloguing")),
            ("record", reverse("catalog:record-manage", args=[record.pk])),
            ("opac", reverse("catalog:opac") + "?q=草房子"),
            ("opac-record", reverse("catalog:opac-record", args=[record.pk])),
            ("readers", reverse("circulation:reader-list")),
            ("reader", reverse("circulation:reader-edit", args=[student.pk])),
            ("reader-story", reverse("circulation:reader-detail", args=[student.pk])),
            ("classes", reverse("circulation:class-list")),
            ("class", reverse("circulation:class-detail", args=[school_class.pk])),
            ("class-sets", reverse("circulation:class-sets")),
            ("rooms", reverse("circulation:room-list")),
            ("room-week", reverse("circulation:room-week", args=[active_rooms().first().pk])),
            ("write-offs", reverse("catalog:write-offs")),
            ("plans", reverse("catalog:purchase-plans")),
        ],
        "admin": [
            ("home", reverse("home")),
            ("policies", reverse("circulation:policies")),
            ("statistics", reverse("reports:statistics")),
            ("registers", reverse("reports:registers")),
            ("notes-rule-new", reverse("activities:rule-create")),
            ("jobs", reverse("system:jobs")),
            ("notice-template", reverse("circulation:notice-template", args=["overdue"])),
            # The activities' pages (quiz, contests, honours, calendar, corners, team, bulletin,
            # lists, questionnaires, suggestions) and the library's management.
            ("quizzes", reverse("activities:quizzes")),
            ("quiz-new", reverse("activities:quiz-new")),
            ("contests", reverse("activities:contests")),
            ("honour-roll", reverse("activities:honour-roll")),
            ("calendar", reverse("activities:calendar")),
            ("activity-new", reverse("activities:activity-new")),
            ("corners", reverse("activities:corners")),
            ("team", reverse("activities:team")),
            ("team-shifts", reverse("activities:team-shifts")),
            ("bulletin", reverse("activities:bulletin")),
            ("bulletin-manage", reverse("activities:bulletin-manage")),
            ("post-new", reverse("activities:post-new")),
            ("lists", reverse("activities:lists")),
            ("list-new", reverse("activities:list-new")),
            ("survey-new", reverse("activities:surveys-manage")),
            ("suggestions", reverse("activities:suggestions-manage")),
            ("plans", reverse("reports:plans")),
            ("targets", reverse("reports:targets-board")),
            ("equipment", reverse("reports:equipment")),
            ("safety", reverse("reports:safety")),
            ("staff", reverse("reports:staff")),
            ("staff-member", reverse("reports:staff-member", args=[staff_member.pk])),
            ("class-owed", reverse("activities:class-owed", args=[school_class.pk])),
        ],
        "leader": [
            ("home", reverse("home")),
            ("leaders-report", reverse("reports:leaders-report")),
        ],
        teacher.username: [
            ("home", reverse("home")),
            ("my-library", reverse("circulation:my-library")),
            ("class-set-new", reverse("circulation:class-set-new", args=[record.pk])),
        ],
        student.user.username: [
            ("home", reverse("home")),
            ("my-library", reverse("circulation:my-library")),
            ("note-new", reverse("activities:note-edit", args=[note_start(reader=student).pk])),
        ],
    }
    found: list[str] = []
    for username, visits in pages.items():
        client = signed_in(User.objects.get(username=username))
        for name, url in visits:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (username, url)
            found += wrong_in(name, page_text(response.content))

    librarian = signed_in(User.objects.get(username="librarian"))
    for url in (
        reverse("circulation:class-cards", args=[school_class.pk]),
        reverse("circulation:reader-card", args=[teacher.reader.pk]),
    ):
        response = librarian.get(url)
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(
            b"".join(response.streaming_content) if response.streaming else response.content, tmp_path
        )
        found += wrong_in("cards", text)
        assert "学号：" in text or "工号：" in text
    assert not found, "\n".join(found)


# The same review for the labels that forms, tables and the back office take from the models and
# forms themselves: (where the label lives, wrong rendering, right rendering). "app.Model.field" is
# a model field's verbose name, "app.Model" the model's own, "module:Form.field" a form field's
# label, "app.Model.field=value" a choice's label.
KNOWN_WRONG_LABELS: list[tuple[str, str, str]] = [
    ("activities.BulletinPost.title", "题名", "标题"),
    ("activities.LibraryPage.title", "题名", "标题"),
    ("activities.LibraryPage.key", "页码", "页面"),
    ("activities.ReadingList.title", "题名", "标题"),
    ("activities.Survey.title", "题名", "标题"),
    ("activities.Entry.title", "题名", "标题"),
    ("activities.ReadingNote.title", "题名", "标题"),
    ("reports.WorkPlan.title", "题名", "标题"),
    ("reports.StaffPaper.title", "题名", "题目"),
    ("activities.Honour.title", "题名", "称号"),
    ("activities.ReadingNote.comment", "意见", "评语"),
    ("activities.Answer", "答复", "作答"),
    ("activities.SurveyAnswer", "答复", "回答"),
    ("activities.Suggestion.reader", "开始日期", "提出人"),
    ("activities.RotaSlot.starts_at", "开始日期", "开始时间"),
    ("activities.TeamMember.left_on", "离校日期", "离队日期"),
    ("activities.CornerStocktake.taken_at", "收款时间", "盘点时间"),
    ("activities.CornerBatch.copies_count", "馆藏", "册数"),
    ("circulation.ClassSetBooking.copies", "馆藏", "册数"),
    ("circulation.NoticeTemplate.subject", "学科", "主题"),
    ("circulation.NoticeTemplate.body", "提示", "正文"),
    ("circulation.Notice.subject", "学科", "主题"),
    ("circulation.RosterChange.summary", "内容简介", "摘要"),
    ("circulation.ReceiptCounter.year", "出版年", "年份"),
    ("catalog.Subscription.year", "出版年", "年度"),
    ("catalog.TextbookTerm.year", "出版年", "年份"),
    ("catalog.Copy.status=on_loan", "在借图书", "已借出"),
    ("reports.StaffMember.joined_on", "入队日期", "入职日期"),
    ("reports.StaffMember.left_on", "离校日期", "离职日期"),
    ("accounts.RoleRightChange.role", "责任方式", "角色"),
    ("system.JobRun.trigger", "发起人", "启动方式"),
    ("circulation.forms.rooms:OpeningHoursForm.opens_at", "开放时间", "开馆时间"),
    ("circulation.forms.rooms:OpeningHoursForm.closes_at", "关闭时间", "闭馆时间"),
    ("activities.views.surveys:SurveyForm.opens_at", "开放时间", "开始时间"),
    ("activities.views.surveys:SurveyForm.closes_at", "关闭时间", "截止时间"),
    ("catalog.forms.acquisitions:RegisterFilterForm.date_from", "起", "开始日期"),
    ("catalog.forms.acquisitions:RegisterFilterForm.date_to", "止", "结束日期"),
    ("reports.forms.management:StaffMemberForm.joined_on", "入队日期", "入职日期"),
    ("activities.Question.points", "分数", "分值"),
    ("reports.EvaluationCriterion.max_points", "分数", "分值"),
    ("activities.Entry.registered_at", "登记时间", "报名时间"),
]


def label_of(where: str) -> str:
    from importlib import import_module

    from django.apps import apps

    if ":" in where:
        module, rest = where.split(":")
        form_name, field = rest.split(".")
        return str(getattr(import_module(module), form_name)().fields[field].label)
    where, _, value = where.partition("=")
    app_label, model_name, *field = where.split(".")
    model = apps.get_model(app_label, model_name)
    if not field:
        return str(model._meta.verbose_name)
    model_field = model._meta.get_field(field[0])
    if value:
        return str(dict(model_field.flatchoices)[value])
    return str(model_field.verbose_name)


def test_the_labels_of_models_and_forms_hold_no_known_wrong_rendering():
    from django.utils import translation

    found = []
    with translation.override("zh-hans"):
        for where, wrong, right in KNOWN_WRONG_LABELS:
            label = label_of(where)
            if label != right:
                found.append(f"{where}: “{label}” (known wrong: “{wrong}”, right: “{right}”)")
    assert not found, "\n".join(found)
