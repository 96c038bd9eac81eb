"""Payments (any data scope): revenue by how it was paid, cash against online, failed payments
and refunds, over the orders placed in the window.

Cash is cash at the till and cash on delivery; online is card and wallet. Revenue counts
completed orders (their net amount); a failed payment's loss and a refund are the gross amount of
the orders with that final status; pending cash on delivery is completed cash-on-delivery orders
whose payment is still `pending` (not yet delivered).
"""

from __future__ import annotations

from datetime import date

from c360_contract.catalog import DAILY_SERIES_DAYS, Chart, Metric, RowModel, Sql, Table, example
from c360_contract.scopes import DATA_SCOPES
from c360_contract.vocabulary import CASH_METHODS, ONLINE_METHODS, PAYMENT_METHODS

AREA = "payments"
_CASH = ", ".join(f"'{m}'" for m in CASH_METHODS)
_ONLINE = ", ".join(f"'{m}'" for m in ONLINE_METHODS)
_METHODS = ", ".join(f"('{m}')" for m in PAYMENT_METHODS)
_IN_WINDOW = "order_date BETWEEN $start AND $end"


class PaymentsOverviewRow(RowModel):
    model_config = example(
        total_revenue=1_250_000.5,
        cash_revenue=310_000.0,
        online_revenue=940_000.5,
        cash_percentage=24.8,
        online_percentage=75.2,
        failed_payments_loss=38_000.0,
        refunded_amount=52_000.0,
        pending_cod=1_250.0,
        completed_orders=13_600,
        failed_orders=410,
        refunded_orders=560,
    )
    total_revenue: float
    cash_revenue: float
    online_revenue: float
    cash_percentage: float | None
    online_percentage: float | None
    failed_payments_loss: float
    refunded_amount: float
    pending_cod: float
    completed_orders: int
    failed_orders: int
    refunded_orders: int


class PaymentTrendRow(RowModel):
    model_config = example(day="2025-11-28", payment_method="card", orders=410, revenue=38_100.0)
    day: date
    payment_method: str
    orders: int
    revenue: float


class HourlyPaymentRow(RowModel):
    model_config = example(
        hour=20, orders=950, cash_orders=120, online_orders=830, cash_pct=12.63, online_pct=87.37
    )
    hour: int
    orders: int
    cash_orders: int
    online_orders: int
    cash_pct: float | None
    online_pct: float | None


class PaymentFailureRow(RowModel):
    model_config = example(
        payment_method="card",
        channel="online",
        hour=21,
        orders=420,
        failed_orders=14,
        failure_rate_pct=3.33,
        lost_amount=1_310.5,
    )
    payment_method: str
    channel: str
    hour: int
    orders: int
    failed_orders: int
    failure_rate_pct: float
    lost_amount: float


class RefundRow(RowModel):
    model_config = example(
        month="2025-11",
        category="Electronics",
        completed_orders=800,
        refunded_orders=31,
        refund_rate_pct=3.73,
        refunded_amount=4_120.0,
    )
    month: str
    category: str
    completed_orders: int
    refunded_orders: int
    refund_rate_pct: float
    refunded_amount: float


OVERVIEW = Sql(f"""
WITH t AS (
    SELECT coalesce(sum(net_amount) FILTER (WHERE status = 'completed'), 0) AS total,
           coalesce(sum(net_amount) FILTER (WHERE status = 'completed'
                                            AND payment_method IN ({_CASH})), 0) AS cash,
           coalesce(sum(net_amount) FILTER (WHERE status = 'completed'
                                            AND payment_method IN ({_ONLINE})), 0) AS online,
           coalesce(sum(gross_amount) FILTER (WHERE status = 'payment_failed'), 0) AS failed,
           coalesce(sum(gross_amount) FILTER (WHERE status = 'refunded'), 0) AS refunded,
           coalesce(sum(net_amount) FILTER (WHERE status = 'completed'
                                            AND payment_method = 'cash_on_delivery'
                                            AND payment_status = 'pending'), 0) AS pending,
           coalesce(sum(orders) FILTER (WHERE status = 'completed'), 0) AS completed_orders,
           coalesce(sum(orders) FILTER (WHERE status = 'payment_failed'), 0) AS failed_orders,
           coalesce(sum(orders) FILTER (WHERE status = 'refunded'), 0) AS refunded_orders
    FROM payments_daily WHERE {_IN_WINDOW}
)
SELECT round(total, 2) AS total_revenue, round(cash, 2) AS cash_revenue,
       round(online, 2) AS online_revenue,
       round(100 * cash / nullif(total, 0), 2) AS cash_percentage,
       round(100 * online / nullif(total, 0), 2) AS online_percentage,
       round(failed, 2) AS failed_payments_loss, round(refunded, 2) AS refunded_amount,
       round(pending, 2) AS pending_cod, completed_orders::BIGINT AS completed_orders,
       failed_orders::BIGINT AS failed_orders, refunded_orders::BIGINT AS refunded_orders
FROM t
""")

