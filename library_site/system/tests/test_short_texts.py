"""manage.py short_texts lists the interface texts of one or two words with their context, their
zh-Hans translation and the places that use them (the word review of issue 14)."""

import io

from django.core.management import call_command


def test_it_lists_each_short_text_with_its_context_translation_and_places():
    out = io.StringIO()
    call_command("short_texts", stdout=out)
    lines = out.getvalue().splitlines()
    school_class = next(line for line in lines if line.startswith("Class [school class] => 班级 | "))
    assert "templates/circulation/class_sets.html:" in school_class
    assert any(line.startswith("Class [library classification] => 分类 | ") for line in lines)
    assert lines[-1].endswith("short texts.") and int(lines[-1].split()[0]) > 1000


def test_without_context_it_keeps_the_texts_more_than_one_file_uses():
    out = io.StringIO()
    call_command("short_texts", "--no-context", stdout=out)
    lines = out.getvalue().splitlines()[:-1]
    assert lines and not any(" [" in line.split(" => ")[0] for line in lines)
    save = next(line for line in lines if line.startswith("Save => "))
    assert len({place.rsplit(":", 1)[0] for place in save.split(" | ")[1].split("; ")}) > 1
