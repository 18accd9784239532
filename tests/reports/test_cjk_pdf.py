"""Chinese, Japanese and Korean in the minutes PDF: printed in an embedded subset of the CJK face,
read back exactly beside the other scripts."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import DictionaryObject, PdfObject

from mappa_desktop.services.minutes_content import MinutesDocument
from reports import fonts
from reports.minutes_pdf import render_minutes
from reports.text import para_text
from tests.reports import sample_minutes as sm

# (given names, family name) in each script: kanji + hiragana + katakana for Japanese.
CHINESE = ("小明", "王")
JAPANESE = ("はなこ", "山田")
JAPANESE_KATAKANA = ("ケンジ", "佐藤")
KOREAN = ("민준", "김")
NOTES = {
    0: "受害人已搬家，新地址保密。缓刑监督官每周联系一次。",
    1: "被害者は新しい住所に引っ越しました。住所は開示しないでください。",
    2: "피해자는 이사했습니다. 새 주소는 공개하지 않습니다.",
}
# One long run with no spaces: it has to wrap between characters.
LONG_CHINESE = "多机构公共保护安排会议记录" * 30
SUBSET_NAME = re.compile(r"^/[A-Z]{6}\+")


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def spaced(text: str) -> str:
    return " ".join(norm(text).split())


def squashed(text: str) -> str:
    return "".join(norm(text).split())


def cjk_document() -> MinutesDocument:
    doc = sm.document(case_count=6)  # cases 1-3 keep their Latin, Cyrillic and Arabic names
    for index, (given, family) in enumerate((CHINESE, JAPANESE, KOREAN)):
        doc = sm.with_case_field(
            doc,
            index + 3,
            given_names=given,
            family_name=family,
            aliases=(f"{family}{given}", "The Teacher"),
            victim_notes=NOTES[index],
            risk_summary=LONG_CHINESE if index == 0 else f"{family} {given}: 危険度は高い。",
        )
    return replace(doc, recipient=" ".join(JAPANESE_KATAKANA[::-1]))


@pytest.fixture(scope="module")
def cjk_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    pdf = render_minutes(cjk_document())
    path = tmp_path_factory.mktemp("cjk") / "minutes.pdf"
    path.write_bytes(pdf)
    return pdf, path


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")


def font_dictionaries(pdf: bytes) -> dict[str, DictionaryObject]:
    """Every font the pages use, by BaseFont."""
    found: dict[str, DictionaryObject] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        resources = _dictionary(page["/Resources"])
        for ref in _dictionary(resources["/Font"]).values():
            font = _dictionary(ref)
            found[str(font["/BaseFont"])] = font
    return found


def _dictionary(obj: object) -> DictionaryObject:
    resolved = obj.get_object() if isinstance(obj, PdfObject) else obj
    assert isinstance(resolved, DictionaryObject), resolved
    return resolved


def test_cjk_names_and_free_text_read_back_exactly(cjk_pdf: tuple[bytes, Path]) -> None:
    pdf, path = cjk_pdf
    for text in (pypdf_text(pdf), pdftotext(path)):
        flat = spaced(text)
        for given, family in (CHINESE, JAPANESE, KOREAN):
            assert f"{given} {family}" in flat
            assert f"{family}{given}" in flat  # the alias, no space between scripts' runs
        for note in NOTES.values():
            assert squashed(note) in squashed(text)
        assert squashed(LONG_CHINESE) in squashed(text)
        assert "\ufffd" not in text


def test_other_scripts_still_read_back_beside_cjk(cjk_pdf: tuple[bytes, Path]) -> None:
    pdf, path = cjk_pdf
    for text in (spaced(pypdf_text(pdf)), spaced(pdftotext(path))):
        for name in (sm.POLISH, sm.SWEDISH, sm.RUSSIAN, sm.GREEK, sm.VIETNAMESE, sm.ARABIC):
            assert name in text, name


def test_cjk_face_is_embedded_as_a_subset(cjk_pdf: tuple[bytes, Path]) -> None:
    found = font_dictionaries(cjk_pdf[0])
    cjk = [name for name in found if fonts.CJK in name]
    assert cjk, sorted(found)
    for name, font in found.items():
        assert SUBSET_NAME.match(name), name
        descriptor = _dictionary(font["/FontDescriptor"])
        assert "/FontFile2" in descriptor, name  # embedded TrueType outlines


def test_cjk_adds_kilobytes_not_megabytes(cjk_pdf: tuple[bytes, Path]) -> None:
    without = render_minutes(sm.document(case_count=6))
    extra = len(cjk_pdf[0]) - len(without)
    assert 0 < extra < 300_000, extra


def test_each_cjk_run_is_one_font_tag_and_markup_stays_escaped() -> None:
    markup = para_text("Smith & <Jones> 山田はなこ 김민준")
    assert markup.startswith("Smith &amp; &lt;Jones&gt; ")
    assert markup.count(f'<font face="{fonts.CJK}">') == 2
    assert f'<font face="{fonts.CJK}">山田はなこ</font>' in markup
    # Full-width punctuation keeps its own (CJK) glyph rather than being narrowed by NFKC.
    assert para_text("王，李") == f'<font face="{fonts.CJK}">王，李</font>'


def test_a_character_no_face_has_still_prints_as_a_visible_mark() -> None:
    assert para_text("\U0001fa7b") == "\ufffd"  # not in DejaVu nor in the CJK face
