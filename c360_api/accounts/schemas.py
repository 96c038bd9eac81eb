"""Account requests and responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Credentials(BaseModel):
    email: str = Field(
        pattern=EMAIL_PATTERN, max_length=320, examples=["owner@shop.example"], description="Email."
    )
    password: str = Field(
        min_length=8, max_length=128, description="8 to 128 characters.", examples=["s3cret-pass"]
    )


class PasswordForm(BaseModel):
    """The OAuth2 password grant's form (RFC 6749 section 4.3), field for field what FastAPI's
    `OAuth2PasswordRequestForm` reads, declared here so OpenAPI describes every field."""

    grant_type: str | None = Field(
        default=None, pattern="^password$", description="OAuth2 grant type: `password` or absent."
    )
    username: str = Field(description="The account's email (OAuth2 calls it the username).")
    password: str = Field(description="The account's password.")
    scope: str = Field(default="", description="OAuth2 scopes, space separated; not used.")
    client_id: str | None = Field(default=None, description="OAuth2 client id; not used.")
    client_secret: str | None = Field(default=None, description="OAuth2 client secret; not used.")


class UserOut(BaseModel):
    id: str = Field(description="User id.")
    email: str = Field(description="Email, lower-cased.")
    created_at: datetime = Field(description="When the account was created (UTC).")


class Token(BaseModel):
    """An OAuth2 bearer token: send it as `Authorization: Bearer <access_token>`."""

    access_token: str = Field(description="The signed token (JWT).")
    token_type: str = Field(default="bearer", description="Always bearer.")
    expires_in: int = Field(description="Seconds until it expires.")
