"""Copy cataloguing against a real Zebra (SRU and Z39.50 on a loopback port) loaded with the
test's own MARC21 and CNMARC records, and against servers that are down, silent or talk
nonsense: the desk always gets an answer within the timeout and goes on by hand."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from stdnum import isbn as stdnum_isbn

from catalog.copy_cataloguing import copy_lookup
from catalog.models import Contributor, Record
from library_site.accounts.roles import Role
from library_site.accounts.tests.factories import UserFactory

from .copy_servers import free_port, garbage_server, silent_server, zebra_server
from .factories import location_default
from .marc_samples import cnmarc, isbn13, iso, marc21

WEICHENG = "9787020024759"
KITE = isbn13("978-7-208-06164")  # written with hyphens, as CNMARC exports do
CAOFANGZI_13 = isbn13("978-7-5346-6543").replace("-", "")
CAOFANGZI_10 = stdnum_isbn.to_isbn10(CAOFANGZI_13)  # the server holds only the ISBN-10


def server_records() -> bytes:
    return iso(
        marc21(
            "围城 /",
            statement="钱锺书著",
            isbn=WEICHENG,
            price="CNY39.00",
            authors=(("100", "钱锺书", "著"),),
            place="北京 :",
            publisher="人民文学出版社,",
            year="1991.",
            clc=("084", "I246.5"),
            subjects=("长篇小说",),
            language="chi",
        ),
        cnmarc(
            "追风筝的人",
            statement="(美)卡勒德·胡赛尼著",
            isbn=KITE,
            authors=(("胡赛尼", "著"), ("李继宏", "译")),
            place="上海",
            publisher="上海人民出版社",
            year="2006",
            clc="I712.45",
        ),
        cnmarc("草房子", isbn=CAOFANGZI_10),
    )


@pytest.fixture(scope="module")
def zebra(tmp_path_factory):
    with zebra_server(tmp_path_factory.mktemp("zebra"), server_records()) as port:
        yield port


def sru(port: int, name: str = "Zebra SRU") -> str:
    return f"{name}|http://127.0.0.1:{port}/Default"


def z3950(port: int, name: str = "Zebra Z39.50", syntax: str = "") -> str:
    return f"{name}|z3950://127.0.0.1:{port}/Default" + (f"|{syntax}" if syntax else "")


def test_sru_finds_a_marc21_record_by_isbn_and_maps_it_as_the_import_does(zebra, settings):
    settings.CATALOG_COPY_SERVERS = [sru(zebra)]
    [answer] = copy_lookup(WEICHENG)
    assert answer.problem == ""
    [result] = answer.results
    assert result.format == "marc21"
    assert result.fields["title"] == "围城"
    assert result.fields["isbn"] == WEICHENG
    assert result.fields["publisher"] == "人民文学出版社"
    assert result.fields["year"] == 1991
    assert str(result.fields["price"]) == "39.00"
    assert result.fields["clc_code"] == "I246.5"
    assert result.contributors == [("钱锺书", Contributor.Role.AUTHOR)]


def test_z3950_finds_a_cnmarc_record_whose_isbn_has_hyphens(zebra, settings):
    settings.CATALOG_COPY_SERVERS = [z3950(zebra, syntax="cnmarc")]
    [answer] = copy_lookup(KITE.replace("-", ""))
    assert answer.problem == ""
    [result] = answer.results
    assert result.format == "cnmarc"
    assert result.fields["title"] == "追风筝的人"
    assert result.fields["publisher"] == "上海人民出版社"
    assert result.fields["year"] == 2006
    assert result.contributors == [
        ("胡赛尼", Contributor.Role.AUTHOR),
        ("李继宏", Contributor.Role.TRANSLATOR),
    ]


def test_a_server_holding_only_the_isbn_10_is_found_by_the_scanned_isbn_13(zebra, settings):
    settings.CATALOG_COPY_SERVERS = [sru(zebra), z3950(zebra, syntax="cnmarc")]
    answers = copy_lookup(CAOFANGZI_13)
    assert [[result.title for result in answer.results] for answer in answers] == [["草房子"], ["草房子"]]


def test_an_isbn_no_server_has_gives_no_results_and_no_problem(zebra, settings):
    settings.CATALOG_COPY_SERVERS = [sru(zebra), z3950(zebra)]
    answers = copy_lookup("9787111111114")
    assert [(answer.results, answer.problem) for answer in answers] == [([], ""), ([], "")]


def test_a_server_that_is_down_says_so_and_the_others_still_answer(zebra, settings):
    closed = free_port()
    settings.CATALOG_COPY_SERVERS = [sru(closed, "Union SRU"), z3950(closed, "Union Z"), sru(zebra)]
    down_sru, down_z, working = copy_lookup(WEICHENG)
    assert down_sru.problem.startswith("Union SRU 无法连接") or "Union SRU" in down_sru.problem
    assert "Union Z" in down_z.problem
    assert down_sru.results == down_z.results == []
    assert [result.title for result in working.results] == ["围城"]


@pytest.mark.parametrize("protocol", [sru, z3950])
def test_a_server_that_never_answers_is_given_up_after_the_timeout(settings, protocol):
    settings.CATALOG_COPY_TIMEOUT = 0.5
    with silent_server() as port:
        settings.CATALOG_COPY_SERVERS = [protocol(port, "Slow")]
        started = time.monotonic()
        [answer] = copy_lookup(WEICHENG)
        waited = time.monotonic() - started
    assert answer.results == []
    assert "Slow" in answer.problem and "0.5" in answer.problem
    # The timeout bounds the wait (with room for a loaded machine), so the desk goes on.
    assert waited < 3


def test_a_server_that_answers_garbage_says_so(settings):
    with garbage_server() as port:
        settings.CATALOG_COPY_SERVERS = [sru(port, "Broken")]
        [answer] = copy_lookup(WEICHENG)
    assert answer.results == []
    assert "Broken" in answer.problem


@pytest.fixture
def librarian(client):
    client.force_login(UserFactory(roles=[Role.LIBRARIAN]))
    return client


@pytest.mark.django_db
def test_the_desk_fills_the_record_form_from_the_chosen_record_and_saves_only_what_is_posted(
    zebra, settings, librarian
):
    settings.CATALOG_COPY_SERVERS = [sru(zebra), z3950(zebra, "Zebra Z39.50")]
    response = librarian.get(reverse("catalog:cataloguing"), {"isbn": WEICHENG})
    assert response["Location"] == reverse("catalog:record-create") + f"?isbn={WEICHENG}"
    page = librarian.get(response["Location"]).content.decode()
    assert page.count("data-copy-result=") == 2
    assert "围城" in page and 'data-server="Zebra SRU"' in page
    assert Record.objects.count() == 0

    filled = librarian.get(reverse("catalog:record-create"), {"isbn": WEICHENG, "pick": "1-0"})
    form = filled.context["form"]
    assert form.initial["title"] == "围城"
    assert form.initial["publisher"] == "人民文学出版社"
    assert form.initial["year"] == "1991"
    assert form.initial["contributors"] == "钱锺书 著"
    assert 'data-copied-from="Zebra Z39.50"' in filled.content.decode()
    assert Record.objects.count() == 0  # filled, not saved: the librarian checks first

    posted = {
        name: value
        for name, value in form.initial.items()
        if name in ("isbn", "title", "publisher", "place", "year", "price", "clc_code", "contributors")
    }
    posted.update(
        token="copy-1",
        material_type="book",
        language="chi",
        **{"copies-count": "2", "copies-location": str(location_default().pk), "copies-source": "purchase"},
    )
    posted["title"] = "围城（精装）"  # the librarian's correction wins
    librarian.post(reverse("catalog:record-create"), posted)
    record = Record.objects.get()
    assert (record.title, record.publisher, record.year, record.isbn) == (
        "围城（精装）",
        "人民文学出版社",
        1991,
        WEICHENG,
    )
    assert record.authors_display == "钱锺书 著"
    assert record.copies.count() == 2


@pytest.mark.django_db
def test_a_down_server_leaves_the_form_to_fill_by_hand(settings, librarian):
    settings.CATALOG_COPY_SERVERS = [sru(free_port(), "Union")]
    page = librarian.get(reverse("catalog:record-create"), {"isbn": WEICHENG}).content.decode()
    assert "data-server-problem" in page and "Union" in page
    assert 'name="title"' in page


@pytest.mark.django_db
def test_a_pick_that_was_never_offered_fills_nothing(zebra, settings, librarian):
    settings.CATALOG_COPY_SERVERS = [sru(zebra)]
    kite = KITE.replace("-", "")
    librarian.get(reverse("catalog:record-create"), {"isbn": WEICHENG})
    # A pick from the answers for another ISBN is not taken: the servers are asked afresh.
    other_isbn = librarian.get(reverse("catalog:record-create"), {"isbn": kite, "pick": "0-0"})
    assert "title" not in other_isbn.context["form"].initial
    assert "data-copy-result=" in other_isbn.content.decode()
    for pick in ("7-0", "0-9", "x", "-"):
        wrong = librarian.get(reverse("catalog:record-create"), {"isbn": kite, "pick": pick})
        assert "title" not in wrong.context["form"].initial


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT])
def test_only_cataloguers_may_ask_the_servers(zebra, settings, client, role):
    settings.CATALOG_COPY_SERVERS = [sru(zebra)]
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("catalog:record-create"), {"isbn": WEICHENG})
    assert response.status_code == 403
    assert "catalog-copy-results" not in client.session


@pytest.mark.django_db
def test_without_servers_the_form_opens_as_before(settings, librarian):
    settings.CATALOG_COPY_SERVERS = []
    response = librarian.get(reverse("catalog:record-create"), {"isbn": WEICHENG})
    assert "data-copy-cataloguing" not in response.content.decode()
    assert response.context["form"].initial == {"isbn": WEICHENG}
