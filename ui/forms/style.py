"""Colours for what the screens say beyond plain text — a problem, a warning, something saved, a
notice, a hint — derived from the palette in use, so that they stay readable in a light, a dark
or a high-contrast scheme. Nothing else in ``ui`` names a colour.

Every text colour here has a contrast of at least 4.5:1 (WCAG 2.2 AA, 1.4.3) against the
background it is drawn on: each tone starts from a colour chosen for light or for dark
backgrounds and is then darkened or lightened until the WCAG relative-luminance contrast is met.

    style.set_tone(label, Tone.ERROR)        # a label's text; follows later palette changes
    style.set_box(frame, Tone.WARNING)       # a tinted panel with a border
    style.span("overdue", Tone.ERROR)        # a coloured run inside rich text
    style.brush(Tone.ERROR)                  # a table cell's ForegroundRole
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

MIN_CONTRAST = 4.5  # WCAG 2.2 AA for text
_TARGET = 4.6  # a little over, so a colour written as #rrggbb and read back still passes
_NON_TEXT = 3.0  # WCAG 1.4.11: borders and focus indicators
Role = QPalette.ColorRole
Group = QPalette.ColorGroup


class Tone(Enum):
    """What a coloured text means (not which colour it is)."""

    ERROR = "error"  # a refusal, a problem with a field, overdue
    WARNING = "warning"  # needs attention: a draft not recorded, a choice against a suggestion
    SUCCESS = "success"  # saved, ready, added or changed at this meeting
    INFO = "info"  # a notice, the focus emphasis
    MUTED = "muted"  # a hint, an ended item, "not applicable"


@dataclass(frozen=True, slots=True)
class _Seed:
    """Where a tone starts, on light and on dark backgrounds (text, then a tint for panels)."""

    light: str
    dark: str
    fill_light: str
    fill_dark: str


_SEEDS: dict[Tone, _Seed] = {
    Tone.ERROR: _Seed("#b00020", "#ff8a80", "#fff4f4", "#3b1518"),
    Tone.WARNING: _Seed("#7a4a00", "#ffb74d", "#fff4e5", "#3a2a10"),
    Tone.SUCCESS: _Seed("#0b5d1e", "#81c995", "#eef8f0", "#15301c"),
    Tone.INFO: _Seed("#0b3d91", "#8ab4f8", "#e8f0fe", "#172a45"),
    Tone.MUTED: _Seed("#5f6368", "#bdc1c6", "#f1f3f4", "#2d2f31"),
}


# ----- contrast (WCAG relative luminance) ---------------------------------------------------------


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour (0 black .. 1 white)."""
    rgb = colour.toRgb()
    return (
        0.2126 * _channel(rgb.redF())
        + 0.7152 * _channel(rgb.greenF())
        + 0.0722 * _channel(rgb.blueF())
    )


def over(top: QColor, bottom: QColor) -> QColor:
    """``top`` painted over an opaque ``bottom`` (placeholder text is often half transparent)."""
    a = top.alphaF()
    t, b = top.toRgb(), bottom.toRgb()
    return QColor.fromRgbF(
        t.redF() * a + b.redF() * (1 - a),
        t.greenF() * a + b.greenF() * (1 - a),
        t.blueF() * a + b.blueF() * (1 - a),
    )


def contrast(text: QColor, background: QColor) -> float:
    """WCAG contrast ratio (1 .. 21) of ``text`` drawn on ``background``."""
    first, second = luminance(over(text, background)), luminance(background)
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