TRENDS = Sql(f"""
WITH days AS (SELECT d::DATE AS day FROM range($start::DATE, $end::DATE + 1, INTERVAL 1 DAY) t(d)),
methods AS (SELECT * FROM (VALUES {_METHODS}) m(payment_method)),
p AS (
    SELECT order_date AS day, payment_method, sum(orders) AS orders, sum(net_amount) AS revenue
    FROM payments_daily WHERE status = 'completed' AND {_IN_WINDOW} GROUP BY ALL
)
SELECT d.day, m.payment_method,
       coalesce(p.orders, 0)::BIGINT AS orders, round(coalesce(p.revenue, 0), 2) AS revenue
FROM days d CROSS JOIN methods m LEFT JOIN p USING (day, payment_method)
ORDER BY d.day, m.payment_method
""")

HOURLY = Sql(f"""
WITH p AS (
    SELECT hour, sum(orders) AS orders,
           coalesce(sum(orders) FILTER (WHERE payment_method IN ({_CASH})), 0) AS cash_orders,
           coalesce(sum(orders) FILTER (WHERE payment_method IN ({_ONLINE})), 0) AS online_orders
    FROM payments_daily WHERE status = 'completed' AND {_IN_WINDOW} GROUP BY hour
)
SELECT h.hour::INTEGER AS hour, coalesce(p.orders, 0)::BIGINT AS orders,
       coalesce(p.cash_orders, 0)::BIGINT AS cash_orders,
       coalesce(p.online_orders, 0)::BIGINT AS online_orders,
       round(100.0 * p.cash_orders / nullif(p.orders, 0), 2) AS cash_pct,
       round(100.0 * p.online_orders / nullif(p.orders, 0), 2) AS online_pct
FROM range(24) h(hour) LEFT JOIN p USING (hour) ORDER BY hour
""")

FAILURES = Sql(f"""
SELECT payment_method, channel, hour, sum(orders)::BIGINT AS orders,
       coalesce(sum(orders) FILTER (WHERE status = 'payment_failed'), 0)::BIGINT AS failed_orders,
       round(100.0 * coalesce(sum(orders) FILTER (WHERE status = 'payment_failed'), 0)
             / sum(orders), 2) AS failure_rate_pct,
       round(coalesce(sum(gross_amount) FILTER (WHERE status = 'payment_failed'), 0), 2)
           AS lost_amount
FROM payments_daily WHERE {_IN_WINDOW}
GROUP BY ALL HAVING failed_orders > 0
ORDER BY failed_orders DESC, lost_amount DESC, payment_method, channel, hour
""")

