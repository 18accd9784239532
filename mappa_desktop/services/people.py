"""Agencies, practitioners and app users with roles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from mappa_desktop.db.models import Agency, Person, User, UserRole
from mappa_desktop.domain.enums import AgencyKind, Role
from mappa_desktop.domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from mappa_desktop.domain.validation import MAX_NAME, MAX_SHORT, Checker
from mappa_desktop.services import audit
from mappa_desktop.services.actor import Actor, require_role
from mappa_desktop.services.common import check_version, flush, get_or_404

LOGIN_PATTERN = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}$")


@dataclass(frozen=True, slots=True)
class AgencyRow:
    id: int
    name: str
    short_name: str
    kind: AgencyKind
    active: bool


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    family_name: str
    given_names: str
    display_name: str
    agency_id: int
    agency_short_name: str
    role_title: str
    active: bool
    version: int


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    login: str
    person: PersonRow
    roles: frozenset[Role]
    active: bool


def agency_row(a: Agency) -> AgencyRow:
    return AgencyRow(id=a.id, name=a.name, short_name=a.short_name, kind=a.kind, active=a.active)


def person_row(p: Person) -> PersonRow:
    return PersonRow(
        id=p.id,
        family_name=p.family_name,
        given_names=p.given_names,
        display_name=p.display_name,
        agency_id=p.agency_id,
        agency_short_name=p.agency.short_name,
        role_title=p.role_title,
        active=p.active,
        version=p.version,
    )


def user_row(u: User) -> UserRow:
    return UserRow(
        id=u.id,
        login=u.login,
        person=person_row(u.person),
        roles=frozenset(r.role for r in u.roles),
        active=u.active,
    )


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        login=user.login,
        person_id=user.person_id,
        display_name=user.person.display_name,
        roles=frozenset(r.role for r in user.roles),
    )


def list_agencies(session: Session, *, include_inactive: bool = False) -> list[AgencyRow]:
    stmt = select(Agency).order_by(Agency.kind, Agency.name)
    if not include_inactive:
        stmt = stmt.where(Agency.active.is_(True))
    return [agency_row(a) for a in session.scalars(stmt)]


def find_agency(session: Session, name: str) -> Agency | None:
    """An agency by its full or short name, ignoring case."""
    key = name.strip().casefold()
    if not key:
        return None
    for agency in session.scalars(select(Agency)):
        if key in (agency.name.casefold(), agency.short_name.casefold()):
            return agency
    return None


def resolve_agency(session: Session, field: str, agency_id: int | None, check: Checker) -> None:
    """Record a field error unless ``agency_id`` names an active agency."""
    if agency_id is None:
        check.fail(field, "Choose an agency; it is required.")
        return
    agency = session.get(Agency, agency_id)
    if agency is None:
        check.fail(field, f"Agency {agency_id} does not exist; choose one from the list.")
    elif not agency.active:
        check.fail(field, f"{agency.name} is no longer active; choose another agency.")


def add_agency(
    session: Session, actor: Actor, *, name: str, short_name: str, kind: AgencyKind | str
) -> AgencyRow:
    require_role(actor, Role.ADMINISTRATOR, doing="add an agency")
    check = Checker()
    clean_name = check.name("name", name, max_len=200)
    clean_short = check.name("short_name", short_name, max_len=60)
    clean_kind = check.enum("kind", kind, AgencyKind)
    for field, value in (("name", clean_name), ("short_name", clean_short)):
        if value and find_agency(session, value) is not None:
            check.fail(field, f"An agency called '{value}' already exists.")
    check.done()
    assert clean_name and clean_short and clean_kind
    agency = Agency(name=clean_name, short_name=clean_short, kind=clean_kind, active=True)
    session.add(agency)
    session.flush()
    audit.record(
        session,
        actor,
        "agency",
        agency.id,
        "create",
        audit.created({"name": clean_name, "short_name": clean_short, "kind": clean_kind}),
    )
    return agency_row(agency)


def add_person(
    session: Session,
    actor: Actor | None,
    *,
    family_name: str,
    given_names: str = "",
    agency_id: int | None,
    role_title: str = "",
    email: str = "",
    phone: str = "",
) -> PersonRow:
    """Add a practitioner. ``actor`` is None only while bootstrapping the first local user."""
    if actor is not None:
        require_role(
            actor,
            Role.ADMINISTRATOR,
            Role.COORDINATOR,
            Role.CHAIR,
            Role.MINUTE_TAKER,
            doing="add a person",
        )
    check = Checker()
    values = {
        "family_name": check.name("family_name", family_name, max_len=MAX_NAME),
        "given_names": check.name("given_names", given_names, required=False, max_len=MAX_NAME)
        or "",
        "role_title": check.name("role_title", role_title, required=False, max_len=MAX_SHORT) or "",
        "email": check.name("email", email, required=False, max_len=MAX_SHORT) or "",
        "phone": check.name("phone", phone, required=False, max_len=60) or "",
    }
    if values["email"] and "@" not in values["email"]:
        check.fail("email", "Enter an e-mail address such as name@agency.gov.uk.")
    resolve_agency(session, "agency", agency_id, check)
    check.done()
    person = Person(agency_id=agency_id, **values)
    session.add(person)
    session.flush()
    audit.record(
        session,
        actor,
        "person",
        person.id,
        "create",
        audit.created({**values, "agency_id": agency_id}),
    )
    return person_row(person)


def list_people(session: Session, *, agency_id: int | None = None) -> list[PersonRow]:
    stmt = select(Person).where(Person.active.is_(True))
    if agency_id is not None:
        stmt = stmt.where(Person.agency_id == agency_id)
    stmt = stmt.order_by(Person.family_name, Person.given_names)
    return [person_row(p) for p in session.scalars(stmt)]


def _check_login(login: str, check: Checker) -> str:
    clean = (login or "").strip().lower()
    if not LOGIN_PATTERN.match(clean):
        check.fail(
            "login",
            "A login is 1-63 characters: lower-case letters, digits, '_', '.', '-', "
            "starting with a letter or '_'.",
        )
    return clean


def add_user(
    session: Session,
    actor: Actor | None,
    *,
    login: str,
    person_id: int,
    roles: Iterable[Role | str],
) -> UserRow:
    """Create an app user for a person. ``actor`` None is allowed only for the very first user."""
    if actor is None:
        if session.scalar(select(func.count()).select_from(User)):
            raise PermissionDenied("Only an administrator can add users.")
    else:
        require_role(actor, Role.ADMINISTRATOR, doing="add a user")
    check = Checker()
    clean_login = _check_login(login, check)
    clean_roles: set[Role] = set()
    for role in roles:
        parsed = check.enum("roles", role, Role)
        if parsed is not None:
            clean_roles.add(parsed)
    if not clean_roles:
        check.fail("roles", "Give the user at least one role.")
    if clean_login and session.scalar(select(User.id).where(User.login == clean_login)):
        check.fail("login", f"The login '{clean_login}' is already taken.")
    person = session.get(Person, person_id)
    if person is None:
        check.fail("person", f"Person {person_id} does not exist.")
    elif session.scalar(select(User.id).where(User.person_id == person_id)):
        check.fail("person", f"{person.display_name} already has a login.")
    check.done()
    user = User(login=clean_login, person_id=person_id, active=True)
    user.roles = [UserRole(role=r) for r in sorted(clean_roles)]
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user",
        user.id,
        "create",
        audit.created(
            {
                "login": clean_login,
                "person_id": person_id,
                "roles": sorted(r.value for r in clean_roles),
            }
        ),
    )
    return user_row(user)


def get_actor(session: Session, login: str) -> Actor:
    user = session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound("user", login)
    if not user.active:
        raise PermissionDenied(f"The user '{login}' is disabled.")
    return actor_for(user)


def ensure_local_user(session: Session, login: str, *, family_name: str | None = None) -> Actor:
    """The acting user for a local file: an existing login, or (on an empty database only) a
    new administrator created for whoever runs the first command."""
    existing = session.scalar(select(User).where(User.login == login.strip().lower()))
    if existing is not None:
        if not existing.active:
            raise PermissionDenied(f"The user '{login}' is disabled.")
        return actor_for(existing)
    if session.scalar(select(func.count()).select_from(User)):
        known = ", ".join(session.scalars(select(User.login).order_by(User.login).limit(10)))
        raise ValidationError.single(
            "user", f"There is no user '{login}' in this database; use one of: {known}."
        )
    unit = find_agency(session, "MAPPA Unit")
    if unit is None:
        raise NotFound("agency", "MAPPA Unit")
    person = add_person(
        session,
        None,
        family_name=family_name or login,
        agency_id=unit.id,
        role_title="Local administrator",
    )
    row = add_user(
        session,
        None,
        login=login,
        person_id=person.id,
        roles=[Role.ADMINISTRATOR, Role.COORDINATOR, Role.CHAIR, Role.MINUTE_TAKER],
    )
    user = get_or_404(session, User, row.id, "user")
    return actor_for(user)


# --- user administration -------------------------------------------------------------------------


def _user_by_login(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == (login or "").strip().lower()))
    if user is None:
        raise NotFound("user", login)
    return user


# The transaction lock migration 0005's triggers take before any change to users or their roles.
ADMINISTRATORS_LOCK = 469853630561


def _lock_administrators(session: Session) -> None:
    """Serialise changes that could remove an administrator (on SQLite BEGIN IMMEDIATE already
    does), so the count that follows sees a concurrent administrator's committed change."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADMINISTRATORS_LOCK})


