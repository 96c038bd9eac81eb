"""What an API key or account may do: data scopes open one domain each, `pii` reveals personal
data, `admin` opens the operator routes. Shared by the API and the metric catalogue."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    MARKETING = "marketing"
    PRODUCT = "product"
    FINANCE = "finance"
    CUSTOMER_SUCCESS = "customer_success"
    PII = "pii"
    ADMIN = "admin"


DATA_SCOPES: frozenset[Scope] = frozenset(
    {Scope.MARKETING, Scope.PRODUCT, Scope.FINANCE, Scope.CUSTOMER_SUCCESS}
)
