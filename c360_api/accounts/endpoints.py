"""`/api/auth`: register, log in (OAuth2 password form or JSON), who am I.

Hashing a password costs tens of milliseconds of CPU: those routes are plain `def` (thread pool).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from c360_api.accounts.deps import AccountsDep, CurrentUser
from c360_api.accounts.errors import EmailTakenError
from c360_api.accounts.schemas import Credentials, PasswordForm, Token, UserOut
from c360_api.accounts.tokens import TokenCodec
from c360_api.core.ratelimit import check_login_rate
from c360_api.exceptions import NotAuthenticatedError, NotFoundError, error_responses

router = APIRouter(prefix="/api/auth", tags=["auth"])


async def login_rate(request: Request) -> None:
    check_login_rate(request)


def _token(request: Request, accounts: AccountsDep, email: str, password: str) -> Token:
    user = accounts.authenticate(email, password)
    if user is None:
        raise NotAuthenticatedError(
            "Wrong email or password", headers={"WWW-Authenticate": "Bearer"}
        )
    tokens: TokenCodec = request.app.state.tokens
    issued = tokens.issue(user.id)
    return Token(access_token=issued.token, expires_in=issued.expires_in)


@router.post(
    "/register",
    response_model=UserOut,
    status_code=201,
    responses=error_responses(EmailTakenError),
)
def register(body: Credentials, accounts: AccountsDep) -> UserOut:
    """Create an account; 409 when the email is taken."""
    user = accounts.register(body.email, body.password)
    return UserOut(id=user.id, email=user.email, created_at=user.created_at)


LOGIN_ERRORS = error_responses(NotAuthenticatedError)


@router.post(
    "/login", response_model=Token, dependencies=[Depends(login_rate)], responses=LOGIN_ERRORS
)
def login(
    request: Request,
    form: Annotated[PasswordForm, Form()],
    accounts: AccountsDep,
) -> Token:
    """OAuth2 password flow (form fields `username` = the email, `password`); rate limited per
    client address."""
    return _token(request, accounts, form.username, form.password)


@router.post(
    "/login/json", response_model=Token, dependencies=[Depends(login_rate)], responses=LOGIN_ERRORS
)
def login_json(request: Request, body: Credentials, accounts: AccountsDep) -> Token:
    """The same login with a JSON body `{"email", "password"}`."""
    return _token(request, accounts, body.email, body.password)


@router.get(
    "/me", response_model=UserOut, responses=error_responses(NotAuthenticatedError, NotFoundError)
)
def me(user: CurrentUser, accounts: AccountsDep) -> UserOut:
    """The signed-in user."""
    assert user.user_id is not None
    found = accounts.get(user.user_id)
    if found is None:
        raise NotFoundError("This account no longer exists")
    return UserOut(id=found.id, email=found.email, created_at=found.created_at)
