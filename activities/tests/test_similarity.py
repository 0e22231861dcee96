"""The copy check: a note nearly identical to another pupil's, or to the record's summary, is
flagged for the reviewer with the similar text; different notes and a pupil's own earlier notes
are not."""

import pytest
from django.urls import reverse

from circulation.tests.factories import SchoolClassFactory

from ..models import WorkFingerprint
from ..services.notes import note_save_draft, note_start, note_submit
from ..services.similarity import BANDS, jaccard, shingles
from .factories import REFLECTION, SUMMARY, book, librarian, pupil

pytestmark = pytest.mark.django_db
OTHER = (
    "《西游记》讲了唐僧师徒四人去西天取经的故事。我最喜欢孙悟空，他本领高强，会七十二变，一个筋斗能翻十万八千里。"
    "他不怕困难，遇到妖怪总是冲在最前面，保护师父。我觉得做事情也要像孙悟空一样勇敢，不怕失败，坚持到底，"
    "才能取得成功。我还明白了团结的重要，师徒四人互相帮助，才走完了九九八十一难。"
)


def hand_in(reader, reflection, *, record=None):
    record = record or book()[0]
    note = note_start(reader=reader, record=record)
    note_save_draft(
        note=note, reader=reader, title="读后感", summary=SUMMARY, reflection=reflection, revision=0
    )
    return note_submit(note=note, reader=reader)


def test_a_near_copy_of_another_pupils_note_is_flagged_with_both_texts():
    first = pupil(school_class=SchoolClassFactory(grade=4, number=1))
    second = pupil()
    original = hand_in(first, REFLECTION)

    copied = hand_in(second, REFLECTION.replace("桑桑", "桑桑同学", 1) + "真好看。")
    different = hand_in(pupil(), OTHER)

    assert original.similarity is None
    assert copied.similarity is not None and copied.similarity >= 0.8
    assert copied.similar_text == REFLECTION
    assert copied.similar_source.startswith("四年级(1)班一名学生")
    assert different.similarity is None
    assert WorkFingerprint.objects.filter(work_id=copied.pk).count() == BANDS


def test_a_pupils_own_earlier_note_is_not_a_copy():
    reader = pupil()
    hand_in(reader, REFLECTION)

    again = hand_in(reader, REFLECTION + "我还想再读一遍。")

    assert again.similarity is None


def test_a_reflection_copied_from_the_records_summary_is_flagged():
    record, _copies = book("草房子", summary=REFLECTION + "本书获得多项大奖。")

    copied = hand_in(pupil(), REFLECTION, record=record)

    assert copied.similarity == 1.0
    assert copied.similar_source == "馆藏书目中的内容提要"


def test_the_reviewer_sees_the_similar_text_side_by_side(client):
    school_class = SchoolClassFactory(grade=5, number=3)
    hand_in(pupil(), REFLECTION)
    reader = pupil(school_class=school_class)
    copied = hand_in(reader, REFLECTION)
    client.force_login(librarian())

    page = client.get(
        reverse("activities:review-work", args=[school_class.pk, "note", copied.pk])
    ).content.decode()
    queue = client.get(reverse("activities:review-class", args=[school_class.pk, "note"])).content.decode()

    assert "data-similar-text" in page and "几乎相同的文字（相似度 1.00）" in page
    assert "data-similar" in queue


def test_shingles_ignore_spaces_and_punctuation():
    assert jaccard(shingles("我 爱 读 书，读书真好！"), shingles("我爱读书读书真好")) == 1.0
    assert len(shingles("短")) == 0
