"""The toolkit's PDF font: a Chinese TrueType font found on the server (or set in
LABEL_FONT_PATH), refused with what to do when there is none (moved from catalog's label tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from library_site.documents import pdf
from library_site.documents.exceptions import FontMissing


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists(), reason="no DejaVu Sans"
)
def test_a_label_font_without_chinese_characters_is_refused(settings):
    settings.LABEL_FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    with translation.override("en"), pytest.raises(FontMissing) as refused:
        pdf.label_font()
    assert "LABEL_FONT_PATH" in str(refused.value.message)
    assert "no Chinese characters" in str(refused.value.message)


def test_a_missing_label_font_file_is_refused(settings):
    settings.LABEL_FONT_PATH = "/nowhere/font.ttf"
    with translation.override("en"), pytest.raises(FontMissing) as refused:
        pdf.label_font()
    assert "does not exist" in str(refused.value.message)


@pytest.fixture
def no_chinese_font(monkeypatch, settings):
    """A server without any Chinese font: no known file, and fontconfig finds nothing."""
    settings.LABEL_FONT_PATH = ""
    monkeypatch.setattr(pdf, "_fonts", {})
    monkeypatch.setattr(pdf, "SYSTEM_FONT_FILES", ("/nowhere/wqy-microhei.ttc:0",))
    monkeypatch.setattr(pdf, "FC_MATCH", "/nowhere/fc-match")
    monkeypatch.setattr(pdf, "FC_LIST", "/nowhere/fc-list")


def test_no_chinese_font_on_the_server_says_what_to_install(no_chinese_font):
    with translation.override("en"), pytest.raises(FontMissing) as refused:
        pdf.label_font()
    assert "apt install fonts-wqy-microhei" in str(refused.value.message)


def test_the_font_is_found_on_this_server():
    assert pdf.label_font().startswith("LabelFont")
