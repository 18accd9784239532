"""A right-to-left override in one field of the minutes cannot reorder the text printed after it.

Free text keeps its marks (an override reverses what follows it in its own field, as the writer
asked), but it stops at the end of the field; names from before the text rules (stored with
an override) are shown contained in the lines they are composed into. Read back with pypdf and
pdftotext.
"""

from __future__ import annotations

import pytest

from mappa_desktop.services.minutes_content import InformationEntry
from reports.text import para_text, plain_text
from tests.reports import sample_minutes as sm
from tests.reports.test_minutes_pdf import Rendered, render, spaced

RLO = "\u202e"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    doc = sm.with_case_field(
        sm.document(),
        0,
        given_names=f"{RLO}Ali",  # stored before names refused it
        family_name="Hassan",
        victim_notes=f"Victim lives with {RLO}her mother",
        information=(
            InformationEntry("Thames Valley Police", f"Seen at {RLO}the park"),
            InformationEntry("Housing Services", "Tenancy warning issued today."),
        ),
    )
    doc = sm.with_case_field(doc, 1, address_area=f"{RLO}Leeds")  # case 2 is of no fixed abode
    return render(doc, tmp_path_factory.mktemp("bidi"), "hostile")


def test_override_in_free_text_stops_at_the_end_of_its_field(hostile: Rendered) -> None:
    flow = hostile.flow
    assert "Victim lives with rehtom reh" in flow
    assert "Seen at krap eht" in flow
    # the next field, and the next agency's entry, read in their own order
    assert "Tenancy warning issued today." in flow
    assert ".yadot deussi gninraw ycnaneT" not in flow


def test_override_in_an_old_name_does_not_reverse_the_rest_of_the_heading(
    hostile: Rendered,
) -> None:
    assert "Case 1 of 3: ilA Hassan" in hostile.flow
    layout = spaced(hostile.all_layout)
    assert "ilA Hassan" in layout and "nassaH" not in layout


def test_override_in_an_old_address_stays_inside_its_brackets(hostile: Rendered) -> None:
    assert "No fixed abode (area: sdeeL)" in hostile.flow
    assert ")sdeeL" not in hostile.flow


def test_pdftotext_reads_the_text_after_the_field_in_order(hostile: Rendered) -> None:
    raw = spaced("\n".join(hostile.raw))
    assert "Victim lives with rehtom reh" in raw
    assert "Tenancy warning issued today." in raw


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"Mr {RLO}Smith", "Mr htimS"),
        (f"a {RLO}bc\u2069 d", "a d cb"),  # a stray closer cannot end the override early
        ("\u2067abc", "abc"),
    ],
)
def test_each_field_is_its_own_isolated_paragraph(text: str, shown: str) -> None:
    assert plain_text(text) == shown
    assert para_text(text) == shown
    assert plain_text(f"{text}\nafter it") == f"{shown} after it"
