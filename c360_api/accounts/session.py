"""The browser's session: the user's JWT in an HttpOnly, SameSite=Strict cookie, and a CSRF token.

CSRF protection is a double submit: a second HttpOnly cookie holds a random token the server
also writes into each page; form posts repeat it in a field and the pages' scripts in the
`X-CSRF-Token` header. A cookie alone (a cross-site form) never changes anything. The cookie
counts only on the user routes (uploads, workspaces, the pages): the retailer's data routes keep
answering by API key, so a signed-in owner still sees the local dashboard.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from c360_api.core.security import Principal, TokenReader, user_principal
from c360_api.exceptions import ForbiddenError

SESSION_COOKIE = "c360_session"
CSRF_COOKIE = "c360_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(ForbiddenError):
    error_type = "csrf"
    description = "A cookie-signed request that changes something must repeat the CSRF token."


def csrf_token(request: Request) -> str:
    """The request's CSRF cookie, or a new token (the response must then set it: `keep_csrf`)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def keep_csrf(response: Response, request: Request, token: str) -> None:
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse (403) unless `submitted` equals the CSRF cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise CsrfError("Missing or wrong CSRF token: reload the page and try again")


def start_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")


def session_user(request: Request) -> str | None:
    """The user the session cookie names (valid and unexpired), else None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    tokens: TokenReader = request.app.state.tokens
    return tokens.user_id(token)


def session_principal(request: Request) -> Principal | None:
    """The cookie's user; a request that may change something must also carry the CSRF header."""
    user_id = session_user(request)
    if user_id is None:
        return None
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return user_principal(user_id, frozenset())
