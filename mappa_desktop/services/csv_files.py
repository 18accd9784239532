"""Writing CSV files for spreadsheets, the one way the app does it: UTF-8 with a byte-order
mark (Excel then reads accents and non-Latin names right), CRLF line ends, text cells that a
spreadsheet would run as a formula written with a leading apostrophe (the rule of
``audit_export``), and the file written all or nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from mappa_desktop.domain.errors import StorageError, ValidationError
from mappa_desktop.files import write_atomically
from mappa_desktop.services.audit_export import FORMULA_STARTS


def safe_cell(value: object) -> object:
    """A value as written: None -> "", text that starts like a formula -> quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
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
