"""Render the application icon's PNG sizes from resources/icons/mappa-desktop.svg with Qt's
QSvgRenderer. Run after editing the SVG: ``QT_QPA_PLATFORM=offscreen .venv/bin/python
.ci/bundle/render_icons.py``; the PNGs are committed (the app, the desktop entry and the bundle
use them, so none of those needs Qt's SVG plug-ins at run time)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "mappa-desktop.svg"))
    if not renderer.isValid():
        sys.stderr.write("error: resources/icons/mappa-desktop.svg is not a valid SVG\n")
        return 1
    for size in SIZES:
        target = ICONS / f"mappa-desktop-{size}.png"
        if not render(renderer, size).save(str(target)):
            sys.stderr.write(f"error: could not write {target}\n")
            return 1
    sys.stdout.write(f"Wrote {len(SIZES)} PNG sizes to {ICONS}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
