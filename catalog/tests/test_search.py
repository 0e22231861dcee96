from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from catalog.models import Record
from catalog.search import search_match
from catalog.selectors.opac import RelevanceOrderedIds, SearchFilters, records_search
from catalog.services.copies import copy_set_status

from .factories import RecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    return {
        "xyj": RecordFactory(
            title="西游记", authors=["吴承恩"], isbn="9787020002207", clc_code="I242.4", year=2019, copies=2
        ),
        "hlm": RecordFactory(
            title="红楼梦", authors=["曹雪芹", "高鹗"], clc_code="I242.4", year=2008, copies=1
        ),
        "cfz": RecordFactory(title="草房子", authors=["曹文轩"], clc_code="I287.45", year=2016, copies=1),
        "hp": RecordFactory(
            title="Harry Potter and the Philosopher's Stone",
            authors=["J.K. Rowling"],
            clc_code="I561.84",
            language="eng",
            year=2000,
        ),
    }


def titles(query, **filters):
    result = records_search(SearchFilters(query=query, **filters))
    return [record.title for record in result.records]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("西游", ["西游记"]),
        ("游", ["西游记"]),
        ("xiyouji", ["西游记"]),
        ("xi you ji", ["西游记"]),
        ("xyj", ["西游记"]),
        ("XYJ", ["西游记"]),
        ("紅樓夢", ["红楼梦"]),
        ("hlm", ["红楼梦"]),
        ("曹", ["红楼梦", "草房子"]),
        ("曹雪芹", ["红楼梦"]),
        ("caoxueqin", ["红楼梦"]),
        ("9787020002207", ["西游记"]),
        ("978-7-02-000220-7", ["西游记"]),
        ("702000220X", ["西游记"]),
        ("I287.45", ["草房子"]),
        ("harry", ["Harry Potter and the Philosopher's Stone"]),
        ("rowling", ["Harry Potter and the Philosopher's Stone"]),
        ("红楼梦 高鹗", ["红楼梦"]),
        ("不存在的书", []),
    ],
)
def test_the_opac_finds_records_by_every_kind_of_query(shelf, query, expected):
    assert sorted(titles(query)) == sorted(expected)


def test_an_exact_title_ranks_first(shelf):
    RecordFactory(title="西游记故事", authors=["改编者"])
    assert titles("西游记")[0] == "西游记"


def test_titles_sort_in_pinyin_order_not_code_point_order(shelf):
    chinese = [title for title in titles("", sort="title") if not title.isascii()]
    assert chinese == ["草房子", "红楼梦", "西游记"]  # cao, hong, xi


def test_filters_narrow_the_results(shelf):
    assert sorted(titles("", clc="I242")) == ["红楼梦", "西游记"]
    assert titles("", year_from=2010, year_to=2017) == ["草房子"]
    copy_set_status(copy=shelf["cfz"].copies.get(), to_status="on_loan")
    assert "草房子" not in titles("", available=True)
    assert "Harry Potter and the Philosopher's Stone" not in titles("", available=True)


