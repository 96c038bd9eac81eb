"""Tables derived from a snapshot when the API opens it, shared by the catalogue's queries.

The published fact tables hold one row per order (6M at 1M customers): counting distinct buyers
or grouping them by hour on every request costs hundreds of milliseconds. These compact tables are
built once per snapshot, in DuckDB, from the published tables (so a workspace snapshot gets them
too); metrics then read a few thousand rows. Each is a view over the Parquet until the in-memory
copy is loaded, so a snapshot answers correctly from the first request.

- `completed`: completed orders with a dense integer `customer_key` (a view, not kept).
- `buyer_days`: per business day, a bitstring of the keys of customers with a completed order
  that day. Distinct buyers over any window are `bit_count(bit_or(buyers))`: exact, no hash of
  six million rows.
- `customer_summary`: per buyer, first/second/last completed order day, orders, revenue and the
  first order's revenue, as of the snapshot's as-of; `customer_summary_until(end)` is the same
  for an earlier end of window (one definition, a table macro).
- `cohort_activity`, `revenue_by_first_day`, `orders_hourly`, `product_daily`, `sessions_daily`:
  additive cubes at the business-day grain, so any window sums them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Derived:
    """One derived relation; `keep` ones are materialised in memory, the others stay views."""

    name: str
    sql: str
    keep: bool = True


@dataclass(frozen=True)
class Macro:
    """A table macro (a parameterised view) metrics and later definitions call."""

    name: str
    parameters: str
    sql: str


DERIVED: tuple[Derived | Macro, ...] = (
    Derived(
        "customer_keys",
        "SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1)::INTEGER AS "
        "customer_key FROM customer_profile",
    ),
    Derived(
        "completed",
        "SELECT k.customer_key, o.order_id, o.order_ts, o.order_date, o.net_amount "
        "FROM fact_orders o JOIN customer_keys k USING (customer_id) "
        "WHERE o.status = 'completed'",
        keep=False,
    ),
    Derived(
        "buyer_days",
        "SELECT order_date AS day, bitstring_agg(customer_key, 0, {max_customer_key}) AS buyers "
        "FROM completed GROUP BY order_date",
    ),
    Macro(
        "customer_summary_until",
        "end_day",
        """SELECT customer_key,
               min(order_date) AS first_order_date,
               list_sort(list(order_date))[2] AS second_order_date,
               max(order_date) AS last_order_date,
               count(*) AS orders,
               sum(net_amount) AS revenue,
               first(net_amount ORDER BY order_ts, order_id) AS first_order_revenue
        FROM completed WHERE order_date <= end_day GROUP BY customer_key""",
    ),
    Derived("customer_summary", "FROM customer_summary_until(DATE '{as_of}')"),
    Derived(
        "cohort_activity",
        "SELECT s.first_order_date, m.month, m.first_day, count(*)::BIGINT AS customers "
        "FROM (SELECT customer_key, strftime(order_date, '%Y-%m') AS month, "
        "min(order_date) AS first_day FROM completed GROUP BY ALL) m "
        "JOIN customer_summary s USING (customer_key) GROUP BY ALL",
    ),
    Derived(
        "revenue_by_first_day",
        "SELECT c.order_date, s.first_order_date, count(*)::BIGINT AS orders, "
        "sum(c.net_amount) AS revenue "
        "FROM completed c JOIN customer_summary s USING (customer_key) GROUP BY ALL",
    ),
    Derived(
        "orders_hourly",
        "SELECT order_date, hour(order_local_ts)::INTEGER AS hour, channel, status, "
        "count(*)::BIGINT AS orders, sum(net_amount) AS revenue, sum(units)::BIGINT AS units "
        "FROM fact_orders GROUP BY ALL",
    ),
    Derived(
        "product_daily",
        "SELECT order_date, product_id, category, sum(quantity)::BIGINT AS units, "
        "count(DISTINCT order_id)::BIGINT AS orders, sum(line_amount) AS revenue "
        "FROM fact_order_lines WHERE status = 'completed' GROUP BY ALL",
    ),
    Derived(
        "sessions_daily",
        "SELECT session_date, traffic_source, count(*)::BIGINT AS sessions, "
        "count(*) FILTER (WHERE converted)::BIGINT AS converted_sessions "
        "FROM fact_sessions GROUP BY ALL",
    ),
)


def statements(as_of: date, max_customer_key: int, keep: bool) -> list[tuple[str, str]]:
    """(name, DDL) of every derived relation over a snapshot's tables, in dependency order.

    `keep` materialises the kept ones as tables (the in-memory copy); otherwise all are views.
    The two substituted values come from the snapshot itself (its manifest and its profile).
    """
    values = {"as_of": as_of.isoformat(), "max_customer_key": max(max_customer_key, 0)}
    out = []
    for d in DERIVED:
        if isinstance(d, Macro):
            out.append(
                (d.name, f"CREATE OR REPLACE MACRO {d.name}({d.parameters}) AS TABLE {d.sql}")
            )
            continue
        kind = "TABLE" if keep and d.keep else "VIEW"
        out.append((d.name, f"CREATE OR REPLACE {kind} {d.name} AS {d.sql.format(**values)}"))
    return out