def readable(colour: QColor, *backgrounds: QColor, minimum: float = _TARGET) -> QColor:
    """``colour``, darkened or lightened (same hue) until it reaches ``minimum`` contrast on
    every background; black or white when no shade of it does."""
    if all(contrast(colour, b) >= minimum for b in backgrounds):
        return QColor(colour)
    dark_room = min(contrast(QColor("black"), b) for b in backgrounds)
    light_room = min(contrast(QColor("white"), b) for b in backgrounds)
    step = -0.01 if dark_room >= light_room else 0.01
    hsl = colour.toHsl()
    hue = max(hsl.hslHueF(), 0.0)  # -1 for greys
    saturation, lightness = hsl.hslSaturationF(), hsl.lightnessF()
    while 0.0 <= lightness <= 1.0:
        lightness += step
        shade = QColor.fromHslF(hue, saturation, min(max(lightness, 0.0), 1.0))
        if all(contrast(shade, b) >= minimum for b in backgrounds):
            return shade
    return QColor("black" if step < 0 else "white")


# ----- the palette in use -------------------------------------------------------------------------


def current(palette: QPalette | None = None) -> QPalette:
    """The palette given, else the application's (the system's, unless a test set one)."""
    return palette if palette is not None else QGuiApplication.palette()


def on_dark(background: QColor) -> bool:
    """Light text reads better than dark text on ``background``."""
    return luminance(background) < 0.18


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether text sits on a dark background (a dark or high-contrast scheme)."""
    return on_dark(current(palette).color(Role.Window))


def tone_color(tone: Tone, *backgrounds: QColor) -> QColor:
    """The tone's text colour, readable on every one of ``backgrounds``."""
    seed = _SEEDS[tone]
    dark = all(on_dark(b) for b in backgrounds)
    return readable(QColor(seed.dark if dark else seed.light), *backgrounds)


def color(tone: Tone, palette: QPalette | None = None, *, role: Role = Role.Window) -> QColor:
    """The tone's text colour on the palette's ``role`` (Window for labels, Base for fields)."""
    return tone_color(tone, current(palette).color(Group.Active, role))


def fill(tone: Tone, palette: QPalette | None = None) -> QColor:
    """A tint of the tone for a panel's background: a dark one in a dark scheme (a light panel
    would glare), a light one otherwise. Text on it uses ``tone_color(tone, fill(...))``."""
    window = current(palette).color(Group.Active, Role.Window)
    seed = _SEEDS[tone]
    return QColor(seed.fill_dark if on_dark(window) else seed.fill_light)


# ----- style sheets and rich text -----------------------------------------------------------------


