"""Tables derived from a snapshot when the API opens it, shared by the catalogue's queries.

The published fact tables hold one row per order (6M at 1M customers): counting distinct buyers
or grouping them by hour on every request costs hundreds of milliseconds. These compact tables are
built once per snapshot, in DuckDB, from the published tables (so a workspace snapshot gets them
too); metrics then read a few thousand rows. Each is a view over the Parquet until the in-memory
copy is loaded, so a snapshot answers correctly from the first request.

- `completed`: completed orders with a dense integer `customer_key` (a view, not kept).
- `buyer_days`: per business day, a bitstring of the keys of customers with a completed order
  that day. Distinct buyers over any window are `bit_count(bit_or(buyers))`: exact, no hash of
  six million rows. `buyer_months` ORs each calendar month's days once, so a window ORs its whole
  months (36 over three years, not 1,096 days of 125 kB each at 1M customers) and the days of its
  partial ones (`c360_api/catalog/sql.py`).
- `customer_summary`: per buyer, first/second/last completed order day, orders, revenue and the
  first order's revenue, as of the snapshot's as-of; `customer_summary_until(end)` is the same
  for an earlier end of window (one definition, a table macro).
- `first_order_days`: new buyers per day of their first completed order.
- `cohort_activity`, `revenue_by_first_day`, `orders_hourly`, `product_daily`, `sessions_daily`:
  additive cubes at the business-day grain, so any window sums them exactly.
- Operations: `payments_daily` (orders by day, hour, channel, payment method and statuses),
  `fulfilment_daily` (shipped and store orders by day, hour, channel, fulfilment and distance
  band, with the funnel steps reached, deliveries and on-time counts), `location_daily` (orders
  by day and place; 2.4M rows at 1M customers, so also `location_months`, the same per calendar
  month, which `sql.by_months_and_days` reads for a window's whole months),
  `category_status_daily`, `discount_daily`, `distance_daily` (orders and
  bookings by whole kilometre), `bookings` and `product_views` (in-memory copies of their facts).
- Customer groups: `customer_attributes` (per customer key: home city and state, gender,
  generation, contact details, and the segments of the customer-analytics metrics),
  `customer_groups` (one bitstring of customer keys per group) and `group_daily` (completed
  orders and revenue per day and group). Buyers of a group in a window are
  `bit_count(group mask & the window's buyers)`: exact, without touching orders.
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
    Derived(
        "buyer_months",
        "SELECT date_trunc('month', day)::DATE AS month_start, last_day(day) AS month_end, "
        "bit_or(buyers) AS buyers, bit_count(bit_or(buyers)) AS customers "
        "FROM buyer_days GROUP BY ALL",
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
        "first_order_days",
        "SELECT first_order_date AS day, count(*)::BIGINT AS customers FROM customer_summary "
        "GROUP BY ALL",
    ),
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
        "count(DISTINCT order_id)::BIGINT AS orders, sum(line_amount) AS revenue, "
        "sum(line_cost) AS cost "
        "FROM fact_order_lines WHERE status = 'completed' GROUP BY ALL",
    ),
    Derived(
        "sessions_daily",
        "SELECT session_date, traffic_source, count(*)::BIGINT AS sessions, "
        "count(*) FILTER (WHERE converted)::BIGINT AS converted_sessions "
        "FROM fact_sessions GROUP BY ALL",
    ),
)


# Customer segments of the customer-analytics metrics, from the profile (lifetime, as of the
# snapshot): big spenders, frequent buyers, and buyers paying mostly cash or mostly online.
HIGH_VALUE_MIN_REVENUE = 1000
FREQUENT_MIN_ORDERS = 5

OPERATIONS: tuple[Derived | Macro, ...] = (
    Derived(
        "payments_daily",
        "SELECT order_date, hour(order_local_ts)::INTEGER AS hour, channel, payment_method, "
        "status, payment_status, count(*)::BIGINT AS orders, sum(gross_amount) AS gross_amount, "
        "sum(net_amount) AS net_amount FROM fact_order_fulfilment GROUP BY ALL",
    ),
    Derived(
        "fulfilment_daily",
        """SELECT order_date, hour(order_local_ts)::INTEGER AS hour, channel, status, fulfilment,
               coalesce(distance_band, 'unknown') AS distance_band, count(*)::BIGINT AS orders,
               count(coalesce(placed_at, paid_at, packed_at, shipped_at, delivered_at))::BIGINT
                   AS reached_placed,
               count(coalesce(paid_at, packed_at, shipped_at, delivered_at))::BIGINT
                   AS reached_paid,
               count(coalesce(packed_at, shipped_at, delivered_at))::BIGINT AS reached_packed,
               count(coalesce(shipped_at, delivered_at))::BIGINT AS reached_shipped,
               count(delivered_at)::BIGINT AS delivered,
               coalesce(sum(delivery_hours), 0) AS delivery_hours,
               count(*) FILTER (WHERE on_time)::BIGINT AS on_time,
               count(lead_time_hours)::BIGINT AS scheduled,
               coalesce(sum(lead_time_hours), 0) AS lead_time_hours,
               sum(net_amount) AS revenue
        FROM fact_order_fulfilment GROUP BY ALL""",
    ),
    Derived(
        "location_daily",
        """SELECT order_date, postal_code, city, state, count(*)::BIGINT AS orders,
               count(*) FILTER (WHERE status = 'completed')::BIGINT AS completed_orders,
               sum(net_amount) AS revenue,
               count(*) FILTER (WHERE channel <> 'store')::BIGINT AS shipped_orders,
               count(delivered_at) FILTER (WHERE channel <> 'store')::BIGINT AS delivered,
               coalesce(sum(delivery_hours) FILTER (WHERE channel <> 'store'), 0)
                   AS delivery_hours,
               count(*) FILTER (WHERE on_time AND channel <> 'store')::BIGINT AS on_time
        FROM fact_order_fulfilment GROUP BY ALL""",
    ),
    Derived(
        "location_months",
        """SELECT date_trunc('month', order_date)::DATE AS month_start,
               last_day(order_date) AS month_end, postal_code, city, state,
               sum(orders)::BIGINT AS orders, sum(completed_orders)::BIGINT AS completed_orders,
               sum(revenue) AS revenue, sum(shipped_orders)::BIGINT AS shipped_orders,
               sum(delivered)::BIGINT AS delivered, sum(delivery_hours) AS delivery_hours,
               sum(on_time)::BIGINT AS on_time
        FROM location_daily GROUP BY ALL""",
    ),
    Derived(
        "category_status_daily",
        "SELECT order_date, category, status, count(DISTINCT order_id)::BIGINT AS orders, "
        "sum(line_amount) AS amount FROM fact_order_lines "
        "WHERE status IN ('completed', 'refunded') GROUP BY ALL",
    ),
    Derived(
        "discount_daily",
        """SELECT l.order_date,
               CASE WHEN l.line_amount >= l.quantity * p.list_price THEN 'none'
                    WHEN l.line_amount >= 0.9 * l.quantity * p.list_price THEN '0-10'
                    WHEN l.line_amount >= 0.8 * l.quantity * p.list_price THEN '10-20'
                    ELSE '20+' END AS discount_level,
               count(*)::BIGINT AS lines, sum(l.quantity)::BIGINT AS units,
               sum(l.line_amount) AS revenue, sum(l.line_cost) AS cost,
               sum(l.quantity * p.list_price) AS list_value
        FROM fact_order_lines l JOIN dim_products p USING (product_id)
        WHERE l.status = 'completed' GROUP BY ALL""",
    ),
    Derived(
        "distance_daily",
        """SELECT order_date AS day, 'orders' AS kind,
               least(floor(distance_km), 10000)::INTEGER AS km,
               count(*)::BIGINT AS n, sum(distance_km) AS total_km
        FROM fact_order_fulfilment WHERE distance_km IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT booking_date, 'bookings', least(floor(distance_km), 10000)::INTEGER,
               count(*)::BIGINT, sum(distance_km)
        FROM fact_service_bookings WHERE distance_km IS NOT NULL GROUP BY ALL""",
    ),
    Derived("bookings", "SELECT * FROM fact_service_bookings"),
    Derived("product_views", "SELECT * FROM fact_product_views"),
    Derived(
        "customer_attributes",
        f"""SELECT k.customer_key, p.city, p.state,
               coalesce(p.gender, 'unknown') AS gender, p.generation,
               CASE WHEN p.email IS NOT NULL AND p.phone IS NOT NULL THEN 'email and phone'
                    WHEN p.email IS NOT NULL THEN 'email only'
                    WHEN p.phone IS NOT NULL THEN 'phone only'
                    ELSE 'no contact' END AS contact,
               p.net_revenue >= {HIGH_VALUE_MIN_REVENUE} AS high_value,
               p.total_orders >= {FREQUENT_MIN_ORDERS} AS frequent_buyer,
               c.cash_orders * 2 > p.total_orders AS cash_user,
               p.total_orders > 0 AND c.cash_orders * 2 <= p.total_orders AS online_user
        FROM customer_profile p JOIN customer_keys k USING (customer_id)
        LEFT JOIN (SELECT customer_id, count(*) FILTER (
                       WHERE payment_method IN ('cash', 'cash_on_delivery')) AS cash_orders
                   FROM fact_orders WHERE status = 'completed' GROUP BY 1) c USING (customer_id)""",
    ),
    Derived(
        "customer_groups_long",
        """SELECT customer_key, 'city' AS dimension, city || '|' || state AS value
           FROM customer_attributes WHERE city IS NOT NULL
        UNION ALL SELECT customer_key, 'state', state FROM customer_attributes
           WHERE state IS NOT NULL
        UNION ALL SELECT customer_key, 'gender', gender FROM customer_attributes
        UNION ALL SELECT customer_key, 'generation', generation FROM customer_attributes
        UNION ALL SELECT customer_key, 'contact', contact FROM customer_attributes
        UNION ALL SELECT customer_key, 'segment', 'high_value' FROM customer_attributes
           WHERE high_value
        UNION ALL SELECT customer_key, 'segment', 'frequent_buyers' FROM customer_attributes
           WHERE frequent_buyer
        UNION ALL SELECT customer_key, 'segment', 'cash_users' FROM customer_attributes
           WHERE cash_user
        UNION ALL SELECT customer_key, 'segment', 'online_users' FROM customer_attributes
           WHERE online_user""",
        keep=False,
    ),
    Derived(
        "customer_groups",
        "SELECT dimension, value, count(*)::BIGINT AS customers, "
        "bitstring_agg(customer_key, 0, {max_customer_key}) AS members "
        "FROM customer_groups_long GROUP BY ALL",
    ),
    Derived(
        "group_daily",
        "SELECT c.order_date, g.dimension, g.value, count(*)::BIGINT AS orders, "
        "sum(c.net_amount) AS revenue "
        "FROM completed c JOIN customer_groups_long g USING (customer_key) GROUP BY ALL",
    ),
)


def statements(as_of: date, max_customer_key: int, keep: bool) -> list[tuple[str, str]]:
    """(name, DDL) of every derived relation over a snapshot's tables, in dependency order.

    `keep` materialises the kept ones as tables (the in-memory copy); otherwise all are views.
    The two substituted values come from the snapshot itself (its manifest and its profile).
    """
    values = {"as_of": as_of.isoformat(), "max_customer_key": max(max_customer_key, 0)}
    out = []
    for d in (*DERIVED, *OPERATIONS):
        if isinstance(d, Macro):
            out.append(
                (d.name, f"CREATE OR REPLACE MACRO {d.name}({d.parameters}) AS TABLE {d.sql}")
            )
            continue
        kind = "TABLE" if keep and d.keep else "VIEW"
        out.append((d.name, f"CREATE OR REPLACE {kind} {d.name} AS {d.sql.format(**values)}"))
    return out
