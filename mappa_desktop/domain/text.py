"""Text that cannot lie: the characters a name may not hold, and free text made safe to show.

Invisible characters can make a record say something other than what it shows. A right-to-left
override (U+202E) prints "Smith" as "htimS" and, left open, reverses whatever is printed after
it on the same line; control characters can hide text or end a line in a terminal, a CSV cell
or a label. So:

- **Names, aliases, identifiers and other one-line labels** (:func:`name_problem`) refuse every
  control character (C0 including tab and line breaks, DEL, C1), line and paragraph separators,
  and every invisible format character (Unicode category Cf): the bidi embeddings, overrides
  and isolates (U+202A-U+202E, U+2066-U+2069), the marks LRM, RLM and ALM (U+200E, U+200F,
  U+061C), zero-width spaces, word joiners, soft hyphens, byte-order marks, tag characters and
  the interlinear annotation characters. Scripts that need direction get it from their letters.
  The exception is the zero-width non-joiner and joiner (ZWNJ U+200C, ZWJ U+200D), which Persian
  (``علی‌رضا``), Urdu, Arabic and the Indic scripts need inside a word: they are accepted
  straight after a letter or mark of a script that uses them (``JOINING_SCRIPTS``), and nowhere
  else, so they cannot make two Latin names look alike. Identifiers take no joiner at all.
- **Free text** (:func:`free_text_problem`) may hold line breaks, tabs and every mark a writer
  of Arabic or Hebrew uses, but no other control character.
- **Showing any user text** (:func:`contain_bidi`, used by the PDF, the screens and the CSV
  exports alike): text that holds a bidi control is shown so it cannot reorder the text around
  it. Each line is balanced (unmatched closers dropped, embeddings, overrides and isolates left
  open are closed at the end of the line) and wrapped in a first-strong isolate (FSI ... PDI),
  and control characters other than line breaks and tabs are shown as U+FFFD. Text stored
  before these rules (or written around the app) is never refused on reading, only contained.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
ZWNJ = "\u200c"
ZWJ = "\u200d"
FSI = "\u2068"
PDI = "\u2069"
PDF = "\u202c"
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# The scripts that use ZWNJ/ZWJ inside words (first word of the Unicode character name).
JOINING_SCRIPTS = frozenset(
    {
        "ARABIC",
        "SYRIAC",
        "NKO",
        "MANDAIC",
        "DEVANAGARI",
        "BENGALI",
        "GURMUKHI",
        "GUJARATI",
        "ORIYA",
        "TAMIL",
        "TELUGU",
        "KANNADA",
        "MALAYALAM",
        "SINHALA",
        "KHMER",
        "MYANMAR",
        "TIBETAN",
        "MONGOLIAN",
    }
)
_CONTROL_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # Cc except \t \n \r
_CONTROLS = re.compile(f"[{_CONTROL_CLASS}]")
_NEEDS_CONTAINING = re.compile(f"[{_CONTROL_CLASS}{''.join(sorted(BIDI_CONTROLS))}]")
_LINE_BREAK = re.compile("(\r\n|[\n\r\u2028\u2029])")
_FREE_TEXT_BAD = re.compile(f"[{_CONTROL_CLASS}\ud800-\udfff]")
_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break", "\x7f": "DEL"}


def describe(ch: str) -> str:
    """A character as a user can look it up: ``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    code = f"U+{ord(ch):04X}"
    if ch in _CONTROL_NAMES:
        return f"{_CONTROL_NAMES[ch]} ({code})"
    name = unicodedata.name(ch, "")
    if name:
        return f"{code} ({name})"
    if unicodedata.category(ch) == "Cc":
        return f"a control character ({code})"
    return code


def _joiner_allowed(previous: str) -> bool:
    if not previous or unicodedata.category(previous)[0] not in "LM":
        return False
    return unicodedata.name(previous, "").split(" ", 1)[0] in JOINING_SCRIPTS


def name_problem(value: str, *, joiners: bool = True) -> str | None:
    """What makes ``value`` unfit for a name or identifier (the first offending character,
    described), or None. ``joiners=False`` refuses ZWNJ/ZWJ too (identifiers, logins)."""
    if value.isprintable() and ZWNJ not in value and ZWJ not in value:
        return None  # the common case, checked in C (Cc, Cf, Zl, Zp, Cs are not printable)
    previous = ""
    for ch in value:
        if ch in (ZWNJ, ZWJ) and joiners and _joiner_allowed(previous):
            previous = ch
            continue
        if ch in (ZWNJ, ZWJ) or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return describe(ch)
        previous = ch
    return None


def free_text_problem(value: str) -> str | None:
    """What makes ``value`` unfit for free text (a control character other than a line break
    or tab, or a lone surrogate), or None."""
    match = _FREE_TEXT_BAD.search(value)
    return None if match is None else describe(match.group())


def _balanced(line: str) -> str:
    """``line`` with closers that close nothing dropped and openers left open closed at its
    end (a PDF closes an embedding only inside the same isolate; a PDI closes its isolate and
    everything opened inside it, as in the Unicode bidi algorithm)."""
    out: list[str] = []
    open_: list[str] = []  # the closer each open embedding or isolate needs
    for ch in line:
        if ch in _EMBEDDINGS:
            open_.append(PDF)
        elif ch in _ISOLATES:
            open_.append(PDI)
        elif ch == PDF:
            if not open_ or open_[-1] != PDF:
                continue
            open_.pop()
        elif ch == PDI:
            if PDI not in open_:
                continue
            while open_.pop() != PDI:
                pass
        out.append(ch)
    out.extend(reversed(open_))
    return "".join(out)


def _is_isolated(line: str) -> bool:
    """Whether the balanced ``line`` is one FSI ... PDI isolate from end to end."""
    if not line.startswith(FSI) or not line.endswith(PDI):
        return False
    depth = 0
    for position, ch in enumerate(line):
        if ch in _ISOLATES:
            depth += 1
        elif ch == PDI:
            depth -= 1
            if depth == 0:
                return position == len(line) - 1
    return False


def _contain_line(line: str) -> str:
    if not BIDI_CONTROLS.intersection(line):
        return line
    balanced = _balanced(line)
    return balanced if _is_isolated(balanced) else f"{FSI}{balanced}{PDI}"


def contain_bidi(s: str) -> str:
    """User text made safe to show beside other text: each line that holds a bidi control is
    balanced and isolated (FSI ... PDI), so it cannot reorder what is printed around it, and
    control characters other than line breaks and tabs become U+FFFD. Text without any of
    these characters (nearly all) is returned as it is, after one regular-expression search."""
    if _NEEDS_CONTAINING.search(s) is None:
        return s
    parts = _LINE_BREAK.split(_CONTROLS.sub(REPLACEMENT, s))
    parts[::2] = [_contain_line(line) for line in parts[::2]]
    return "".join(parts)


def unwrap_isolate(line: str) -> str:
    """A line without the isolate :func:`contain_bidi` put around it (for finding its base
    direction: the first strong character outside isolates decides, and there is none)."""
    return line[1:-1] if _is_isolated(line) else line
