"""Safe file names for issued copies (file names travel further than the files: an offender is
named by case number only)."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
MAX_NAME = 80


def safe_file_part(text: str, fallback: str = "recipient") -> str:
    """``text`` made usable in a file name on every platform (letters of any script kept)."""
    cleaned = _UNSAFE.sub(" ", unicodedata.normalize("NFC", text))
    cleaned = _SPACES.sub(" ", cleaned).strip(" .")
    return cleaned[:MAX_NAME].rstrip(" .") or fallback


def copy_file_name(meeting_date: str, meeting_id: int, copy_number: int, recipient: str) -> str:
    """E.g. ``MAPPA minutes 2025-03-04 meeting 12 - copy 03 - Zoë Ångström.pdf``."""
    who = safe_file_part(recipient)
    return f"MAPPA minutes {meeting_date} meeting {meeting_id} - copy {copy_number:02d} - {who}.pdf"


def record_file_name(
    meeting_date: str, meeting_id: int, case_id: int, copy_number: int, recipient: str
) -> str:
    """E.g. ``MAPPA record 2025-03-04 meeting 12 case 7 - copy 03 - Zoë Ångström.pdf``. The
    offender is named by case number only: file names travel further than the files."""
    who = safe_file_part(recipient)
    return (
        f"MAPPA record {meeting_date} meeting {meeting_id} case {case_id} - "
        f"copy {copy_number:02d} - {who}.pdf"
    )
