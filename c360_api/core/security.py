"""Who is calling: an API key (header X-API-Key, sha256 hashes in settings, constant-time
compare) for machines, or a user's bearer token (`c360_api.accounts.tokens`).

A user's token opens that user's own uploads and workspaces only: its principal holds no data
scope, so the retailer's routes answer it 403, and the workspace routes check ownership.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol, cast

from starlette.requests import Request

from c360_api.core.config import ApiKey
from c360_api.exceptions import ForbiddenError, NotAuthenticatedError
from c360_contract.scopes import Scope

API_KEY_HEADER = "X-API-Key"
AUTHORIZATION = "authorization"
BEARER = "bearer "
ANONYMOUS = "anonymous"
USER_PREFIX = "user:"
_UNAUTHENTICATED = object()  # request.state has not looked at the key yet


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. The raw key is never kept."""

    key_id: str
    scopes: frozenset[Scope]
    user_id: str | None = None  # set for a user's bearer token

    @property
    def pii(self) -> bool:
        return Scope.PII in self.scopes


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None."""
    value = request.headers.get(AUTHORIZATION, "")
    if not value.lower().startswith(BEARER):
        return None
    return value[len(BEARER) :].strip() or None


def presents_credentials(request: Request) -> bool:
    """Whether the request carries an API key or a bearer token (valid or not)."""
    return bool(request.headers.get(API_KEY_HEADER)) or bearer_token(request) is not None


class TokenReader(Protocol):
    def user_id(self, token: str) -> str | None: ...


class KeyRing:
    """Configured keys, matched by hash without leaking timing about which one matched."""

    def __init__(
        self, keys: list[ApiKey], anonymous_scopes: frozenset[Scope] = frozenset()
    ) -> None:
        self._keys = list(keys)
        self.has_admin = any(Scope.ADMIN in k.scopes for k in keys)
        # Callers without a key, when local settings open some data scopes to them.
        self.anonymous = Principal(ANONYMOUS, anonymous_scopes) if anonymous_scopes else None

    def authenticate(self, raw_key: str | None) -> Principal | None:
        if not raw_key:
            return None
        digest = hashlib.sha256(raw_key.encode()).hexdigest()
        match: ApiKey | None = None
        for key in self._keys:  # no early exit: every key is compared
            if hmac.compare_digest(digest, key.key_sha256):
                match = key
        return None if match is None else Principal(match.key_id, match.scopes)


def request_principal(request: Request) -> Principal | None:
    """The caller the request's X-API-Key names, authenticated once per request.

    The rate limiter keys on it and the scope check needs it; both ask here, so a request's key
    is hashed and compared once.
    """
    cached: object = getattr(request.state, "principal", _UNAUTHENTICATED)
    if cached is not _UNAUTHENTICATED:
        return cast("Principal | None", cached)
    principal: Principal | None
    raw_key = request.headers.get(API_KEY_HEADER)
    token = None if raw_key else bearer_token(request)
    if token is not None:
        tokens: TokenReader = request.app.state.tokens
        user_id = tokens.user_id(token)
        principal = None if user_id is None else user_principal(user_id, frozenset())
    else:
        keyring: KeyRing = request.app.state.keyring
        principal = keyring.authenticate(raw_key)
    request.state.principal = principal
    return principal


def user_principal(user_id: str, scopes: frozenset[Scope]) -> Principal:
    """A signed-in user, rate limited under its own id."""
    return Principal(USER_PREFIX + user_id, scopes, user_id)


def caller(request: Request) -> Principal | None:
    """Who is asking: the key's principal, or without a key the anonymous principal (when local
    settings open data scopes to callers without one); None for an unknown or missing key."""
    if presents_credentials(request):
        return request_principal(request)
    keyring: KeyRing = request.app.state.keyring
    return keyring.anonymous


def admit(request: Request, scopes: frozenset[Scope]) -> Principal:
    """The caller, if it holds at least one of `scopes`; else 401 (no usable key) or 403.

    Both the routes' dependency and the cached-answer fast path ask here, so they cannot disagree.
    """
    wanted = sorted(s.value for s in scopes)
    keyring: KeyRing = request.app.state.keyring
    if Scope.ADMIN in scopes and not keyring.has_admin:
        raise ForbiddenError(
            "Admin API disabled: no admin key is configured", required_scopes=wanted
        )
    principal = caller(request)
    has_key = presents_credentials(request)
    if principal is None or (not has_key and not principal.scopes & scopes):
        raise NotAuthenticatedError(
            "Unknown API key" if has_key else f"Missing API key (header {API_KEY_HEADER})"
        )
    request.state.key_id = principal.key_id
    if not principal.scopes & scopes:
        raise ForbiddenError(
            f"This key lacks the scope for this route (one of: {', '.join(wanted)})",
            required_scopes=wanted,
        )
    return principal