def _hex(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


def text_css(tone: Tone, palette: QPalette | None = None, *, bold: bool = False) -> str:
    weight = " font-weight: bold;" if bold else ""
    return f"color: {_hex(color(tone, palette))};{weight}"


_span_tones: dict[str, Tone] = {}  # each colour ``span`` wrote -> its tone (a handful)


def span(html: str, tone: Tone, palette: QPalette | None = None, *, bold: bool = False) -> str:
    """``html`` (already escaped) in the tone's colour, for a rich-text label on the window.
    Labels showing it take the new colour when the application palette changes."""
    written = _hex(color(tone, palette))
    if palette is None:
        _span_tones[written] = tone
    weight = " font-weight:bold;" if bold else ""
    return f"<span style='color:{written};{weight}'>{html}</span>"


def recolour_spans() -> None:
    """The palette changed: rich text on screen with ``span`` colours for the old palette gets
    the new palette's (a meeting's headers are not rebuilt until the next load)."""
    swaps = {old: _hex(color(tone)) for old, tone in _span_tones.items()}
    swaps = {old: new for old, new in swaps.items() if old != new}
    if not swaps:
        return
    written = re.compile("style='color:(" + "|".join(re.escape(s) for s in swaps) + ");")
    for widget in QApplication.allWidgets():
        if isinstance(widget, QLabel) and "style='color:#" in widget.text():
            text = written.sub(lambda m: f"style='color:{swaps[m[1]]};", widget.text())
            if text != widget.text():
                widget.setText(text)
    for old, new in swaps.items():
        _span_tones[new] = _span_tones[old]


def box_css(tone: Tone, palette: QPalette | None = None, *, selector: str = "") -> str:
    """A tinted panel: the tone's tint behind text in the tone's colour, a border in it.
    ``selector`` (``#objectName``) keeps the colours off the panel's children."""
    background = fill(tone, palette)
    text = tone_color(tone, background)
    border = readable(text, current(palette).color(Role.Window), minimum=_NON_TEXT)
    body = (
        f"background: {_hex(background)}; color: {_hex(text)}; "
        f"border: 1px solid {_hex(border)}; border-radius: 4px; padding: 6px;"
    )
    return f"{selector} {{ {body} }}" if selector else body


def banner_css(tone: Tone, palette: QPalette | None = None) -> str:
    """A strong band across a screen (the database cannot be reached): the window's colour on
    the tone's, bold."""
    window = current(palette).color(Role.Window)
    background = color(tone, palette)
    return (
        f"background: {_hex(background)}; color: {_hex(readable(window, background))}; "
        "padding: 6px; font-weight: bold;"
    )


def focus_css(palette: QPalette | None = None) -> str:
    """A visible focus (WCAG 2.4.7) for a screen whose style's own is too faint: a border round
    the field and an underlined, bold caption in the notice colour on buttons and boxes."""
    pal = current(palette)
    ring = readable(pal.color(Role.Highlight), pal.color(Role.Base), minimum=_NON_TEXT)
    caption = tone_color(Tone.INFO, pal.color(Role.Button), pal.color(Role.Window))
    return (
        "QLineEdit:focus, QPlainTextEdit:focus, QTextBrowser:focus, QComboBox:focus, "
        "QTableView:focus, QListWidget:focus, QTimeEdit:focus "
        f"{{ border: 2px solid {_hex(ring)}; }}\n"
        "QPushButton:focus, QCheckBox:focus, QRadioButton:focus "
        f"{{ color: {_hex(caption)}; text-decoration: underline; font-weight: bold; }}\n"
    )


# ----- table cells --------------------------------------------------------------------------------

_brushes: dict[tuple[Tone, int], QBrush] = {}


def brush(tone: Tone, palette: QPalette | None = None) -> QBrush:
    """A table cell's text in the tone (ForegroundRole), readable on both row colours."""
    pal = current(palette)
    key = (tone, pal.cacheKey())
    found = _brushes.get(key)
    if found is None:
        if len(_brushes) > 64:
            _brushes.clear()  # palettes come and go (a theme change); keep this small
        found = QBrush(tone_color(tone, pal.color(Role.Base), pal.color(Role.AlternateBase)))
        _brushes[key] = found
    return found


# ----- widgets that keep their tone when the palette changes --------------------------------------

_STYLE_PROPERTY = "mappaStyle"


def set_tone(widget: QWidget, tone: Tone | None, *, bold: bool = False) -> None:
    """Colour a label's (or button's) text in ``tone`` (None: back to the palette's own),
    now and whenever the application palette changes."""
    _set(widget, "" if tone is None else f"text:{tone.value}:{int(bold)}")


def set_box(widget: QWidget, tone: Tone | None) -> None:
    """Make ``widget`` a tinted panel in ``tone`` (its children keep the palette's colours when
    it has an object name)."""
    _set(widget, "" if tone is None else f"box:{tone.value}:0")


def set_banner(widget: QWidget, tone: Tone) -> None:
    _set(widget, f"banner:{tone.value}:0")


def set_focus_style(widget: QWidget) -> None:
    """The visible focus of ``focus_css`` for ``widget`` and everything in it."""
    _set(widget, "focus::0")


def _set(widget: QWidget, spec: str) -> None:
    _follower()
    widget.setProperty(_STYLE_PROPERTY, spec)
    _apply(widget)


def _css_for(widget: QWidget, spec: str) -> str:
    kind, tone_name, bold = spec.split(":")
    if kind == "focus":
        return focus_css()
    tone = Tone(tone_name)
    if kind == "text":
        return text_css(tone, bold=bold == "1")
    if kind == "box":
        name = widget.objectName()
        return box_css(tone, selector=f"#{name}" if name else "")
    return banner_css(tone)


def _apply(widget: QWidget, *, again: bool = False) -> None:
    spec = widget.property(_STYLE_PROPERTY)
    css = _css_for(widget, spec) if isinstance(spec, str) and spec else ""
    if again or widget.styleSheet() != css:
        widget.setStyleSheet(css)


def restyle() -> None:
    """The application palette changed: each widget styled here gets the new colours, rich text
    the new span colours, and every widget under a style sheet is polished again (a style sheet
    fixes the palettes of the widgets it applies to, which would keep the old scheme)."""
    for widget in QApplication.allWidgets():
        if isinstance(widget.property(_STYLE_PROPERTY), str):
            _apply(widget, again=True)
        elif widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())
    recolour_spans()


