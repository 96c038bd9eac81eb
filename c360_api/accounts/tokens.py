"""Signed user tokens (JWT, HS256) with an expiry; the secret comes from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
TOKEN_TYPE = "access"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int  # seconds


class TokenCodec:
    """Issues and reads user tokens. A token names its user (`sub`); what the user may open is
    decided per request from the database, so a deleted workspace is closed at once."""

    def __init__(self, secret: str, expiry_minutes: int) -> None:
        self._secret = secret
        self._expiry = timedelta(minutes=expiry_minutes)

    def issue(self, user_id: str, now: datetime | None = None) -> IssuedToken:
        issued = now or datetime.now(UTC)
        claims = {"sub": user_id, "iat": issued, "exp": issued + self._expiry, "typ": TOKEN_TYPE}
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return IssuedToken(token, int(self._expiry.total_seconds()))

    def user_id(self, token: str) -> str | None:
        """The user a valid, unexpired token names; None for anything else."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "exp", "iat"]},
            )
        except jwt.PyJWTError:
            return None
        if claims.get("typ") != TOKEN_TYPE or not isinstance(claims["sub"], str):
            return None
        return claims["sub"]
