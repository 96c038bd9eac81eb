"""One customer's 360 view, and the customer a source record was linked to."""

from __future__ import annotations

from collections.abc import Sequence

from c360_api.queries.masking import select_all, select_list
from c360_api.snapshots import Snapshot, fetch
from c360_contract.catalog import Row

RECENT_LIMIT = 20


def customer_view(
    snapshot: Snapshot,
    customer_id: str,
    pii: bool,
    profile_columns: Sequence[str],
    order_columns: Sequence[str],
    ticket_columns: Sequence[str],
) -> Row | None:
    """The 360 view of one customer, or None when the id is unknown.

    Four small queries on one cursor (a cursor costs about 0.25 ms). The profile row is read as
    `*` and narrowed here: DuckDB binds a hundred named columns about 1 ms slower than `*`.
    """
    recent = "WHERE customer_id = ? ORDER BY {} DESC, {} DESC LIMIT ?"
    with snapshot.cursor() as cur:
        found = fetch(
            cur,
            f"SELECT {select_all(pii)} FROM customer_profile WHERE customer_id = ?",
            [customer_id],
        )
        if not found:
            return None
        identities = fetch(
            cur,
            "SELECT source, source_record_id FROM identity_crosswalk WHERE customer_id = ? "
            "ORDER BY source, source_record_id",
            [customer_id],
        )
        orders = fetch(
            cur,
            f"SELECT {select_list(order_columns, pii)} FROM fact_orders "
            + recent.format("order_ts", "order_id"),
            [customer_id, RECENT_LIMIT],
        )
        tickets = fetch(
            cur,
            f"SELECT {select_list(ticket_columns, pii)} FROM fact_support_tickets "
            + recent.format("created_at", "ticket_id"),
            [customer_id, RECENT_LIMIT],
        )
    return {
        "profile": {c: found[0][c] for c in profile_columns},
        "identities": identities,
        "recent_orders": orders,
        "recent_tickets": tickets,
    }


def linked_customer(snapshot: Snapshot, source: str, source_record_id: str) -> str | None:
    """The customer a source record was linked to."""
    found = snapshot.rows(
        "SELECT customer_id FROM identity_crosswalk WHERE source = ? AND source_record_id = ? "
        "LIMIT 1",
        [source, source_record_id],
    )
    return None if not found else str(found[0]["customer_id"])
