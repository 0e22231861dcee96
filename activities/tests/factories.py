"""Factories for the reading activities' tests: pupils and teachers (circulation's real
services), books and loans (loans written directly: these tests are about what a loan counts
for, not about the desk's rules), and notes and cards in any state."""

from __future__ import annotations

from datetime import date, datetime, time

import factory
from django.utils import timezone

from catalog.models import Location
from catalog.services.copies import copies_add
from catalog.services.records import record_create
from circulation.models import ClassSetBooking, Loan, Reader, Term
from circulation.tests.factories import ReaderFactory, SchoolClassFactory
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from ..models import ExcerptCard, PupilWork, ReadingNote

# A reflection long enough for the default rule (100 Chinese characters), in a pupil's words.
REFLECTION = (
    "读了这本书，我明白了友谊的珍贵。桑桑在油麻地小学度过了六年难忘的时光，他和秃鹤、纸月、细马一起长大，"
    "经历了许多欢乐和忧伤。书中的每一个人物都那么真实，让我想起了自己的同学和老师。我最喜欢桑桑，"
    "因为他善良又勇敢，生病的时候也没有放弃希望。我以后也要像他一样坚强，珍惜身边的每一个朋友。"
)
SUMMARY = "这本书讲的是男孩桑桑在油麻地小学六年的生活和他身边的人的故事。"


def pupil(*, grade: int = 3, class_number: int | None = None, school_class=None, **kwargs) -> Reader:
    """A pupil of ``school_class``, or of a new class of ``grade``."""
    if school_class is None:
        school_class = (
            SchoolClassFactory(grade=grade, number=class_number)
            if class_number
            else SchoolClassFactory(grade=grade)
        )
    return ReaderFactory(school_class=school_class, **kwargs)


def teacher(**kwargs) -> Reader:
    return ReaderFactory(kind=Reader.Kind.TEACHER, **kwargs)


def librarian():
    return UserFactory(roles=[Role.LIBRARIAN])


def administrator():
    return UserFactory(roles=[Role.ADMINISTRATOR])


def book(title: str = "草房子", *, material_type: str = "book", copies: int = 1, summary: str = ""):
    fields = {"title": title, "clc_code": "I287.45", "material_type": material_type}
    if summary:
        fields["summary"] = summary
    record = record_create(fields=fields, contributors=[("曹文轩", "author")])
    location = Location.objects.get(kind=Location.Kind.STACKS)
    return record, copies_add(record=record, count=copies, location=location)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def loan(
    reader: Reader,
    title: str = "草房子",
    *,
    material_type: str = "book",
    lent_on: date | None = None,
    state: str = Loan.State.RETURNED,
    booking: ClassSetBooking | None = None,
    copy=None,
) -> Loan:
    """A loan of a new book (or of ``copy``) to ``reader``, lent on ``lent_on`` (today)."""
    if copy is None:
        _record, (copy,) = book(title, material_type=material_type)
    lent_at = at(lent_on) if lent_on else timezone.now()
    return Loan.objects.create(
        copy=copy,
        reader=reader,
        state=state,
        lent_at=lent_at,
        due_on=(lent_on or timezone.localdate()) + timezone.timedelta(days=14),
        returned_at=lent_at if state == Loan.State.RETURNED else None,
        booking=booking,
    )


def term(starts_on: date, ends_on: date, name: str = "") -> Term:
    return Term.objects.create(
        name=name or f"{starts_on:%Y-%m}", starts_on=starts_on, ends_on=ends_on, hard_due_on=ends_on
    )


class NoteFactory(factory.django.DjangoModelFactory):
    """A typed note handed in today, complete (book, title, summary, reflection)."""

    class Meta:
        model = ReadingNote

    reader = factory.LazyFunction(pupil)
    record = factory.LazyAttribute(lambda note: note.loan.copy.record if note.loan else book()[0])
    loan = None
    title = "友谊的珍贵"
    summary = SUMMARY
    reflection = REFLECTION
    state = PupilWork.State.SUBMITTED
    submitted_at = factory.LazyAttribute(
        lambda note: None if note.state == PupilWork.State.DRAFT else timezone.now()
    )
    month = factory.LazyAttribute(
        lambda note: timezone.localdate().replace(day=1) if note.submitted_at else None
    )


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExcerptCard

    reader = factory.LazyFunction(pupil)
    record = factory.LazyFunction(lambda: book()[0])
    page = "12"
    passage = "天空蓝得像一块透明的宝石，白云像羊群一样在上面慢慢地走。"
    thoughts = "这句话把天空比作宝石，把白云比作羊群，写得很美。"
    state = PupilWork.State.SUBMITTED
    submitted_at = factory.LazyAttribute(
        lambda card: None if card.state == PupilWork.State.DRAFT else timezone.now()
    )
    month = factory.LazyAttribute(
        lambda card: timezone.localdate().replace(day=1) if card.submitted_at else None
    )


# --- issue 17: activities, questions and quizzes ---


def activity(
    kind: str = "quiz",
    *,
    title: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    state: str = "open",
    **fields,
):
    from ..models import Activity

    starts_on = starts_on or timezone.localdate()
    return Activity.objects.create(
        kind=kind,
        title=title or f"{kind} {starts_on:%Y-%m}",
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        state=state,
        **fields,
    )


def question(kind: str = "single", *, theme: str = "童话", text: str = "", options=None, key=None, points=5):
    from ..models import Question

    defaults = {
        "single": (["安徒生", "格林兄弟", "王尔德"], [0]),
        "multiple": (["《丑小鸭》", "《小红帽》", "《海的女儿》"], [0, 2]),
        "true_false": ([], [True]),
        "fill": ([], ["安徒生", "Andersen"]),
        "short": ([], ["要善良"]),
    }
    default_options, default_key = defaults[kind]
    return Question.objects.create(
        kind=kind,
        theme=theme,
        text=text or f"{kind} question",
        options=default_options if options is None else options,
        key=default_key if key is None else key,
        points=points,
    )


def quiz_with(
    questions,
    *,
    minutes: int = 20,
    grades: str = "3,4,5,6",
    opens_at=None,
    closes_at=None,
    shuffle: bool = False,
):
    from ..models import Quiz, QuizQuestion

    now = timezone.now()
    quiz = Quiz.objects.create(
        activity=activity("quiz"),
        grades=grades,
        minutes=minutes,
        shuffle_options=shuffle,
        opens_at=opens_at or now - timezone.timedelta(minutes=5),
        closes_at=closes_at or now + timezone.timedelta(hours=2),
    )
    for position, item in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=item, position=position)
    return quiz
