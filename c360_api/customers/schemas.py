"""The customer 360 view: customer_profile grouped as data_model.md groups it, plus linked records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from c360_api.personal_data import personal
from c360_contract.catalog import RowModel, example

Source = Literal["crm", "ecommerce", "loyalty", "support"]


class GoldenRecord(RowModel):
    """Personal data (names, contact, birth date, postal code) is null unless the key has the pii
    scope; city, state and the other attributes stay visible."""

    first_name: str | None = personal("first_name")
    last_name: str | None = personal("last_name")
    customer_name: str | None = personal("customer_name")
    email: str | None = personal("email")
    phone: str | None = personal("phone")
    birth_date: date | None = personal("birth_date")
    gender: str | None
    city: str | None
    state: str | None
    country: str | None
    postal_code: str | None = personal("postal_code")
    signup_date: date | None
    acquisition_channel: str | None
    customer_segment: str | None
    email_source: str | None
    phone_source: str | None
    name_source: str | None
    address_source: str | None


class Demographics(RowModel):
    birth_year: int | None
    age: int | None
    generation: str | None


class Identities(RowModel):
    crm_ids: list[str] | None
    account_ids: list[str] | None
    member_ids: list[str] | None
    linked_records: int | None


class Loyalty(RowModel):
    loyalty_member_id: str | None
    loyalty_tier: str | None
    points_balance: int | None
    lifetime_points: int | None
    loyalty_enrolled_at: date | None


class OrderSummary(RowModel):
    total_orders: int | None
    cancelled_orders: int | None
    refunded_orders: int | None
    failed_orders: int | None
    first_order_date: date | None
    last_order_date: date | None
    total_units: int | None
    gross_revenue: float | None
    refunded_amount: float | None
    net_revenue: float | None
    total_discount: float | None
    total_cost: float | None
    net_margin: float | None
    avg_order_value: float | None
    online_orders: int | None
    app_orders: int | None
    store_orders: int | None
    channels_used: list[str] | None
    preferred_channel: str | None
    favorite_category: str | None
    categories_purchased: list[str] | None
    spend_last_365d: float | None


class Digital(RowModel):
    total_sessions: int | None
    app_sessions: int | None
    web_sessions: int | None
    sessions_last_90d: int | None
    product_views: int | None
    add_to_carts: int | None
    checkout_starts: int | None
    app_purchases: int | None
    converting_sessions: int | None
    last_session_date: date | None
    uses_app: bool | None
    digital_conversion_rate: float | None


class SupportSummary(RowModel):
    total_tickets: int | None
    open_tickets: int | None
    tickets_last_365d: int | None
    avg_csat: float | None
    avg_csat_last_365d: float | None
    low_csat_tickets: int | None
    avg_first_response_hours: float | None
    avg_resolution_hours: float | None
    last_ticket_date: date | None


class Scores(RowModel):
    recency_days: int | None
    frequency: int | None
    monetary: float | None
    r_score: int | None
    f_score: int | None
    m_score: int | None
    fm_score: int | None
    rfm_score: str | None
    rfm_segment: str | None
    rfm_action: str | None
    engagement_score: float | None
    support_score: float | None
    customer_health_score: float | None
    churn_risk_score: float | None
    risk_status: str | None
    customer_status: str | None
    lifecycle_stage: str | None
    total_spent: float | None
    clv_net_revenue: float | None
    clv_net_margin: float | None
    predicted_clv_12m: float | None
    tenure_days: int | None


class CrossSell(RowModel):
    channels_not_used: list[str] | None
    next_loyalty_tier: str | None
    spend_to_next_tier: float | None
    categories_not_bought: list[str] | None
    recommended_category: str | None


class LinkedIdentity(RowModel):
    model_config = example(source="loyalty", source_record_id="LOY-0000042")
    source: str
    source_record_id: str


class RecentOrder(RowModel):
    order_id: str
    channel: str | None
    order_ts: datetime | None
    order_date: date | None
    status: str | None
    payment_method: str | None
    traffic_source: str | None
    items: int | None
    units: int | None
    gross_amount: float | None
    discount_amount: float | None
    cost_amount: float | None
    net_amount: float | None


class RecentTicket(RowModel):
    ticket_id: str
    created_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    channel: str | None
    category: str | None
    priority: str | None
    status: str | None
    csat: int | None
    first_response_hours: float | None
    resolution_hours: float | None


SECTIONS: dict[str, type[BaseModel]] = {
    "golden_record": GoldenRecord,
    "demographics": Demographics,
    "identities": Identities,
    "loyalty": Loyalty,
    "orders": OrderSummary,
    "digital": Digital,
    "support": SupportSummary,
    "scores": Scores,
    "cross_sell": CrossSell,
}
PROFILE_COLUMNS: list[str] = ["customer_id"] + [
    c for m in SECTIONS.values() for c in m.model_fields
]
# The profile as one flat row (what CSV of `table=profile` holds): every section's fields.
ProfileRow: type[BaseModel] = create_model(
    "CustomerProfileRow",
    __base__=RowModel,
    customer_id=(str, ...),
    **{
        name: (info.annotation, info)
        for m in SECTIONS.values()
        for name, info in m.model_fields.items()
    },  # type: ignore[call-overload]
)


class Customer360(RowModel):
    """Everything known about one customer, with the last 20 orders and tickets."""

    model_config = example(
        customer_id="C-0000042",
        golden_record={
            "customer_name": None,
            "email": None,
            "phone": None,
            "state": "TX",
        },
        scores={"customer_health_score": 4.35, "churn_risk_score": 0.08, "risk_status": "Low"},
        linked_identities=[{"source": "crm", "source_record_id": "CRM-0000042"}],
        recent_orders=[{"order_id": "ORD-000000901", "status": "completed", "net_amount": 120.5}],
        recent_tickets=[{"ticket_id": "TCK-0000077", "category": "delivery", "csat": 4}],
    )
    customer_id: str
    golden_record: GoldenRecord = Field(
        description="Identity and contact attributes chosen by survivorship."
    )
    demographics: Demographics = Field(description="Birth year, age and generation.")
    identities: Identities = Field(description="The source records linked to the customer.")
    loyalty: Loyalty = Field(description="Loyalty membership.")
    orders: OrderSummary = Field(description="Order history and money.")
    digital: Digital = Field(description="App and web sessions.")
    support: SupportSummary = Field(description="Support tickets.")
    scores: Scores = Field(description="RFM, health, churn risk, status and lifetime value.")
    cross_sell: CrossSell = Field(description="What the customer has not bought or used yet.")
    linked_identities: list[LinkedIdentity] = Field(description="Each linked source record.")
    recent_orders: list[RecentOrder] = Field(description="The last 20 orders, newest first.")
    recent_tickets: list[RecentTicket] = Field(description="The last 20 tickets, newest first.")

    @staticmethod
    def shape(view: dict[str, Any]) -> dict[str, Any]:
        """Group the store's flat profile row into the sections above."""
        profile = view["profile"]
        return {
            "customer_id": profile["customer_id"],
            **{name: {c: profile[c] for c in m.model_fields} for name, m in SECTIONS.items()},
            "linked_identities": view["identities"],
            "recent_orders": view["recent_orders"],
            "recent_tickets": view["recent_tickets"],
        }
