"""Small helpers every service uses: loading by id, optimistic-lock checks, safe flushing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mappa_desktop.domain.errors import ConflictError, NotFound, ValidationError

T = TypeVar("T")


def get_or_404(session: Session, model: type[T], key: int | None, entity: str) -> T:
    obj = session.get(model, key) if key is not None else None
    if obj is None:
        raise NotFound(entity, key)
    return obj


def check_version(
    obj: Any,
    expected_version: int | None,
    entity: str,
    current: object | Callable[[], object] = None,
) -> None:
    """Refuse an edit made against a version other than the one saved now.

    ``current`` (what the other person saved, for the conflict dialog) may be a function: it is
    built only when there is a conflict, so a normal save pays nothing for it."""
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(
            entity,
            obj.id,
            expected_version=expected_version,
            current_version=obj.version,
            current=current() if callable(current) else current,
        )


def flush(
    session: Session,
    entity: str,
    key: object = None,
    *,
    integrity_field: str | None = None,
    integrity_message: str | Callable[[IntegrityError], str] | None = None,
) -> None:
    """Flush, turning a lost optimistic-lock race or a constraint hit into a typed error."""
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(entity, key) from None
    except IntegrityError as exc:
        if integrity_field is None:
            raise
        message = (
            integrity_message(exc)
            if callable(integrity_message)
            else integrity_message or "This value conflicts with an existing record."
        )
        raise ValidationError.single(integrity_field, message) from None
