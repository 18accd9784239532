"""Every screen and dialog follows the palette (issue 12 §2): under a light, a dark and a
high-contrast palette, each visible text has a contrast of at least 4.5:1 against what it is
drawn on (WCAG 2.2 AA, 1.4.3).

The check reads Qt itself, without rendering: a widget's text and background colours from its
palette roles after polishing (a style sheet's ``color``/``background`` land there), the colours
of style-sheet rules that apply only in a state (``:focus``), colours written into rich text,
and a table's per-cell ForegroundRole/BackgroundRole. Disabled controls are left out (WCAG
exempts inactive controls). The screens come from ``ui.screenshots.tour``, the same walk the
screenshots take, on a real SQLite file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCharts import QAbstractBarSeries, QChartView
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenuBar,
    QPlainTextEdit,
    QRadioButton,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mappa_desktop.domain.enums import MeetingStatus
from mappa_desktop.services import meetings, minutes, referrals
from mappa_desktop.services.actor import Actor
from tests.conftest import Database
from tests.mappa_desktop.factories_meetings import MEETING_DAY, NAMES, agency_id, ready_meeting
from tests.ui.meeting_helpers import chair, context, scheduled_meeting, seed
from ui.forms import palettes, style
from ui.forms.style import MIN_CONTRAST, Tone, contrast
from ui.main_window import MainWindow
from ui.screenshots import tour
from ui.views.meeting import MeetingView

pytestmark = pytest.mark.gui
Role = QPalette.ColorRole
STYLED = "mappaStyle"  # the property ui.forms.style puts on the widgets it colours


# ----- the data every screen shows ---------------------------------------------------------------


def build_screens(db: Database) -> Actor:
    """Cases with overdue actions and a plan, a planned meeting with three cases, a draft
    meeting ready for sign-off, a signed meeting and a referral awaiting screening. Returns the
    user (administrator, co-ordinator, chair and minute-taker: every button shows)."""
    actor = chair(db)
    seeded = seed(db, actor)
    scheduled_meeting(db, actor, seeded.case_ids)
    ready_meeting(db, actor, names=NAMES[2:4])
    signed = ready_meeting(db, actor, names=NAMES[4:6])
    with db.sessions.begin() as s:
        meetings.submit_for_sign_off(s, actor, signed.meeting_id)
        minutes.sign_off(s, actor, signed.meeting_id)
        referrals.create_referral(
            s,
            actor,
            case_id=seeded.case_ids[0],
            referring_agency_id=agency_id(s, "Probation"),
            referral_date=MEETING_DAY,
            category=2,
            level_sought=3,
            reason="Threats to a former partner after release on licence.",
            current_rosh="very_high",
            added_value="Joint visits and a disclosure decision.",
            level3_reason="Needs senior police resources for covert monitoring.",
            referrer_name="DS Ada Lovelace",
        )
    return actor


def settle() -> None:
    app = QCoreApplication.instance()
    assert app is not None
    for _ in range(5):
        app.processEvents()


@pytest.fixture
def use_palette(qapp: QApplication) -> Iterator[None]:
    """The app as it starts (readable placeholders kept), and its palette put back after."""
    before = QPalette(qapp.palette())
    keeper = style.follow_palette(qapp)
    yield
    qapp.removeEventFilter(keeper)
    keeper.deleteLater()
    qapp.setPalette(before)
    settle()


def apply_palette(name: str) -> None:
    QApplication.setPalette(palettes.BY_NAME[name]())
    settle()


# ----- reading the colours -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    what: str
    text: QColor
    background: QColor

    @property
    def ratio(self) -> float:
        return contrast(self.text, self.background)

    def __str__(self) -> str:
        return f"{self.what}: {self.text.name()} on {self.background.name()} = {self.ratio:.2f}:1"


_RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")
_DECLARATION = re.compile(r"(?<![\w-])(color|background-color|background)\s*:\s*([^;]+)")
_RICH_COLOUR = re.compile(
    r"(?:(?<![\w-])color\s*:\s*([^;'\"]+)|<font[^>]*\bcolor=[\"']?([^\"' >]+))"
)


def parse_colour(value: str, widget: QWidget) -> QColor | None:
    """A style-sheet colour: #hex, a name, rgb(), or palette(role) of the widget."""
    value = value.strip().split()[0] if value.strip() else ""
    if value.startswith("palette("):
        name = value[len("palette(") : -1].replace("-", "")
        role = next((r for r in Role if r.name.lower() == name.lower()), None)
        return widget.palette().color(role) if role is not None else None
    colour = QColor(value)
    return colour if colour.isValid() else None


