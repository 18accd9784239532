"""The identity stamp a minutes PDF carries in its document information, and reading it back.

The stamp goes in the ``/Keywords`` entry, e.g.::

    mappa-minutes; meeting=12; case=7; sha256=9f2c...; status=signed; variant=full; copy=3;
    recipient=Zo%C3%AB%20%C3%85ngstr%C3%B6m; version=41ab...; schema=1;
    render=mappa-minutes%2F1...; printed=2026-11-30T19%3A00%3A00.123456%2B00%3A00

``case`` names the offender whose record of the meeting the file is; the meeting-wide record,
and every file made before records per offender, have none (so their stamp, and the bytes
``verify`` renders again, are unchanged). ``render`` (the renderer that made the file) and
``printed`` (the time printed on it) are what ``verify`` needs to render the copy again from the
frozen record; files made before hash scheme 2 carry neither. Values are percent-encoded (a
recipient's name may hold ``;`` or ``=``). It is read with pyHanko's reader (already a runtime
dependency), so ``verify`` works on signed copies too: an incremental signature keeps the
``/Info`` entries.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

MARKER = "mappa-minutes"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Stamp:
    meeting_id: int
    content_sha256: str  # the signed content's hash; for a draft, the hash of the draft content
    status: str  # signed / draft
    variant: str  # full / disclosure_summary / redacted
    copy_number: int | None = None
    recipient: str = ""
    version_sha256: str = ""  # doc.extra["version_sha256"] when the caller supplied one
    schema: int = 1
    renderer: str = ""  # doc.extra["renderer"]: "" for files made before hash scheme 2
    printed: str = ""  # doc.generated_at, when a renderer is named
    case_id: int | None = None  # one offender's record (doc.case_id); None: meeting-wide


def stamp_keywords(stamp: Stamp) -> str:
    """The ``/Keywords`` text for ``stamp`` (inverse of :func:`parse_keywords`)."""
    parts = [
        MARKER,
        f"meeting={stamp.meeting_id}",
        *([f"case={stamp.case_id}"] if stamp.case_id is not None else []),
        f"sha256={stamp.content_sha256}",
        f"status={quote(stamp.status, safe='')}",
        f"variant={quote(stamp.variant, safe='')}",
    ]
    if stamp.copy_number is not None:
        parts.append(f"copy={stamp.copy_number}")
    if stamp.recipient:
        parts.append(f"recipient={quote(stamp.recipient, safe='')}")
    if stamp.version_sha256:
        parts.append(f"version={quote(stamp.version_sha256, safe='')}")
    parts.append(f"schema={stamp.schema}")
    if stamp.renderer:
        parts.append(f"render={quote(stamp.renderer, safe='')}")
        parts.append(f"printed={quote(stamp.printed, safe='')}")
    return "; ".join(parts)


def parse_keywords(text: str) -> Stamp | None:
    """The stamp in a ``/Keywords`` text, or None when it holds no well-formed stamp."""
    items = [part.strip() for part in text.split(";")]
    if not items or items[0] != MARKER:
        return None
    values: dict[str, str] = {}
    for item in items[1:]:
        key, sep, value = item.partition("=")
        if not sep or key in values:
            return None
        values[key] = unquote(value)
    try:
        meeting_id = int(values["meeting"])
        sha = values["sha256"]
        copy = int(values["copy"]) if "copy" in values else None
        case = int(values["case"]) if "case" in values else None
        schema = int(values.get("schema", "1"))
    except (KeyError, ValueError):
        return None
    if not _HEX64.fullmatch(sha):
        return None
    return Stamp(
        meeting_id=meeting_id,
        content_sha256=sha,
        status=values.get("status", ""),
        variant=values.get("variant", ""),
        copy_number=copy,
        recipient=values.get("recipient", ""),
        version_sha256=values.get("version", ""),
        schema=schema,
        renderer=values.get("render", ""),
        printed=values.get("printed", ""),
        case_id=case,
    )


def read_stamp(pdf: bytes) -> Stamp | None:
    """The identity stamp of a minutes PDF, or None (not a PDF, unreadable, or no stamp)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer_view["/Info"]
        keywords = info["/Keywords"]
    except Exception:  # any malformed or foreign file simply has no stamp
        return None
    if not isinstance(keywords, str):
        return None
    return parse_keywords(str(keywords))