def _other_active_administrators(session: Session, user_id: int) -> int:
    count = session.scalar(
        select(func.count(func.distinct(User.id)))
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.active.is_(True),
            User.id != user_id,
            UserRole.role == Role.ADMINISTRATOR,
        )
    )
    return int(count or 0)


def get_user(session: Session, login: str) -> UserRow:
    """A user by login (disabled users included); NotFound if there is none."""
    return user_row(_user_by_login(session, login))


def list_users(session: Session) -> list[UserRow]:
    return [user_row(u) for u in session.scalars(select(User).order_by(User.login))]


def disable_user(
    session: Session, actor: Actor, login: str, *, expected_version: int | None = None
) -> UserRow:
    """Disable a login: the user can no longer act (the app refuses them; on a shared server the
    caller also makes the database role NOLOGIN). Administrators only; the last active
    administrator cannot be disabled, nor can you disable yourself."""
    require_role(actor, Role.ADMINISTRATOR, doing="disable a user")
    _lock_administrators(session)
    user = _user_by_login(session, login)
    check_version(user, expected_version, "user")
    if not user.active:
        raise StateError(f"The user '{user.login}' is already disabled.")
    if user.id == actor.user_id:
        raise PermissionDenied(
            "You cannot disable your own login; ask another administrator to do it."
        )
    is_admin = any(r.role is Role.ADMINISTRATOR for r in user.roles)
    if is_admin and not _other_active_administrators(session, user.id):
        raise StateError(
            f"'{user.login}' is the last active administrator; give someone else the "
            "administrator role first."
        )
    user.active = False
    flush(session, "user", user.id)
    audit.record(session, actor, "user", user.id, "disable", {"active": [True, False]})
    return user_row(user)


