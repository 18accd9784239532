"""reports.text: escaping, cleaning and right-to-left shaping of user text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from reports import fonts
from reports.text import (
    REPLACEMENT,
    bidi_markup,
    clean,
    has_rtl,
    para_text,
    plain_text,
    user_paragraph,
)
from tests.reports.sample_minutes import ARABIC, GREEK, POLISH, RUSSIAN, SWEDISH, VIETNAMESE


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def style() -> ParagraphStyle:
    fonts.register_fonts()
    return ParagraphStyle("t", fontName=fonts.REGULAR, fontSize=10, leading=12)


def test_para_text_escapes_markup_characters() -> None:
    assert para_text('Smith & <Jones> "Q" O\'Brien') == (
        "Smith &amp; &lt;Jones&gt; &quot;Q&quot; O&#39;Brien"
    )


def test_para_text_markup_prints_literally_in_a_paragraph() -> None:
    text = 'Smith & <Jones> "Q" <b>not bold</b> &amp;'
    para = Paragraph(para_text(text), style())
    assert "".join(f.text for f in para.frags) == text


def test_para_text_keeps_line_breaks_as_br() -> None:
    assert para_text("one\ntwo\r\nthree") == "one<br/>two<br/>three"


@pytest.mark.parametrize("name", [POLISH, SWEDISH, RUSSIAN, GREEK, VIETNAMESE, "Øster Ñandú"])
def test_para_text_leaves_left_to_right_scripts_untouched(name: str) -> None:
    assert para_text(name) == name


def test_para_text_nfc_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    assert decomposed != VIETNAMESE
    assert para_text(decomposed) == VIETNAMESE


def test_para_text_arabic_is_joined_and_in_display_order() -> None:
    shaped = para_text(ARABIC)
    # joined: every letter became a contextual presentation form
    assert all(0xFE70 <= ord(ch) <= 0xFEFF for ch in shaped if ch != " ")
    # display order: read right to left, the letters are the logical text
    assert nfkc(shaped)[::-1] == ARABIC


def test_para_text_arabic_has_no_allah_ligature_dejavu_lacks() -> None:
    shaped = para_text("عبد الله")
    assert "\ufdf2" not in shaped
    assert nfkc(shaped)[::-1] == "عبد الله"


def test_para_text_hebrew_is_reversed_for_display() -> None:
    assert para_text("שלום עולם") == "םלוע םולש"


def test_para_text_embedded_arabic_keeps_latin_order() -> None:
    shaped = nfkc(para_text(f"Mr {ARABIC} met"))
    assert shaped.startswith("Mr ")
    assert shaped.endswith(" met")
    assert shaped[3:-4][::-1] == ARABIC


def test_para_text_removes_control_characters() -> None:
    assert para_text("a\x00b\x07c\x1bd\tz") == "abcd z"


def test_para_text_strips_explicit_bidi_controls_from_output() -> None:
    out = para_text("abc \u202bdef\u202c \u200f")
    assert not set(out) & set("\u202a\u202b\u202c\u202d\u202e\u200e\u200f")


def test_para_text_prints_missing_glyph_as_replacement_character() -> None:
    # (CJK has a face of its own now: tests/reports/test_cjk_pdf.py.)
    assert para_text("\U0001fa7b \ue000 \U000e01ef") == f"{REPLACEMENT} {REPLACEMENT} "


def test_para_text_missing_glyph_falls_back_to_its_compatibility_form() -> None:
    assert para_text("\U0001d400\U0001d41b") == "Ab"  # mathematical bold letters


def test_para_text_replaces_lone_surrogate() -> None:
    assert para_text("a\ud800b") == f"a{REPLACEMENT}b"


def test_para_text_uses_the_face_that_has_a_rare_character() -> None:
    regular = fonts.covered(fonts.REGULAR)
    bold = fonts.covered(fonts.BOLD)
    only_regular = chr(min(cp for cp in regular - bold if cp > 0x20))
    only_bold = chr(min(cp for cp in bold - regular if cp > 0x20))
    assert fonts.REGULAR_ONLY in para_text(only_regular)
    assert fonts.BOLD_ONLY in para_text(only_bold)


def test_clean_turns_line_separators_into_newlines() -> None:
    assert clean("a\u2028b\x85c\rd") == "a\nb\nc\nd"


def test_has_rtl_detects_arabic_hebrew_and_rtl_controls() -> None:
    assert has_rtl(ARABIC)
    assert has_rtl("שלום")
    assert has_rtl("abc\u202e")
    assert not has_rtl(f"{POLISH} {RUSSIAN} {GREEK} {VIETNAMESE}")


def test_plain_text_is_one_shaped_line_without_markup() -> None:
    out = plain_text(f"A & <B>\n{ARABIC}")
    assert out.startswith("A & <B> ")
    assert nfkc(out[len("A & <B> ") :])[::-1] == ARABIC


def test_bidi_markup_breaks_rtl_lines_in_logical_order() -> None:
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    words = [f"كلمة{letters[n % 28]}{letters[n // 28]}" for n in range(40)]
    source = " ".join(words)
    lines = bidi_markup(source, 120, fonts.REGULAR, 10).split("<br/>")
    assert len(lines) > 3
    logical = [nfkc(line)[::-1] for line in lines]
    # each printed line is a run of consecutive words, and the runs follow the text's order
    assert " ".join(logical) == source
    for line in lines:
        assert pdfmetrics.stringWidth(line, fonts.REGULAR, 10) <= 120


def test_user_paragraph_right_aligns_rtl_text_and_wraps_to_width() -> None:
    para = user_paragraph(" ".join([ARABIC] * 30), style())
    _, height = para.wrap(150, 1000)
    assert para.style.alignment == 2  # TA_RIGHT
    assert height > 3 * 12
    assert all(line.extraSpace >= -0.01 for line in para.__dict__["blPara"].lines)


def test_user_paragraph_split_pieces_keep_their_lines() -> None:
    para = user_paragraph("\n".join([ARABIC] * 20), style())
    para.wrap(150, 1000)
    first, second = para.split(150, 60)
    assert first.wrap(150, 60)[1] <= 60
    assert second.wrap(150, 1000)[1] > 0


def test_register_fonts_is_idempotent() -> None:
    fonts.register_fonts()
    names = pdfmetrics.getRegisteredFontNames()
    fonts.register_fonts()
    assert pdfmetrics.getRegisteredFontNames() == names
    assert {fonts.REGULAR, fonts.BOLD} <= set(names)


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_para_text_any_text_makes_a_valid_paragraph(text: str) -> None:
    para = Paragraph(para_text(text), style())
    _, height = para.wrap(200, 10_000)
    assert height >= 0
    assert "\x00" not in para_text(text)
