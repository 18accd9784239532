"""The hashes that seal signed-off minutes and their addenda, and checking them again.

Scheme 2 (every sign-off and addendum since migration 0006):

- each part is hashed on its own: the canonical content; the signer as printed (name, agency,
  role, frozen at sign-off); the sign-off time (UTC, microseconds); an addendum's text, reason,
  signer and time. These part hashes are stored with the row (``hash_parts``) so a check can say
  *which* part no longer matches;
- the minutes' record hash is SHA-256 over the canonical JSON of ``{scheme, kind, parts,
  previous: ""}``; each addendum's hash is the same over its own parts with ``previous`` the hash
  before it (the minutes' record hash for the first), so the addenda form a chain;
- the version a copy carries is the last hash of the chain.

Scheme 1 (rows that existed at the upgrade): the minutes' hash covers the content only, an
addendum's its reason and text, and the version is SHA-256 over the content hash followed by the
addendum hashes. Those rows are still checked that way, and verify names the scheme it checked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mappa_desktop.db.models import Addendum, Minutes

SCHEME = 2
LEGACY_SCHEME = 1
SCHEME_NAMES = {
    LEGACY_SCHEME: "hash scheme 1 (the content and addenda texts only; signer and time not sealed)",
    SCHEME: "hash scheme 2 (content, signer, time and chained addenda)",
}
_MINUTES_PARTS = {
    "content": "the content",
    "signer": "the signer",
    "signed_at": "the sign-off time",
}
_ADDENDUM_PARTS = {
    "text": "text",
    "reason": "reason",
    "signer": "signer",
    "signed_at": "time",
    "case": "offender",  # only for an addendum to one offender's record (migration 0008)
}


@dataclass(frozen=True, slots=True)
class Signer:
    """The signer as printed, frozen at sign-off."""

    name: str
    agency: str
    role: str


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def time_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _signer_hash(signer: Signer) -> str:
    return sha256_text(
        canonical({"name": signer.name, "agency": signer.agency, "role": signer.role})
    )


def minutes_parts(content: str, signer: Signer, signed_at: datetime) -> dict[str, str]:
    return {
        "content": sha256_text(content),
        "signer": _signer_hash(signer),
        "signed_at": sha256_text(time_text(signed_at)),
    }


def addendum_parts(
    text: str, reason: str, signer: Signer, signed_at: datetime, case_id: int | None = None
) -> dict[str, str]:
    """The parts an addendum's hash covers. ``case``, the offender whose record it corrects,
    is a part only when there is one, so addenda signed before migration 0008 (all of them to
    the meeting-wide record) keep their hashes; moving an addendum to or between offenders'
    records changes it."""
    parts = {
        "text": sha256_text(text),
        "reason": sha256_text(reason),
        "signer": _signer_hash(signer),
        "signed_at": sha256_text(time_text(signed_at)),
    }
    if case_id is not None:
        parts["case"] = sha256_text(f"case:{case_id}")
    return parts


def chain_hash(kind: str, parts: dict[str, str], previous: str) -> str:
    """The scheme-2 hash of a minutes (``previous`` "") or addendum row."""
    return sha256_text(
        canonical({"scheme": SCHEME, "kind": kind, "parts": parts, "previous": previous})
    )


def legacy_addendum_hash(reason: str, text: str) -> str:
    """Scheme 1: SHA-256 of an addendum's reason and text."""
    return sha256_text(canonical({"reason": reason, "text": text}))


def legacy_version(content_sha256: str, addendum_hashes: Sequence[str]) -> str:
    """Scheme 1: the content hash, or SHA-256 over it and every addendum hash."""
    if not addendum_hashes:
        return content_sha256
    return hashlib.sha256((content_sha256 + "".join(addendum_hashes)).encode("ascii")).hexdigest()


def minutes_signer(minutes: Minutes) -> Signer:
    return Signer(minutes.signer_name, minutes.signer_agency, minutes.signer_role)


def addendum_signer(addendum: Addendum) -> Signer:
    return Signer(addendum.signer_name, addendum.signer_agency, addendum.signer_role)


def stored_versions(minutes: Minutes, addenda: Sequence[Addendum]) -> tuple[str, ...]:
    """The version after 0, 1, ... n addenda, from the stored hashes (nothing recomputed but
    scheme 1's version hashes)."""
    version = minutes.record_sha256 if minutes.hash_scheme >= SCHEME else minutes.content_sha256
    versions = [version]
    legacy: list[str] = []
    for a in addenda:
        if a.hash_scheme >= SCHEME:
            version = a.content_sha256
        else:
            legacy.append(a.content_sha256)
            version = legacy_version(minutes.content_sha256, legacy)
        versions.append(version)
    return tuple(versions)


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """The stored record checked again: what no longer matches (empty: all of it does), and the
    version after 0, 1, ... n addenda."""

    scheme: int  # the minutes' scheme
    problems: tuple[str, ...]
    versions: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def _stored_parts(raw: str) -> dict[str, str]:
    try:
        parts = json.loads(raw)
    except ValueError:
        return {}
    return parts if isinstance(parts, dict) else {}


def _differing(stored: dict[str, str], fresh: dict[str, str], names: dict[str, str]) -> list[str]:
    return [names[key] for key in names if stored.get(key) != fresh.get(key)]


def check_record(minutes: Minutes, addenda: Sequence[Addendum]) -> RecordCheck:
    """Recompute every hash of ``minutes`` and its ``addenda`` (in order) from the stored fields."""
    problems: list[str] = []
    versions = stored_versions(minutes, addenda)
    if minutes.hash_scheme >= SCHEME:
        stored = _stored_parts(minutes.hash_parts)
        fresh = minutes_parts(minutes.content, minutes_signer(minutes), minutes.signed_at)
        problems += _differing(stored, fresh, _MINUTES_PARTS)
        if sha256_text(minutes.content) != minutes.content_sha256 and not problems:
            problems.append("the content hash")
        if not problems and chain_hash("minutes", stored, "") != minutes.record_sha256:
            problems.append("the minutes' record hash")
    elif sha256_text(minutes.content) != minutes.content_sha256:
        problems.append("the content")
    for a, previous in zip(addenda, versions, strict=False):
        label = f"addendum {a.seq}'s "
        if a.hash_scheme >= SCHEME:
            stored = _stored_parts(a.hash_parts)
            fresh = addendum_parts(a.text, a.reason, addendum_signer(a), a.signed_at, a.case_id)
            wrong = _differing(stored, fresh, _ADDENDUM_PARTS)
            problems += [label + w for w in wrong]
            if not wrong and chain_hash("addendum", stored, previous) != a.content_sha256:
                problems.append(label + "chained hash")
        elif legacy_addendum_hash(a.reason, a.text) != a.content_sha256:
            problems.append(label + "reason or text")
    return RecordCheck(scheme=minutes.hash_scheme, problems=tuple(problems), versions=versions)


def describe_problems(problems: Sequence[str]) -> str:
    """E.g. "the signer and addendum 1's text"."""
    items = list(problems)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
