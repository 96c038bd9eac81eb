"""Pages of customer profiles: the filtered, sorted list and the churn-risk list.

Late materialisation: filter, sort and page on the narrow columns involved to find the page's
customer_ids, then read the wide rows of just those ids (sorting every matching wide row to keep a
hundred was most of a page's cost). With a filter, the matching narrow rows are materialised once
and serve both the count and the page (the string filters are the expensive part); without one
the count is free and sorting in place is cheaper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from c360_api.exceptions import ForbiddenError
from c360_api.queries.masking import select_list
from c360_api.snapshots import Snapshot, fetch, ident
from c360_contract.catalog import Row
from c360_contract.personal_data import PERSONAL_COLUMNS

# Sortable profile columns; a leading '-' in the request means descending.
PROFILE_SORT_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "total_spent",
    "total_orders",
    "customer_health_score",
    "churn_risk_score",
    "recency_days",
    "last_order_date",
    "predicted_clv_12m",
    "clv_net_revenue",
    "tenure_days",
    "signup_date",
)

# Repeatable equality filters on customer_profile: request parameter -> column.
PROFILE_IN_FILTERS: dict[str, str] = {
    "customer_status": "customer_status",
    "segment": "customer_segment",
    "loyalty_tier": "loyalty_tier",
    "rfm_segment": "rfm_segment",
    "generation": "generation",
    "state": "state",
    "cluster_label": "cluster_label",
}
# Lower bounds: request parameter -> column.
PROFILE_MIN_FILTERS: dict[str, str] = {
    "min_health_score": "customer_health_score",
    "min_lifetime_value": "total_spent",
}


@dataclass(frozen=True)
class ProfileQuery:
    """Validated profile filters (values already checked against their enums by the API layer)."""

    in_filters: dict[str, list[str]]
    min_filters: dict[str, float]
    sort: str
    limit: int
    offset: int


def page(
    snapshot: Snapshot,
    columns: Sequence[str],
    pii: bool,
    where: str,
    params: list[Any],
    sort_column: str,
    order: str,
    limit: int,
    offset: int,
) -> tuple[list[Row], int]:
    """One page of `where` (empty: every row) in `order`, and the total."""
    if "customer_id" not in columns:
        raise ValueError("a page's columns must include customer_id (rows are put in order by it)")
    narrow = ", ".join(ident(c) for c in dict.fromkeys(("customer_id", sort_column)))
    if where:
        page_sql = (
            "WITH matching AS MATERIALIZED ("
            f"SELECT {narrow} FROM customer_profile WHERE {where}) "
            "SELECT (SELECT count(*) FROM matching), (SELECT list(customer_id ORDER BY "
            f"{order}) FROM (SELECT * FROM matching ORDER BY {order} LIMIT ? OFFSET ?))"
        )
    else:
        page_sql = (
            "SELECT (SELECT count(*) FROM customer_profile), (SELECT list(customer_id ORDER BY "
            f"{order}) FROM (SELECT {narrow} FROM customer_profile "
            f"ORDER BY {order} LIMIT ? OFFSET ?))"
        )
    with snapshot.cursor() as cur:
        found = cur.execute(page_sql, [*params, limit, offset]).fetchone()
        assert found is not None
        total, ids = int(found[0]), found[1] or []
        if not ids:
            return [], total
        # A literal IN list of parameters probes the customer_id index; `= ANY($list)` scans.
        rows = fetch(
            cur,
            f"SELECT {select_list(columns, pii)} FROM customer_profile "
            f"WHERE customer_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
    by_id = {row["customer_id"]: row for row in rows}
    return [by_id[i] for i in ids], total


def profiles(
    snapshot: Snapshot, columns: Sequence[str], pii: bool, q: ProfileQuery
) -> tuple[list[Row], int]:
    """Filtered, sorted page of customer profiles."""
    clauses: list[str] = []
    params: list[Any] = []
    for param, values in q.in_filters.items():
        if values:
            clauses.append(
                f"{ident(PROFILE_IN_FILTERS[param])} IN ({', '.join('?' * len(values))})"
            )
            params.extend(values)
    for param, bound in q.min_filters.items():
        clauses.append(f"{ident(PROFILE_MIN_FILTERS[param])} >= ?")
        params.append(bound)
    column = q.sort.removeprefix("-")
    if column not in PROFILE_SORT_COLUMNS:
        raise ValueError(f"unsortable column {column!r}")
    if column in PERSONAL_COLUMNS and not pii:
        # The order of a masked column would still tell its values apart.
        raise ForbiddenError(
            f"Sorting by {column} needs the pii scope", parameter="sort", required_scope="pii"
        )
    direction = "DESC" if q.sort.startswith("-") else "ASC"
    order = f"{ident(column)} {direction} NULLS LAST, customer_id"
    return page(
        snapshot, columns, pii, " AND ".join(clauses), params, column, order, q.limit, q.offset
    )


def churn_risk(
    snapshot: Snapshot,
    columns: Sequence[str],
    pii: bool,
    min_lifetime_value: float | None,
    limit: int,
    offset: int,
) -> tuple[list[Row], int]:
    """High/Critical-risk customers not yet churned, biggest spenders first."""
    where = "risk_status IN ('High', 'Critical') AND customer_status <> 'Churned'"
    params: list[Any] = []
    if min_lifetime_value is not None:
        where += " AND total_spent >= ?"
        params.append(min_lifetime_value)
    return page(
        snapshot,
        columns,
        pii,
        where,
        params,
        "total_spent",
        "total_spent DESC, customer_id",
        limit,
        offset,
    )
