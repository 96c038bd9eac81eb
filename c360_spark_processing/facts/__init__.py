"""Fact tables and per-customer facts: everything observed up to the as-of date."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from pyspark.sql import DataFrame

from c360_spark_processing.facts.digital import (
    customer_digital_facts,
    event_sessions,
    session_facts,
)
from c360_spark_processing.facts.operations import (
    booking_facts,
    customer_service_facts,
    fulfilment_facts,
    order_event_facts,
    product_view_facts,
)
from c360_spark_processing.facts.orders import (
    attribute_orders,
    customer_order_facts,
    order_facts,
    order_line_facts,
    rounded,
)
from c360_spark_processing.facts.support import customer_support_facts, ticket_facts
from c360_spark_processing.settings import PipelineSettings


@dataclass(frozen=True)
class Facts:
    """Published fact tables, the per-customer facts the profile joins on customer_id, and every
    session (`sessions`, with or without a session_start event) so the run can count the ones
    fact_sessions leaves out."""

    fact_orders: DataFrame
    fact_order_lines: DataFrame
    fact_support_tickets: DataFrame
    fact_sessions: DataFrame
    fact_order_events: DataFrame
    fact_order_fulfilment: DataFrame
    fact_service_bookings: DataFrame
    fact_product_views: DataFrame
    sessions: DataFrame
    customer_orders: DataFrame
    customer_digital: DataFrame
    customer_support: DataFrame
    customer_services: DataFrame


Materialize = Callable[[str, DataFrame], DataFrame]
"""Hook that computes an intermediate once and returns a frame reading the result (see build_facts)."""


def _lazy(_name: str, frame: DataFrame) -> DataFrame:
    return frame


def build_facts(
    loaded: Mapping[str, DataFrame],
    crosswalk: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize = _lazy,
) -> Facts:
    """All facts of the observation window ending at as-of (later records are ignored).

    Per-customer facts are computed from unrounded amounts; only the published tables round.
    The order, ticket and session facts feed both the published tables and the per-customer
    facts, so on big data the caller passes a `materialize` that writes them once (the pipeline
    writes Parquet and reads it back); by default everything stays lazy. Intermediates are
    named as in `build_facts`' calls; one named like a published table is that table.
    """
    attributed = materialize(
        "attributed_orders", attribute_orders(loaded["orders"], crosswalk, as_of, settings)
    )
    lines = materialize(
        "order_line_facts", order_line_facts(loaded["order_lines"], attributed, loaded["products"])
    )
    orders = materialize("order_facts", order_facts(attributed, lines))
    tickets = materialize(
        "ticket_facts", ticket_facts(loaded["support_tickets"], crosswalk, as_of, settings)
    )
    sessions = materialize(
        "event_sessions", event_sessions(loaded["app_events"], crosswalk, as_of, settings)
    )
    # Published as computed, so its intermediate is named for its table: a `materialize` that
    # writes published tables by name writes it once.
    events = materialize(
        "fact_order_events",
        order_event_facts(loaded["order_status_events"], attributed, as_of, settings),
    )
    bookings = materialize(
        "booking_facts",
        booking_facts(
            loaded["service_bookings"],
            crosswalk,
            loaded["services"],
            loaded["providers"],
            loaded["postal_codes"],
            as_of,
            settings,
        ),
    )
    fulfilment = fulfilment_facts(
        attributed, orders, events, loaded["stores"], loaded["postal_codes"], settings
    )
    return Facts(
        fact_orders=rounded(
            orders, ("gross_amount", "discount_amount", "cost_amount", "net_amount")
        ),
        fact_order_lines=rounded(lines, ("line_amount", "line_cost")),
        fact_support_tickets=rounded(tickets, ("first_response_hours", "resolution_hours")),
        fact_sessions=session_facts(sessions, settings),
        fact_order_events=events,
        fact_order_fulfilment=rounded(
            fulfilment, ("delivery_hours", "lead_time_hours", "gross_amount", "net_amount")
        ),
        fact_service_bookings=rounded(bookings, ("price", "revenue")),
        fact_product_views=product_view_facts(loaded["app_events"], sessions, as_of, settings),
        sessions=sessions,
        customer_orders=customer_order_facts(orders, lines, as_of, settings),
        customer_digital=customer_digital_facts(sessions, as_of, settings),
        customer_support=customer_support_facts(tickets, as_of, settings),
        customer_services=customer_service_facts(bookings),
    )
