"""Account errors, apart from the account store: the routes and pages that answer them are
imported at the API's start, the store (SQLAlchemy) is not."""

from c360_api.exceptions import ConflictError


class EmailTakenError(ConflictError):
    description = "An account with this email already exists."
