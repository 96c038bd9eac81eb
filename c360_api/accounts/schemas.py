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


class UserOut(BaseModel):
    id: str = Field(description="User id.")
    email: str = Field(description="Email, lower-cased.")
    created_at: datetime = Field(description="When the account was created (UTC).")


class Token(BaseModel):
    """An OAuth2 bearer token: send it as `Authorization: Bearer <access_token>`."""

    access_token: str = Field(description="The signed token (JWT).")
    token_type: str = Field(default="bearer", description="Always bearer.")
    expires_in: int = Field(description="Seconds until it expires.")