def _selector_matches(selector: str, widget: QWidget) -> bool:
    last = selector.strip().split()[-1] if selector.strip() else ""
    compound = last.split(":")[0]
    kind, _, name = compound.partition("#")
    if name and name != widget.objectName():
        return False
    return not kind or kind == "*" or widget.inherits(kind)


def sheet_colours(widget: QWidget) -> tuple[list[QColor], QColor | None]:
    """Text colours style sheets give ``widget`` in any state (its own and its ancestors'
    rules), and the background the nearest rule gives it (None: none)."""
    texts: list[QColor] = []
    background: QColor | None = None
    owner: QWidget | None = widget
    while owner is not None:
        sheet = re.sub(r"/\*.*?\*/", "", owner.styleSheet(), flags=re.S)
        blocks: list[tuple[str, str]] = [(m[1], m[2]) for m in _RULE.finditer(sheet)]
        if "{" not in sheet:
            blocks.append(("", sheet))  # bare declarations: the widget and all inside it
        for selectors, body in blocks:
            applies = not selectors.strip() or any(
                _selector_matches(s, widget) for s in selectors.split(",")
            )
            if not applies:
                continue
            for prop, value in _DECLARATION.findall(body):
                colour = parse_colour(value, widget)
                if colour is None:
                    continue
                if prop == "color":
                    texts.append(colour)
                elif background is None:
                    background = colour
        if owner.isWindow():
            break
        owner = owner.parentWidget()
    return texts, background


def behind(widget: QWidget) -> QColor:
    """What a widget that paints no background of its own (a label, a check box) is drawn on:
    the nearest of itself and its ancestors that fills its background."""
    current: QWidget | None = widget
    while current is not None:
        _texts, own = sheet_colours(current)
        if own is not None:
            return own
        if current.autoFillBackground() or current.isWindow():
            return current.palette().color(current.backgroundRole())
        current = current.parentWidget()
    return QApplication.palette().color(Role.Window)


def _label(w: QWidget) -> str:
    text = ""
    if isinstance(w, QLabel | QAbstractButton):
        text = re.sub(r"<[^>]+>", "", w.text())[:40]
    return f"{type(w).__name__}({w.objectName() or w.accessibleName() or text!r})"


def _rich_colours(html: str, widget: QWidget) -> list[QColor]:
    out = []
    for first, second in _RICH_COLOUR.findall(html):
        colour = parse_colour(first or second, widget)
        if colour is not None:
            out.append(colour)
    return out


def widget_pairs(w: QWidget) -> Iterator[Pair]:
    """Every (text colour, background) this widget draws."""
    pal = w.palette()
    name = _label(w)
    state_colours, own_background = sheet_colours(w)
    if isinstance(w, QLabel):
        if not w.text():
            return
        background = behind(w)
        yield Pair(name, pal.color(w.foregroundRole()), background)
        for colour in _rich_colours(w.text(), w):
            yield Pair(f"{name} rich text", colour, background)
        if "<a " in w.text():
            yield Pair(f"{name} link", pal.color(Role.Link), background)
        for colour in state_colours:
            yield Pair(f"{name} style sheet", colour, background)
    elif isinstance(w, QCheckBox | QRadioButton | QGroupBox):
        text = w.title() if isinstance(w, QGroupBox) else w.text()
        if not text:
            return
        background = behind(w)
        yield Pair(name, pal.color(Role.WindowText), background)
        for colour in state_colours:
            yield Pair(f"{name} style sheet", colour, background)
    elif isinstance(w, QAbstractButton):
        if not w.text():
            return
        background = own_background or pal.color(Role.Button)
        yield Pair(name, pal.color(Role.ButtonText), background)
        for colour in state_colours:
            yield Pair(f"{name} style sheet", colour, background)
    elif isinstance(w, QComboBox) and not w.isEditable():
        yield Pair(name, pal.color(Role.ButtonText), own_background or pal.color(Role.Button))
    elif isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit | QAbstractSpinBox | QComboBox):
        base = own_background or pal.color(Role.Base)
        yield Pair(name, pal.color(Role.Text), base)
        placeholder = getattr(w, "placeholderText", lambda: "")()
        if placeholder:
            yield Pair(f"{name} placeholder", pal.color(Role.PlaceholderText), base)
        if isinstance(w, QTextEdit):
            html = w.toHtml()
            for colour in _rich_colours(html, w):
                yield Pair(f"{name} rich text", colour, base)
            if "<a " in html:
                yield Pair(f"{name} link", pal.color(Role.Link), base)
    elif isinstance(w, QHeaderView):
        yield Pair(name, pal.color(Role.ButtonText), pal.color(Role.Button))
    elif isinstance(w, QAbstractItemView):
        yield from cell_pairs(w, name)
    elif isinstance(w, QTabBar | QMenuBar):
        yield Pair(name, pal.color(Role.WindowText), behind(w))
    elif isinstance(w, QChartView):
        chart = w.chart()
        background = chart.backgroundBrush().color()
        yield Pair(f"{name} title", chart.titleBrush().color(), background)
        for axis in chart.axes():
            yield Pair(f"{name} axis", axis.labelsBrush().color(), background)
        if chart.legend().isVisible():
            yield Pair(f"{name} legend", chart.legend().labelBrush().color(), background)
        for series in chart.series():
            if isinstance(series, QAbstractBarSeries) and series.isLabelsVisible():
                outside = (
                    series.labelsPosition() == QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd
                )
                for bar_set in series.barSets():
                    under = background if outside else bar_set.color()
                    yield Pair(f"{name} bar value", bar_set.labelColor(), under)


