"""Dependencies of the user routes: the account store and the signed-in user."""

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request, Security
from fastapi.security import OAuth2PasswordBearer

from c360_api.accounts.session import session_principal
from c360_api.core.security import Principal, presents_credentials, request_principal
from c360_api.exceptions import NotAuthenticatedError

if TYPE_CHECKING:
    from c360_api.accounts.store import AccountStore  # SQLAlchemy: not imported at start

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/login", auto_error=False)


async def get_accounts(request: Request) -> "AccountStore":
    """The account store over the app's database. Its module imports SQLAlchemy, which the API's
    start leaves for later (`c360_api.db.engine`), so it is imported here, on first use; the store
    holds nothing but the database."""
    from c360_api.accounts.store import AccountStore

    return AccountStore(request.app.state.db)


async def current_user(
    request: Request, _token: Annotated[str | None, Security(oauth2_scheme)]
) -> Principal:
    """The user of the request's bearer token, or without one of the browser's session cookie
    (with the CSRF header when the request changes something); 401 without a valid one (an API key
    is not a user: uploads and workspaces belong to people)."""
    principal = request_principal(request)
    if principal is None and not presents_credentials(request):
        principal = session_principal(request)
    if principal is None or principal.user_id is None:
        raise NotAuthenticatedError(
            "Sign in: send Authorization: Bearer <token> from POST /api/auth/login",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.key_id = principal.key_id
    return principal


# FastAPI reads only the `Depends` of a dependency's annotation: the store's class stays a name.
AccountsDep = Annotated["AccountStore", Depends(get_accounts)]
CurrentUser = Annotated[Principal, Depends(current_user)]
