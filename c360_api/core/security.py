"""API-key authentication: header X-API-Key, sha256 hashes in settings, constant-time compare."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import cast

from starlette.requests import Request

from c360_api.core.config import ApiKey, Scope

API_KEY_HEADER = "X-API-Key"
ANONYMOUS = "anonymous"
_UNAUTHENTICATED = object()  # request.state has not looked at the key yet


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. The raw key is never kept."""

    key_id: str
    scopes: frozenset[Scope]

    @property
    def pii(self) -> bool:
        return Scope.PII in self.scopes


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
    keyring: KeyRing = request.app.state.keyring
    principal = keyring.authenticate(request.headers.get(API_KEY_HEADER))
    request.state.principal = principal
    return principal