REFUNDS = Sql(f"""
SELECT strftime(order_date, '%Y-%m') AS month, category,
       coalesce(sum(orders) FILTER (WHERE status = 'completed'), 0)::BIGINT AS completed_orders,
       coalesce(sum(orders) FILTER (WHERE status = 'refunded'), 0)::BIGINT AS refunded_orders,
       round(100.0 * coalesce(sum(orders) FILTER (WHERE status = 'refunded'), 0)
             / sum(orders), 2) AS refund_rate_pct,
       round(coalesce(sum(amount) FILTER (WHERE status = 'refunded'), 0), 2) AS refunded_amount
FROM category_status_daily WHERE {_IN_WINDOW}
GROUP BY ALL ORDER BY month, category
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="payments_overview",
        path="/payments/overview",
        area=AREA,
        scope=DATA_SCOPES,
        title="Payments overview",
        description="Revenue by how it was paid (cash or online), failed payments, refunds and "
        "cash on delivery still to collect.",
        formula="Over orders placed in the window: total_revenue = net amount of completed "
        "orders; cash_revenue = of those paid in cash or cash on delivery; online_revenue = of "
        "those paid by card or wallet; cash_percentage and online_percentage = their share of "
        "total_revenue x 100; failed_payments_loss = gross amount of orders whose payment "
        "failed; refunded_amount = gross amount of refunded orders; pending_cod = net amount of "
        "completed cash-on-delivery orders whose payment is still pending.",
        tables=(
            Table(
                "rows",
                PaymentsOverviewRow,
                OVERVIEW,
                Chart(
                    "bar",
                    "measure:N",
                    "value:Q",
                    fold=(
                        "cash_revenue",
                        "online_revenue",
                        "failed_payments_loss",
                        "refunded_amount",
                        "pending_cod",
                    ),
                    tooltip=("measure:N", "value:Q"),
                    y_title="Amount",
                ),
            ),
        ),
        window=True,
        aliases=("payments/overview", "payment_overview"),
    ),
    Metric(
        id="payments_trends",
        path="/payments/trends",
        area=AREA,
        scope=DATA_SCOPES,
        title="Payments by day and method",
        description="Completed orders and revenue per day and payment method (every day and "
        "method, zeros included).",
        formula="Per business day of the window and payment method (card, cash, wallet, "
        "cash_on_delivery): orders = completed orders placed that day paid that way; revenue = "
        "their net amount.",
        tables=(
            Table(
                "rows",
                PaymentTrendRow,
                TRENDS,
                Chart("line", "day:T", "revenue:Q", color="payment_method:N"),
            ),
        ),
        window=True,
        default_days=DAILY_SERIES_DAYS,
        aliases=("payments/trends", "payment_trends"),
    ),
    Metric(
        id="payments_hourly_patterns",
        path="/payments/hourly-patterns",
        area=AREA,
        scope=DATA_SCOPES,
        title="Cash and online payments by hour",
        description="The share of completed orders paid in cash and online per local hour (0-23).",
        formula="Per hour of the order's local time: orders = completed orders placed in the "
        "window; cash_orders = of those paid in cash or cash on delivery; online_orders = by card "
        "or wallet; cash_pct and online_pct = their share of orders x 100 (empty without "
        "orders). Every hour is a row.",
        tables=(
            Table(
                "rows",
                HourlyPaymentRow,
                HOURLY,
                Chart("bar", "hour:O", "cash_pct:Q", tooltip=("hour:O", "cash_pct:Q", "orders:Q")),
                time_of_day=True,
            ),
        ),
        window=True,
        aliases=("payments/hourly-patterns", "hourly_payment_patterns"),
    ),
    Metric(
        id="payments_failures",
        path="/payments/failures",
        area=AREA,
        scope=DATA_SCOPES,
        title="Failed payments",
        description="Where payments fail: by payment method, channel and local hour.",
        formula="Per payment method, channel and hour of the order's local time, over orders "
        "placed in the window: orders = orders of every status; failed_orders = those whose "
        "payment failed; failure_rate_pct = failed_orders / orders x 100; lost_amount = their "
        "gross amount. Only groups with a failed payment; most failures first.",
        tables=(
            Table(
                "rows",
                PaymentFailureRow,
                FAILURES,
                Chart("bar", "hour:O", "failed_orders:Q", color="payment_method:N"),
                time_of_day=True,
            ),
        ),
        window=True,
        aliases=("payments/failures", "payment_failures"),
    ),
    Metric(
        id="payments_refunds",
        path="/payments/refunds",
        area=AREA,
        scope=DATA_SCOPES,
        title="Refunds by category and month",
        description="How often and how much is refunded, per product category and month.",
        formula="Per month (the part inside the window) and product category, over orders "
        "placed in the window that hold the category: completed_orders and refunded_orders; "
        "refund_rate_pct = refunded / (completed + refunded) x 100; refunded_amount = the "
        "refunded orders' line amounts in the category. Only pairs with such orders.",
        tables=(
            Table(
                "rows",
                RefundRow,
                REFUNDS,
                Chart("line", "month:O", "refund_rate_pct:Q", color="category:N"),
            ),
        ),
        window=True,
        aliases=("payments/refunds", "refund_analysis"),
    ),
)
