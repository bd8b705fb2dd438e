"""Accounts: people who sign in with an email and a password, each with one role.

Passwords are hashed with argon2 (argon2-cffi's recommended parameters); hashes are
upgraded on sign-in when the parameters change.
"""

from __future__ import annotations

import functools
import logging
import re
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.settings import current_settings
from cojourney.storage.models import User, valid_id

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases take the same time."""
    return _hasher.hash("cojourney-no-such-user")


class Role(StrEnum):
    """What a person or a token may do.

    Viewers read; editors also edit the model; owners also manage users, tokens and
    share links. ``ingest`` is for API tokens that only send events and answers.
    """

    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"
    INGEST = "ingest"


USER_ROLES: tuple[Role, ...] = (Role.OWNER, Role.EDITOR, Role.VIEWER)


def parse_role(value: str, allowed: tuple[Role, ...], field: str = "role") -> Role:
    """``value`` as a :class:`Role` among ``allowed``, or an :class:`InputError`."""
    names = [r.value for r in allowed]
    if value not in names:
        raise InputError(
            Problem(
                "unknown role",
                Location(field=field),
                found=repr(value),
                expected=" | ".join(names),
            )
        )
    return Role(value)


def normalize_email(email: str) -> str:
    """The email as stored: trimmed and lower-cased, or an :class:`InputError`."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 320:
        raise InputError(
            Problem(
                "not an email address",
                Location(field="email"),
                found=repr(email)[:80],
                expected="name@example.org",
            )
        )
    return cleaned


def check_password(password: str) -> None:
    """Refuse a password shorter than ``password_min_length``."""
    minimum = current_settings().password_min_length
    if len(password) < minimum:
        raise InputError(
            Problem(
                f"the password is too short ({len(password)} characters)",
                Location(field="password"),
                expected=f"at least {minimum} characters",
                hint="choose a longer password, e.g. a few unrelated words",
            )
        )


def add_user(session: Session, email: str, password: str, role: str) -> User:
    """Create an account; refuses a known email, an unknown role or a short password."""
    address = normalize_email(email)
    chosen = parse_role(role, USER_ROLES)
    check_password(password)
    if user_by_email(session, address) is not None:
        raise InputError(
            Problem(
                "an account with this email exists already",
                Location(field="email"),
                found=address,
                hint="choose another email, or list the accounts to see who is there",
            )
        )
    user = User(email=address, password_hash=_hasher.hash(password), role=chosen.value)
    session.add(user)
    session.flush()
    log.info("added user %s (%s)", address, chosen.value)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Give ``user`` a new password (checked like a new account's)."""
    check_password(password)
    user.password_hash = _hasher.hash(password)
    session.flush()
    log.info("set a new password for %s", user.email)


def user_by_email(session: Session, email: str) -> User | None:
    """The account of ``email`` (any case), if there is one."""
    address = email.strip().lower()
    return session.scalars(select(User).where(func.lower(User.email) == address)).first()


def user_by_id(session: Session, user_id: int) -> User:
    """The account ``user_id`` or :class:`~cojourney.errors.NotFound`."""
    user = session.get(User, user_id) if valid_id(user_id) else None
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    """Every account, by email."""
    return list(session.scalars(select(User).order_by(User.email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The enabled account whose password matches, else ``None`` (same time either way)."""
    user = user_by_email(session, email)
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
        session.flush()
    return user
