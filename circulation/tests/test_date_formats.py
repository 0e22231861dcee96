"""One date format per language (issue 14 point 2): the desk's panel and log, the reader's own
page and the printed hold slip write a day the same way in each language (library_site/formats/):
2026-12-06 in Chinese, 6 Dec 2026 in English, and never 2026年12月6日, 12/06/2026, 2026/12/06
or Dec. 6, 2026. The spreadsheets' date cells use the same format as their number format."""

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from circulation.printing.holds import hold_slip_lines, hold_slip_pdf
from circulation.selectors.holds import hold_for_slip
from circulation.services.holds import hold_place
from circulation.services.loans import loan_checkout, loan_return
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory
from library_site.dates import date_text, datetime_text, excel_date_format, excel_datetime_format

from .factories import ReaderFactory, SchoolClassFactory, copies_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

# The forms a day must not take on screen or paper, whatever the language.
WRONG_FORMS = {
    "Chinese long form (2026年12月6日)": re.compile(r"\d{4}年\d{1,2}月\d{1,2}日"),
    "slashes (12/06/2026, 2026/12/06)": re.compile(r"\b\d{1,4}/\d{1,2}/\d{2,4}\b"),
    "American long form (Dec. 6, 2026)": re.compile(r"\b[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\b"),
}
# And the other language's form.
OTHER_FORM = {
    "zh-hans": re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b"),
    "en": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
}


def expected(day, language: str) -> str:
    return f"{day:%Y-%m-%d}" if language == "zh-hans" else f"{day.day} {day:%b} {day.year}"


class _Text(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_one_format(text: str, day, language: str, where: str) -> None:
    assert expected(day, language) in text, f"{where}: {expected(day, language)} missing"
    for name, pattern in {**WRONG_FORMS, "the other language's form": OTHER_FORM[language]}.items():
        found = pattern.search(text)
        assert found is None, f"{where} ({language}) writes a day as {name}: {found.group(0)!r}"


@pytest.fixture
def story():
    """A pupil with a book on loan, another pupil whose hold a return has filled."""
    librarian = UserFactory(roles=[Role.LIBRARIAN])
    pupil = ReaderFactory(
        full_name="张三", card_number="R0000101", school_class=SchoolClassFactory(grade=3, number=2)
    )
    waiting = ReaderFactory(full_name="李四", school_class=SchoolClassFactory(grade=4, number=1))
    (lent,) = copies_of("草房子")
    loan = loan_checkout(reader=pupil, copy=lent, user=librarian).loan
    (held,) = copies_of("小王子")
    loan_checkout(reader=ReaderFactory(), copy=held, user=librarian)
    hold = hold_place(reader=waiting, record=held.record, user=None)
    loan_return(copy=held, user=librarian)
    return {"librarian": librarian, "pupil": pupil, "loan": loan, "hold": hold_for_slip(hold.pk)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_desk_the_readers_page_and_the_slip_write_a_day_one_way(client, story, language, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    due = story["loan"].due_on

    client.force_login(story["librarian"])
    answer = client.post(reverse("circulation:desk-scan"), {"code": "R0000101", "mode": "lend"}, **HTMX)
    assert_one_format(visible(answer.content.decode()), due, language, "the desk's panel and log")

    client.force_login(story["pupil"].user)
    page = client.get(reverse("circulation:my-library"))
    assert_one_format(visible(page.content.decode()), due, language, "the reader's own page")

    hold = story["hold"]
    with translation.override(language):
        lines = " ".join(text for _size, text in hold_slip_lines(hold))
        pdf = hold_slip_pdf(hold=hold, paper="a4")
    assert_one_format(lines, hold.collect_by, language, "the hold slip")
    if shutil.which("pdftotext"):
        path = tmp_path / "slip.pdf"
        path.write_bytes(pdf)
        printed = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert_one_format(" ".join(printed.split()), hold.collect_by, language, "the printed slip")


@pytest.mark.parametrize(
    ("language", "day_text", "moment_text", "excel_day", "excel_moment"),
    [
        ("zh-hans", "2026-12-06", "2026-12-06 14:05", "yyyy-mm-dd", "yyyy-mm-dd hh\\:mm"),
        ("en", "6 Dec 2026", "6 Dec 2026 14:05", "d mmm yyyy", "d mmm yyyy hh\\:mm"),
    ],
)
def test_one_date_and_one_date_time_format_per_language_and_the_same_in_spreadsheets(
    language, day_text, moment_text, excel_day, excel_moment
):
    import datetime

    from django.utils import timezone

    moment = datetime.datetime(2026, 12, 6, 14, 5, tzinfo=timezone.get_current_timezone())
    with translation.override(language):
        assert date_text(moment.date()) == day_text
        assert date_text(moment) == day_text
        assert datetime_text(moment) == moment_text
        assert (excel_date_format(), excel_datetime_format()) == (excel_day, excel_moment)
