"""Typed failures. Every user-visible failure is one of these, turned into a sentence."""

from __future__ import annotations

from collections.abc import Mapping


class MappaError(Exception):
    """Base class: a known failure whose ``str()`` is a sentence fit to show a user."""


class ValidationError(MappaError):
    """Bad input. ``errors`` maps each offending field to what the user should do."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        if not errors:
            raise ValueError("ValidationError needs at least one field error")
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotFound(MappaError):
    def __init__(self, entity: str, key: object) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"No {entity} with id {key} exists (it may have been removed).")


class ConflictError(MappaError):
    """Someone else saved first. Carries both versions so the UI can show them side by side."""

    def __init__(
        self,
        entity: str,
        key: object,
        *,
        expected_version: int | None = None,
        current_version: int | None = None,
        current: object = None,
    ) -> None:
        self.entity = entity
        self.key = key
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current
        super().__init__(
            f"This {entity} was changed by someone else while you were editing it "
            f"(your version {expected_version}, saved version {current_version}). "
            "Reload it to see their change, then apply yours again."
        )


class PermissionDenied(MappaError):
    pass


class StateError(MappaError):
    """The action is not allowed in the record's current state (e.g. editing signed-off minutes)."""


class SchemaError(MappaError):
    """The database schema is missing, older or newer than this build understands."""


class StorageError(MappaError):
    """The database could not be reached or refused the operation for a reason outside our rules."""
