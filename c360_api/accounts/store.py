"""The one class touching the users table. It imports SQLAlchemy, which the API's start leaves for
later (`c360_api.db.engine`): nothing imported at start imports this module
(`c360_api.accounts.deps.get_accounts` does, on first use)."""

from __future__ import annotations

import uuid
from functools import cache

import structlog
from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from c360_api.accounts.errors import EmailTakenError
from c360_api.db.engine import Database
from c360_api.db.models import User

log = structlog.get_logger("c360_api.accounts")

_HASHER = PasswordHash.recommended()  # argon2id


@cache
def _dummy_hash() -> str:
    """Verified when the email is unknown, so a login costs the same whether or not the account
    exists. Made on first use: an argon2 hash is deliberately slow, and the API's start is not
    the place for it."""
    return _HASHER.hash("not-a-password-of-anyone")


def normalise_email(email: str) -> str:
    return email.strip().lower()


class AccountStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, email: str, password: str) -> User:
        """A new account (argon2 hash of the password); EmailTakenError when the email is used."""
        user = User(
            id=uuid.uuid4().hex, email=normalise_email(email), password_hash=_HASHER.hash(password)
        )
        try:
            with self._db.session() as session:
                session.add(user)
        except IntegrityError:
            raise EmailTakenError("An account with this email already exists") from None
        log.info("user_registered", user_id=user.id)
        return user

    def authenticate(self, email: str, password: str) -> User | None:
        """The user whose email and password these are, else None (logged, never the password)."""
        with self._db.session() as session:
            user = session.scalar(select(User).where(User.email == normalise_email(email)))
        valid = _HASHER.verify(password, user.password_hash if user else _dummy_hash())
        if user is None or not valid:
            log.warning("login_failed", email=normalise_email(email))
            return None
        return user

    def get(self, user_id: str) -> User | None:
        with self._db.session() as session:
            return session.get(User, user_id)