def set_roles(
    session: Session,
    actor: Actor,
    login: str,
    roles: Iterable[Role | str],
    *,
    expected_version: int | None = None,
) -> UserRow:
    """Replace a user's roles. Administrators only; the last active administrator keeps the
    administrator role."""
    require_role(actor, Role.ADMINISTRATOR, doing="change a user's roles")
    _lock_administrators(session)
    user = _user_by_login(session, login)
    check_version(user, expected_version, "user")
    check = Checker()
    wanted: set[Role] = set()
    for role in roles:
        parsed = check.enum("roles", role, Role)
        if parsed is not None:
            wanted.add(parsed)
    if not wanted and "roles" not in check.errors:
        check.fail("roles", "Give the user at least one role.")
    check.done()
    old = {r.role for r in user.roles}
    if old == wanted:
        return user_row(user)
    if (
        Role.ADMINISTRATOR in old
        and Role.ADMINISTRATOR not in wanted
        and user.active
        and not _other_active_administrators(session, user.id)
    ):
        raise StateError(
            f"'{user.login}' is the last active administrator and must keep that role; give "
            "someone else the administrator role first."
        )
    for row in list(user.roles):
        if row.role not in wanted:
            user.roles.remove(row)
    for role in sorted(wanted - old):
        user.roles.append(UserRole(role=role))
    # A change of roles alone must still move the user's version on.
    flag_modified(user, "login")
    flush(session, "user", user.id)
    audit.record(
        session,
        actor,
        "user",
        user.id,
        "set_roles",
        {"roles": [sorted(r.value for r in old), sorted(r.value for r in wanted)]},
    )
    return user_row(user)


def grant_login(
    session: Session, actor: Actor, login: str, *, new_login: str | None = None
) -> UserRow:
    """Ready an existing user (one copied from a local file onto a server, say) for a database
    login of their own, keeping their user row, history and roles: administrators only, never
    a disabled user. On a server the database login *is* the user's login, so ``new_login``
    (when it differs) renames it first. Audited; the caller creates the database role
    (``db.logins.create_login``) in the same transaction."""
    require_role(actor, Role.ADMINISTRATOR, doing="give a user a database login")
    user = _user_by_login(session, login)
    if not user.active:
        raise StateError(f"'{user.login}' is disabled; a disabled user gets no database login.")
    check = Checker()
    wanted = _check_login(new_login or user.login, check)
    if wanted != user.login and session.scalar(select(User.id).where(User.login == wanted)):
        check.fail("login", f"The login '{wanted}' is already taken.")
    check.done()
    changes: dict[str, list[object]] = {"database_login": [None, wanted]}
    if wanted != user.login:
        changes["login"] = [user.login, wanted]
        user.login = wanted
        flush(session, "user", user.id)
    audit.record(session, actor, "user", user.id, "grant_login", changes)
    return user_row(user)