class _PaletteFollower(QObject):
    """Runs ``restyle`` once the application's palette has changed (the user switches to a dark
    or high-contrast scheme while the app runs): after the change has reached every widget."""

    def __init__(self, app: QObject) -> None:
        super().__init__(app)
        self._pending = False
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.ApplicationPaletteChange
            and watched is self.parent()
            and not self._pending
        ):
            self._pending = True
            QTimer.singleShot(0, self._run)
        return False

    def _run(self) -> None:
        self._pending = False
        restyle()


_the_follower: list[_PaletteFollower] = []


def _follower() -> _PaletteFollower:
    app = QApplication.instance()
    if not _the_follower or _the_follower[0].parent() is not app:
        assert app is not None
        _the_follower[:] = [_PaletteFollower(app)]
    return _the_follower[0]


# ----- the application palette --------------------------------------------------------------------

# (role to adjust, the roles it is read against): the few pairs where the system's own palette can
# fall short. Qt's standard light palette does on two: half-transparent placeholder text (about
# 4.0:1) and white on its light-blue selection (3.7:1).
_PAIRS: tuple[tuple[Role, tuple[Role, ...]], ...] = (
    (Role.PlaceholderText, (Role.Base,)),
    (Role.Link, (Role.Base, Role.Window)),
)


def readable_palette(palette: QPalette) -> QPalette | None:
    """``palette`` with the roles that would be unreadable made readable (same hue, darker or
    lighter), for the active and inactive windows; None when nothing needs changing. A
    placeholder here says what to type ("YYYY-MM-DD"), so it must be read too."""
    changed = QPalette(palette)
    touched = False
    for group in (Group.Active, Group.Inactive):
        for role, against in _PAIRS:
            backgrounds = [palette.color(group, r) for r in against]
            shown = over(palette.color(group, role), backgrounds[0])
            if min(contrast(shown, b) for b in backgrounds) < MIN_CONTRAST:
                changed.setColor(group, role, readable(shown, *backgrounds))
                touched = True
        selection = palette.color(group, Role.Highlight)
        selected_text = palette.color(group, Role.HighlightedText)
        if contrast(selected_text, selection) < MIN_CONTRAST:
            changed.setColor(group, Role.Highlight, readable(selection, selected_text))
            touched = True
    return changed if touched else None


class _PaletteKeeper(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ApplicationPaletteChange and watched is self.parent():
            keep_palette_readable()
        return False


def keep_palette_readable() -> None:
    """Make the application palette's few faint roles readable (``readable_palette``); the
    other roles still follow the system."""
    fixed = readable_palette(QGuiApplication.palette())
    if fixed is not None:
        QGuiApplication.setPalette(fixed)


def follow_palette(app: QApplication) -> QObject:
    """At start-up: a readable palette now and after every change of the system's palette.
    Returns the watcher (``app.removeEventFilter`` it to stop)."""
    keeper = _PaletteKeeper(app)
    app.installEventFilter(keeper)
    keep_palette_readable()
    return keeper
