"""The source systems' vocabularies (docs/data_model.md §1): the one definition of every enum value.

The generator writes these values, ingest quarantines anything else, the pipeline and the API
build on them. Plain Python (no PySpark), so the generator and the API import it cheaply.
"""

from __future__ import annotations

GENDERS: tuple[str, ...] = ("F", "M", "X")
ACQUISITION_CHANNELS: tuple[str, ...] = (
    "organic_search",
    "paid_search",
    "social",
    "referral",
    "email",
    "store",
    "affiliate",
)
CUSTOMER_SEGMENTS: tuple[str, ...] = ("Premium", "Standard", "Basic")
ACCOUNT_PLATFORMS: tuple[str, ...] = ("web", "ios", "android")
LOYALTY_TIERS: tuple[str, ...] = ("Bronze", "Silver", "Gold", "Platinum")
CHANNELS: tuple[str, ...] = ("online", "app", "store")
ORDER_STATUSES: tuple[str, ...] = ("completed", "cancelled", "refunded", "payment_failed")
PAYMENT_METHODS: tuple[str, ...] = ("card", "cash", "wallet", "cash_on_delivery")
TRAFFIC_SOURCES: tuple[str, ...] = (
    "direct",
    "organic_search",
    "paid_search",
    "social",
    "email",
    "referral",
)
EVENT_TYPES: tuple[str, ...] = (
    "session_start",
    "product_view",
    "add_to_cart",
    "checkout_start",
    "purchase",
)
TICKET_CHANNELS: tuple[str, ...] = ("email", "chat", "phone")
TICKET_CATEGORIES: tuple[str, ...] = (
    "delivery",
    "returns",
    "billing",
    "product_quality",
    "account",
    "app_issue",
)
TICKET_PRIORITIES: tuple[str, ...] = ("low", "medium", "high", "urgent")
TICKET_STATUSES: tuple[str, ...] = ("open", "pending", "resolved", "closed")
