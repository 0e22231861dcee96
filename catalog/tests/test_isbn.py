import pytest

from catalog.exceptions import InvalidISBN
from catalog.isbn import isbn_hyphenate, isbn_looks_like, isbn_normalise, isbn_to_10


@pytest.mark.parametrize(
    "typed",
    [
        "9787020002207",
        "978-7-02-000220-7",
        "978 7 02 000220 7",
        "7-02-000220-X",
        "702000220x",
        "９７８７０２０００２２０７",
    ],
)
def test_every_form_of_an_isbn_becomes_the_same_isbn13(typed):
    assert isbn_normalise(typed) == "9787020002207"


@pytest.mark.parametrize(
    "typed", ["9787020002208", "7-02-000220-1", "12345", "", "abcdefghij", "97870200022071"]
)
def test_wrong_isbns_are_refused(typed):
    with pytest.raises(InvalidISBN):
        isbn_normalise(typed)


def test_isbns_are_shown_hyphenated_and_converted():
    assert isbn_hyphenate("9787020002207") == "978-7-02-000220-7"
    assert isbn_to_10("9787020002207") == "702000220X"


def test_a_query_that_looks_like_an_isbn():
    assert isbn_looks_like("978-7-02-000220-7")
    assert not isbn_looks_like("红楼梦")
    assert not isbn_looks_like("I247.5/12")
