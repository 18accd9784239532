"""User text as the screens show it: contained so it cannot reorder what is shown around it.

Plain-text widgets (labels, combo items, table cells) take :func:`shown`; rich-text labels take
:func:`escaped`. Both use ``mappa_desktop.domain.text.contain_bidi``, as the PDF and the CSV
exports do.
"""

from __future__ import annotations

import html

from mappa_desktop.domain.text import contain_bidi

shown = contain_bidi


def escaped(text: str) -> str:
    """User text for a rich-text label: contained, and ``&``, ``<``, ``>`` escaped."""
    return html.escape(contain_bidi(text), quote=False)