def test_the_results_page_needs_a_constant_number_of_queries(shelf, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as few:
        records_search(SearchFilters(query="曹"))
    for number in range(25):
        RecordFactory(title=f"曹操传{number}", authors=["某人"], copies=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = records_search(SearchFilters(query="曹"))
    assert result.count == 27
    assert len(result.records) == 20


def test_the_count_can_stop_at_a_limit(shelf):
    capped = records_search(SearchFilters(query="曹"), count_limit=1)
    exact = records_search(SearchFilters(query="曹"), count_limit=5)

    assert (capped.count, capped.count_capped, capped.page_count, len(capped.records)) == (1, True, 1, 1)
    assert capped.records[0].title == titles("曹")[0]
    assert (exact.count, exact.count_capped) == (2, False)
    assert records_search(SearchFilters(query="", sort="title"), count_limit=2).count_capped


def test_a_huge_or_strange_query_is_handled(shelf):
    assert titles("x" * 5000) == []
    assert titles("%") == []
    assert titles("_") == []
    assert titles("<script>alert(1)</script>") == []


def test_one_and_two_character_terms_find_every_field_whatever_the_number_of_authors(shelf):
    """On PostgreSQL the one- and two-character index must hold the characters of every
    searchable field, also for a record with many authors (its subjects come last)."""
    RecordFactory(
        title="远古世界", authors=["甲某", "乙某", "丙某"], subjects="恐龙；化石", publisher="某出版社"
    )
    assert titles("龙") == ["远古世界"]
    assert titles("化石") == ["远古世界"]


def test_a_short_term_mixing_latin_letters_and_chinese_is_found(shelf):
    RecordFactory(title="Q版三国人物", authors=["某人"])
    assert titles("q版") == ["Q版三国人物"]
    assert titles("Q版 三国") == ["Q版三国人物"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tiered page query is PostgreSQL's")
@pytest.mark.parametrize(("walk_rows", "walk_rows_per_row"), [(3000, 50), (40, 1), (0, 0)])
def test_postgresql_reads_the_page_tier_by_tier_in_exactly_the_order_of_relevance(
    monkeypatch, walk_rows, walk_rows_per_row
):
    """PostgreSQL reads each relevance tier in title order and only as far as the page needs
    (walking the first records in title order, or sorting the whole tier); the ids must be
    exactly those of ORDER BY relevance, title_sort, id, on every page."""
    monkeypatch.setattr(RelevanceOrderedIds, "WALK_ROWS", walk_rows)
    monkeypatch.setattr(RelevanceOrderedIds, "WALK_ROWS_PER_ROW", walk_rows_per_row)
    call_command("generate_data", records=400, copies_per_record=1, seed=11, stdout=StringIO())
    for title in ["少年", "少年科学", "少年科学故事", "科学少年"]:  # exact, prefix, inside
        RecordFactory(title=title, authors=["某人"])
    queries = [
        "书",
        "少年",
        "的",
        "中国",
        "科学",
        "i2",
        "i28",
        "sn",
        "shaonian",
        "xi you ji",
        "q版",
        "出版",
        "故事 少年",
    ]
    for query in queries:
        match = search_match(query)
        ordered = list(
            Record.objects.filter(match.condition)
            .annotate(relevance=match.relevance)
            .order_by("-relevance", "title_sort", "pk")
            .values_list("pk", flat=True)
        )
        tiered = RelevanceOrderedIds(
            matching=Record.objects.filter(match.condition),
            counted=Record.objects.filter(match.count_condition),
            tiers=match.tiers,
            relevance=match.relevance,
            title_prefixes=match.title_prefixes,
        )
        assert tiered.count() == len(ordered), query
        for start, stop in [(0, 20), (20, 40), (0, 7), (35, 60), (len(ordered) - 3, len(ordered) + 20)]:
            start = max(start, 0)
            assert tiered[start:stop] == ordered[start:stop], (query, start)
        capped = RelevanceOrderedIds(
            matching=Record.objects.filter(match.condition),
            counted=Record.objects.filter(match.count_condition),
            tiers=match.tiers,
            relevance=match.relevance,
            count_limit=10,
        )
        assert capped.count() == min(10, len(ordered))
        assert capped.capped == (len(ordered) > 10)
        assert capped[0:20] == ordered[0:20], query


def test_any_part_of_a_title_is_found_however_opencc_converts_that_part_alone(shelf):
    # OpenCC keeps 哪吒 as a phrase but turns 吒 alone into 咤, and 乾 alone into 干.
    RecordFactory(title="哪吒的生日", authors=["某人"])
    RecordFactory(title="乾隆皇帝", authors=["某人"])

    assert titles("吒") == ["哪吒的生日"]
    assert titles("吒的") == ["哪吒的生日"]
    assert titles("哪吒") == ["哪吒的生日"]
    assert titles("乾") == ["乾隆皇帝"]
    assert titles("乾隆") == ["乾隆皇帝"]
    assert titles("qianlong") == ["乾隆皇帝"]


def test_variant_characters_find_each_other_as_traditional_ones_do(shelf):
    """异体字: 钱锺书 and 钱钟书 are one writer, whichever form the record or the reader uses;
    錢鍾書 (which OpenCC turns into 钱锺书) too."""
    RecordFactory(title="围城", authors=["钱锺书"])
    RecordFactory(title="写在人生边上", authors=["钱钟书"])
    RecordFactory(title="又见棕榈，又见棕榈", authors=["於梨华"])
    RecordFactory(title="小王子在故事裏", authors=["某人"])
    both = ["写在人生边上", "围城"]

    assert sorted(titles("钱钟书")) == both
    assert sorted(titles("钱锺书")) == both
    assert sorted(titles("錢鍾書")) == both
    assert sorted(titles("锺")) == both
    assert titles("于梨华") == ["又见棕榈，又见棕榈"]
    assert titles("於梨華") == ["又见棕榈，又见棕榈"]
    assert titles("故事里") == ["小王子在故事裏"]


def test_a_records_stored_search_text_and_the_query_fold_variants_alike():
    from catalog.search import VARIANT_FORMS, query_terms, record_search_fields

    record = Record(title="钱锺书传", publisher="某出版社")
    stored = record_search_fields(record, ["錢鍾書"])
    assert "钱钟书传" in stored["search_text"] and "锺" not in stored["search_text"]
    assert stored["title_search"] == "钱钟书传"
    assert query_terms("钱锺书 傳") == ["钱钟书", "传"]
    # Every variant folds in the query exactly as in the record's text, and each folds to a
    # form the table itself leaves alone.
    for variant, common in VARIANT_FORMS.items():
        assert query_terms(variant) == [common]
        assert record_search_fields(Record(title=variant), [])["title_search"] == common
        assert common not in VARIANT_FORMS
