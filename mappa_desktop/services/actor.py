"""Who is acting: every write, audit event and sign-off names a user."""

from __future__ import annotations

from dataclasses import dataclass

from mappa_desktop.domain.enums import Role
from mappa_desktop.domain.errors import PermissionDenied

WRITER_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER})


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    login: str
    person_id: int
    display_name: str
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


def require_role(actor: Actor, *roles: Role, doing: str) -> None:
    """Refuse with a sentence unless the actor holds one of ``roles``."""
    if not actor.has(*roles):
        wanted = " or ".join(r.value.replace("_", "-") for r in roles)
        raise PermissionDenied(
            f"{actor.display_name} ({actor.login}) cannot {doing}: that needs the {wanted} role."
        )


def require_writer(actor: Actor, doing: str) -> None:
    require_role(actor, *sorted(WRITER_ROLES), doing=doing)