def cell_pairs(view: QAbstractItemView, name: str, limit: int = 120) -> Iterator[Pair]:
    """The cells' text on their rows, as the model colours them; the selection colours."""
    pal = view.palette()
    yield Pair(f"{name} selected row", pal.color(Role.HighlightedText), pal.color(Role.Highlight))
    model = view.model()
    if model is None:
        return
    alternate = view.alternatingRowColors()
    root = QModelIndex()
    columns = 1 if isinstance(view, QListView) else model.columnCount(root)
    for row in range(min(model.rowCount(root), limit)):
        for column in range(columns):
            index = model.index(row, column, QModelIndex())
            if not model.data(index, Qt.ItemDataRole.DisplayRole):
                continue
            fg = model.data(index, Qt.ItemDataRole.ForegroundRole)
            bg = model.data(index, Qt.ItemDataRole.BackgroundRole)
            row_colour = pal.color(Role.AlternateBase if alternate and row % 2 else Role.Base)
            text = _brush_colour(fg) or pal.color(Role.Text)
            back = _brush_colour(bg) or row_colour
            yield Pair(f"{name} cell ({row}, {column})", text, back)


def _brush_colour(value: object) -> QColor | None:
    if value is None:
        return None
    colour = value.color() if isinstance(value, QBrush) else value
    return colour if isinstance(colour, QColor) and colour.isValid() else None


def low_contrast(window: QWidget) -> list[str]:
    """Every visible, enabled text of ``window`` (its own widgets, not other windows') under
    4.5:1, one line each."""
    problems: list[str] = []
    for w in [window, *window.findChildren(QWidget)]:
        if w.window() is not window or not w.isVisible() or not w.isEnabled():
            continue
        problems.extend(str(p) for p in widget_pairs(w) if p.ratio < MIN_CONTRAST)
    return list(dict.fromkeys(problems))


def texts_checked(window: QWidget) -> int:
    return sum(
        1
        for w in [window, *window.findChildren(QWidget)]
        if w.window() is window and w.isVisible() and w.isEnabled()
        for _ in widget_pairs(w)
    )


# ----- the checker itself: it finds what is unreadable -------------------------------------------


def test_the_check_finds_unreadable_text(qtbot: QtBot, use_palette: None) -> None:
    apply_palette("dark")
    window = QWidget()
    qtbot.addWidget(window)
    faint = QLabel("faint", window)
    faint.setStyleSheet("color: #555555;")
    red = QLabel("<span style='color:#b00020'>overdue</span>", window)
    focus = QCheckBox("tick me", window)
    window.setStyleSheet("QCheckBox:focus { color: #0b3d91; }")
    boxed = QLabel("warned", window)
    boxed.setStyleSheet("background: #fff4e5; color: #ffffff;")
    fine = QLabel("plain", window)
    for n, w in enumerate((faint, red, focus, boxed, fine)):
        w.move(0, 30 * n)
    window.show()
    settle()
    found = "\n".join(low_contrast(window))
    assert "QLabel('faint')" in found
    assert "QLabel('overdue') rich text" in found
    assert "QCheckBox('tick me') style sheet" in found
    assert "QLabel('warned')" in found and "on #fff4e5" in found
    assert "'plain'" not in found, found


def test_contrast_follows_the_wcag_formula() -> None:
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    assert contrast(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)
    half = QColor(0, 0, 0, 128)  # Qt's default placeholder: half-transparent black
    assert contrast(half, QColor("white")) == pytest.approx(4.0, abs=0.01)  # under 4.5


