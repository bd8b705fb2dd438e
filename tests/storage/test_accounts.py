"""Accounts, API tokens, sessions, share links, versions and the secret key, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cojourney.errors import InputError, NotFound
from cojourney.storage import (
    ApiToken,
    KeyValue,
    User,
    add_user,
    authenticate,
    create_session,
    create_share_link,
    create_token,
    end_session,
    get_version,
    list_share_links,
    list_tokens,
    list_users,
    list_versions,
    resolve_share_link,
    revoke_share_link,
    revoke_token,
    save_version,
    secret_key,
    session_user,
    token_by_secret,
)
from cojourney.storage.models import utcnow

PASSWORD = "correct horse battery"


def test_passwords_are_argon2_hashed_and_checked(db: Session) -> None:
    user = add_user(db, "Ada@Example.org", PASSWORD, "editor")
    db.commit()
    assert user.email == "ada@example.org"
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert authenticate(db, "ADA@example.org", PASSWORD) == user
    assert authenticate(db, "ada@example.org", PASSWORD + "!") is None
    assert authenticate(db, "nobody@example.org", PASSWORD) is None
    user.disabled = True
    assert authenticate(db, "ada@example.org", PASSWORD) is None


@pytest.mark.parametrize(
    ("email", "password", "role", "field"),
    [
        ("not-an-email", PASSWORD, "viewer", "email"),
        ("a@b.org", "short", "viewer", "password"),
        ("a@b.org", PASSWORD, "ingest", "role"),
        ("a@b.org", PASSWORD, "admin", "role"),
    ],
)
def test_bad_accounts_are_refused_by_field(
    db: Session, email: str, password: str, role: str, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        add_user(db, email, password, role)
    assert caught.value.problems[0].location.field == field
    assert list_users(db) == []


def test_an_email_is_registered_once_whatever_its_case(db: Session) -> None:
    add_user(db, "ada@example.org", PASSWORD, "owner")
    with pytest.raises(InputError, match="exists already"):
        add_user(db, "ADA@example.org", PASSWORD, "viewer")
    assert [u.email for u in list_users(db)] == ["ada@example.org"]


def test_tokens_are_stored_as_digests_and_can_be_revoked(db: Session) -> None:
    token, secret = create_token(db, "ci-ingest", "ingest")
    db.commit()
    row = db.scalars(select(ApiToken)).one()
    assert secret not in (row.token_hash, row.prefix, row.name)
    assert secret.startswith(row.prefix)
    found = token_by_secret(db, secret)
    assert found is not None and found.id == token.id and found.role == "ingest"
    assert found.last_used_at is not None
    assert token_by_secret(db, secret + "x") is None
    assert token_by_secret(db, "not-a-token") is None
    revoke_token(db, token.id)
    assert token_by_secret(db, secret) is None
    assert revoke_token(db, token.id).revoked_at is not None  # twice is fine
    assert [t.id for t in list_tokens(db, include_revoked=False)] == []
    assert [t.id for t in list_tokens(db)] == [token.id]


def test_token_roles_and_unknown_ids(db: Session) -> None:
    with pytest.raises(InputError, match="unknown role"):
        create_token(db, "x", "owner")
    with pytest.raises(InputError, match="name"):
        create_token(db, "  ", "viewer")
    with pytest.raises(NotFound):
        revoke_token(db, 999)
    with pytest.raises(NotFound):  # beyond the integer column: not found, not an overflow
        revoke_token(db, 10**30)
    with pytest.raises(NotFound):
        revoke_share_link(db, -1)


def test_sessions_resolve_until_ended_or_expired(db: Session) -> None:
    user = add_user(db, "ada@example.org", PASSWORD, "viewer")
    live = create_session(db, user, timedelta(hours=1))
    gone = create_session(db, user, timedelta(seconds=-1))
    db.commit()
    assert session_user(db, live) == user
    assert session_user(db, gone) is None
    assert session_user(db, "forged") is None
    end_session(db, live)
    db.commit()
    assert session_user(db, live) is None


def test_deleting_a_user_ends_its_sessions(db: Session) -> None:
    """Foreign keys are enforced on SQLite too (PRAGMA foreign_keys)."""
    user = add_user(db, "ada@example.org", PASSWORD, "viewer")
    session_id = create_session(db, user, timedelta(hours=1))
    db.commit()
    db.delete(user)
    db.commit()
    db.expire_all()
    assert session_user(db, session_id) is None


def test_share_links_expire_and_revoke(db: Session) -> None:
    link, secret = create_share_link(db, "rent-a-car", "consumer")
    later, later_secret = create_share_link(
        db, "rent-a-car", "team", expires_at=utcnow() + timedelta(days=1)
    )
    db.commit()
    resolved = resolve_share_link(db, secret)
    assert resolved is not None and resolved.journey_id == "rent-a-car"
    assert resolved.created_at.tzinfo is not None
    assert later.expires_at is not None and later.expires_at.tzinfo is not None
    assert resolve_share_link(db, later_secret) is not None
    later.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert resolve_share_link(db, later_secret) is None
    revoke_share_link(db, link.id)
    assert resolve_share_link(db, secret) is None
    assert [x.id for x in list_share_links(db, "rent-a-car")] == [link.id, later.id]
    with pytest.raises(InputError) as caught:
        create_share_link(db, "", "public", expires_at=utcnow() - timedelta(days=1))
    fields = {p.location.field for p in caught.value.problems}
    assert fields == {"audience", "journey_id", "expires_at"}


def test_the_secret_key_is_generated_once(db: Session) -> None:
    first = secret_key(db)
    db.commit()
    assert len(first) >= 40
    assert secret_key(db) == first
    assert secret_key(db, configured="from-settings") == "from-settings"
    assert db.get(KeyValue, "secret_key") is not None
    assert db.scalars(select(User)).all() == []


def test_versions_are_numbered_per_entity_newest_first(db: Session) -> None:
    first = save_version(db, "journey", "j1", author="ada@example.org", snapshot="id: j1\n")
    second = save_version(
        db, "journey", "j1", author="bob@example.org", snapshot="{}", snapshot_format="json"
    )
    other = save_version(db, "journey", "j2", author="ada@example.org", snapshot="id: j2\n")
    db.commit()
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert [v.number for v in list_versions(db, "journey", "j1")] == [2, 1]
    assert get_version(db, "journey", "j1", 1).snapshot == "id: j1\n"
    assert get_version(db, "journey", "j1", 2).created_at.tzinfo is not None
    with pytest.raises(NotFound):
        get_version(db, "journey", "j1", 3)
    with pytest.raises(InputError, match="snapshot format"):
        save_version(db, "journey", "j1", author="x", snapshot="", snapshot_format="xml")
