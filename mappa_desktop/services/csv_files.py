"""Writing CSV files for spreadsheets, the one way the app does it: UTF-8 with a byte-order
mark (Excel then reads accents and non-Latin names right), CRLF line ends, text cells that a
spreadsheet would run as a formula written with a leading apostrophe, text holding bidi or
control characters contained so it cannot reorder the cells beside it (``domain.text``), and the
file written all or nothing. Every CSV export (audit trail, statistics, chronology) uses it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from mappa_desktop.domain.errors import StorageError, ValidationError
from mappa_desktop.domain.text import contain_bidi
from mappa_desktop.files import write_atomically

# What a spreadsheet would take as the start of a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value as written: None -> ""; text contained (bidi and control characters) and, when
    it starts like a formula, quoted with a leading '."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = contain_bidi(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; a typed error naming the file otherwise."""
    path = Path(path)
    if path.is_dir():
        raise ValidationError.single("output", f"{path} is a folder; give a file name.")
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise StorageError(f"Cannot write {path}: {exc.strerror or exc}.") from None