@pytest.mark.parametrize("name", list(palettes.BY_NAME))
def test_every_tone_is_readable_where_it_is_used(name: str) -> None:
    pal = palettes.BY_NAME[name]()
    window, base, alternate = (pal.color(r) for r in (Role.Window, Role.Base, Role.AlternateBase))
    for tone in Tone:
        assert contrast(style.color(tone, pal), window) >= MIN_CONTRAST, tone
        cell = style.brush(tone, pal).color()
        assert min(contrast(cell, base), contrast(cell, alternate)) >= MIN_CONTRAST, tone
        panel = style.fill(tone, pal)
        css = style.box_css(tone, pal)
        text = QColor(re.findall(r"(?<!-)color: (#\w+)", css)[0])
        assert contrast(text, panel) >= MIN_CONTRAST, (tone, css)
    banner = style.banner_css(Tone.ERROR, pal)
    back, text = (QColor(c) for c in re.findall(r"#\w{6}", banner)[:2])
    assert contrast(text, back) >= MIN_CONTRAST


def test_a_colour_is_adjusted_until_it_reads_on_any_background() -> None:
    for background in ("#ffffff", "#efefef", "#808080", "#6a6a6a", "#353535", "#000000", "#ffff00"):
        for start in ("#b00020", "#ff8a80", "#ffff00", "#0000ff", "#777777", "#ffffff"):
            shade = style.readable(QColor(start), QColor(background))
            assert contrast(shade, QColor(background)) >= MIN_CONTRAST, (start, background)


# ----- every screen, in each palette -------------------------------------------------------------


def _parent_shown(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return parent is None or parent.isVisible()


def revealed(window: QWidget) -> list[str]:
    """Show, check and hide again what the styles module colours but the screen hides until
    needed (a field's error, the offline banner, a conflict panel, a refusal)."""
    hidden = [
        w
        for w in window.findChildren(QWidget)
        if w.window() is window and w.property(STYLED) and w.isHidden() and _parent_shown(w)
    ]
    texts = {w: w.text() for w in hidden if isinstance(w, QLabel)}
    for w in hidden:
        if isinstance(w, QLabel) and not w.text():
            w.setText("Shown by the test: a sample message")
        w.show()
    settle()
    try:
        return [f"(shown by the test) {p}" for p in low_contrast(window)]
    finally:
        for w in hidden:
            w.hide()
            if isinstance(w, QLabel):
                w.setText(texts[w])


def walk_and_check(qtbot: QtBot, window: MainWindow) -> tuple[int, int, list[str]]:
    stops = texts = 0
    problems: list[str] = []
    for stem, shown in tour(window, wait=lambda c: qtbot.waitUntil(c, timeout=20_000)):
        settle()
        stops += 1
        texts += texts_checked(shown)
        problems += [f"{stem}: {p}" for p in low_contrast(shown) + revealed(shown)]
    return stops, texts, problems


@pytest.mark.parametrize("name", list(palettes.BY_NAME))
def test_every_screen_is_readable_in_the_palette(
    qtbot: QtBot, sqlite_db: Database, use_palette: None, name: str
) -> None:
    actor = build_screens(sqlite_db)
    apply_palette(name)
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.reload_all()
    stops, texts, problems = walk_and_check(qtbot, window)
    assert stops >= 30, stops  # every page, record tab, meeting page and dialog was shown
    assert texts > 1000, texts
    assert not problems, "\n".join(problems)
    window.close()


def test_screens_already_open_follow_a_change_of_palette(
    qtbot: QtBot, sqlite_db: Database, use_palette: None
) -> None:
    """The user switches the desktop to dark while a meeting is open."""
    actor = build_screens(sqlite_db)
    apply_palette("light")
    window = MainWindow(context(sqlite_db, actor))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.reload_all()
    for stem, _shown in tour(window, wait=lambda c: qtbot.waitUntil(c, timeout=20_000)):
        if stem == "43-meeting-decisions":
            break
    # And the planned meeting, whose first case has an overdue action (a red "overdue").
    planned = [r for r in window.meetings.model.rows() if r.status is MeetingStatus.PLANNED]
    window.open_meeting(planned[0].id)
    view = window.tabs.currentWidget()
    assert isinstance(view, MeetingView)
    qtbot.waitUntil(lambda: view.data is not None)
    page = view.current_case()
    assert page is not None
    view.show_page(page)
    settle()
    spans = [w for w in page.findChildren(QLabel) if "overdue</span>" in w.text()]
    assert spans and all(w.isVisible() for w in spans)
    for name in ("high-contrast", "dark", "light"):
        apply_palette(name)
        assert not low_contrast(window), f"{name}:\n" + "\n".join(low_contrast(window))
    window.close()
