"""Recommendations (any data scope): every answer carries the figures it rests on and a one-line
`reason` written from them by the query, never canned text, so a recommendation can be checked
against its evidence.
"""

from __future__ import annotations

from datetime import date

from c360_api.catalog.products import LEAD_TIME, PRICE_BAND_FIGURES, STOCK, STOCK_DAYS
from c360_api.queries.masking import select_guarded
from c360_contract.catalog import Chart, Metric, Page, Param, RowModel, Sql, Table, Top, example
from c360_contract.scopes import DATA_SCOPES

AREA = "recommendations"
_IN_WINDOW = "order_date BETWEEN $start AND $end"
COVER_DAYS = Param("cover_days", int, "Days of sales a restock should cover.", 30, 1, 365)
# Staffing levels: an hour with at least PEAK x an average hour's orders is a peak, below LOW a
# quiet hour.
PEAK_INDEX = 1.5
LOW_INDEX = 0.5


class BestOrderTimeRow(RowModel):
    model_config = example(
        recommended_hours=[9, 10, 11],
        reason="Orders placed at 09:00, 10:00, 11:00 were delivered on time 99.1% of the time "
        "in 28.4 h on average (1,204 orders), against 97.6% and 34.9 h over all hours.",
        avg_delivery_time=28.4,
        success_rate=99.1,
        orders=1_204,
        overall_avg_delivery_time=34.9,
        overall_success_rate=97.6,
    )
    recommended_hours: list[int]
    reason: str
    avg_delivery_time: float | None
    success_rate: float | None
    orders: int
    overall_avg_delivery_time: float | None
    overall_success_rate: float | None


class RestockRow(RowModel):
    model_config = example(
        product_id="P-00042",
        name="Voltix Pro Headphones 310",
        category="Electronics",
        stock_on_hand=12,
        avg_daily_units=2.0,
        days_of_cover=6.0,
        suggested_quantity=48,
        reason="12 in stock cover 6.0 days at 2.00 units a day (last 28 days), under the "
        "14-day lead time: order 48 to cover 30 days.",
    )
    product_id: str
    name: str
    category: str
    stock_on_hand: int
    avg_daily_units: float
    days_of_cover: float
    suggested_quantity: int
    reason: str


class StaffingRow(RowModel):
    model_config = example(
        hour=20,
        orders=1_210,
        pct_of_orders=8.4,
        staff_index=2.02,
        staffing="peak",
        reason="1210 orders at 20:00 (8.4% of the day's), 2.02x an average hour: peak staffing.",
    )
    hour: int
    orders: int
    pct_of_orders: float | None
    staff_index: float | None
    staffing: str
    reason: str


class PromotionDayRow(RowModel):
    model_config = example(
        day_of_week=2,
        day_name="Tuesday",
        orders=1_800,
        revenue=160_000.0,
        revenue_index=0.86,
        reason="Tuesday brings 0.86x an average weekday's revenue (160000.00 against "
        "186000.00): a day to promote.",
    )
    day_of_week: int
    day_name: str
    orders: int
    revenue: float
    revenue_index: float | None
    reason: str


class InventoryRow(RowModel):
    model_config = example(
        products_to_restock=14,
        units_to_order=620,
        value_to_order=9_800.0,
        most_urgent_product_id="P-00042",
        most_urgent_days_of_cover=1.5,
        reason="14 products cover fewer days than the 14-day lead time: order 620 units (9800.00 "
        "at cost); P-00042 first (1.5 days left).",
    )
    products_to_restock: int
    units_to_order: int
    value_to_order: float
    most_urgent_product_id: str | None
    most_urgent_days_of_cover: float | None
    reason: str


class PriceBandAdviceRow(RowModel):
    model_config = example(
        price_band="25-50",
        units=21_000,
        revenue=760_000.0,
        margin_pct=39.5,
        conversion_pct=23.95,
        reason="Conversion 23.95% against 21.10% overall and margin 39.5% against 41.2%: "
        "converts well on a thin margin, test a small price rise.",
    )
    price_band: str
    units: int
    revenue: float
    margin_pct: float | None
    conversion_pct: float | None
    reason: str


class DiscountAdviceRow(RowModel):
    model_config = example(
        discount_level="10-20",
        lines=4_100,
        units=7_300,
        revenue=120_000.0,
        margin_pct=28.3,
        avg_discount_pct=14.2,
        pct_of_units=9.1,
        reason="9.1% of units sold 14.2% below list price at a 28.3% margin, against 41.0% "
        "without a discount.",
    )
    discount_level: str
    lines: int
    units: int
    revenue: float
    margin_pct: float | None
    avg_discount_pct: float | None
    pct_of_units: float | None
    reason: str


class RetentionRow(RowModel):
    model_config = example(
        customer_id="C0123456789ab",
        customer_name=None,
        customer_segment="Premium",
        rfm_segment="At Risk",
        total_spent=5_120.4,
        total_orders=14,
        recency_days=240,
        churn_risk_score=0.81,
        risk_status="Critical",
        suggested_action="Personalised win-back emails and offers; ask for feedback",
        reason="At Risk: 14 orders, 5120.40 spent, last order 240 days ago, churn risk 0.81 "
        "(Critical).",
    )
    customer_id: str
    customer_name: str | None
    customer_segment: str | None
    rfm_segment: str | None
    total_spent: float | None
    total_orders: int
    recency_days: int | None
    churn_risk_score: float | None
    risk_status: str | None
    suggested_action: str | None
    reason: str


class ForecastRow(RowModel):
    model_config = example(
        day="2025-12-01",
        category="all",
        measure="orders",
        forecast=412.6,
        lower_80=371.0,
        upper_80=454.2,
        lower_95=344.9,
        upper_95=480.3,
        method="model",
        model="ETS(A,N,A)",
    )
    day: date
    category: str
    measure: str
    forecast: float
    lower_80: float | None
    upper_80: float | None
    lower_95: float | None
    upper_95: float | None
    method: str
    model: str


class BacktestRow(RowModel):
    model_config = example(
        category="all",
        measure="orders",
        method="model",
        model="ETS(A,N,A)",
        backtest_windows=8,
        backtest_days=140,
        wape=9.81,
        mase=0.72,
        bias_pct=-1.3,
        model_wape=9.81,
        baseline_wape=12.4,
        reason="ETS(A,N,A) beat seasonal naive over 8 weekly origins (WAPE 9.8% against 12.4%, "
        "140 days scored): served.",
    )
    category: str
    measure: str
    method: str
    model: str
    backtest_windows: int
    backtest_days: int
    wape: float | None
    mase: float | None
    bias_pct: float | None
    model_wape: float | None
    baseline_wape: float | None
    reason: str


FORECAST = Sql("""
SELECT day, category, measure, round(forecast, 2) AS forecast,
       round(lower_80, 2) AS lower_80, round(upper_80, 2) AS upper_80,
       round(lower_95, 2) AS lower_95, round(upper_95, 2) AS upper_95, method, model
FROM demand_forecast WHERE horizon <= $days_ahead
ORDER BY category <> 'all', category, measure, day
""")

_WAPE = "coalesce(printf('%.1f%%', {}), 'undefined (no demand)')"
BACKTEST = Sql(f"""
SELECT category, measure, method, model, backtest_windows, backtest_days,
       round(wape, 2) AS wape, round(mase, 2) AS mase, round(bias_pct, 2) AS bias_pct,
       round(model_wape, 2) AS model_wape, round(baseline_wape, 2) AS baseline_wape,
       CASE WHEN backtest_windows = 0
            THEN 'Too little history to backtest ' || model || ': seasonal naive served.'
            ELSE model || CASE WHEN method = 'model' THEN ' beat' ELSE ' did not beat' END
                 || ' seasonal naive over ' || backtest_windows || ' weekly origins (WAPE '
                 || {_WAPE.format("model_wape")} || ' against '
                 || {_WAPE.format("baseline_wape")} || ', ' || backtest_days
                 || ' days scored): '
                 || CASE WHEN method = 'model' THEN 'served.' ELSE 'seasonal naive served.' END
       END AS reason
FROM demand_forecast_backtest
ORDER BY category <> 'all', category, measure
""")

BEST_ORDER_TIME = Sql(f"""
WITH h AS (
    SELECT hour, sum(orders) AS orders, sum(delivered) AS delivered, sum(on_time) AS on_time,
           sum(delivery_hours) AS hours
    FROM fulfilment_daily
    WHERE channel <> 'store' AND status IN ('completed', 'refunded') AND {_IN_WINDOW}
    GROUP BY hour
),
ranked AS (
    SELECT *, row_number() OVER (
        ORDER BY 1.0 * on_time / orders DESC, hours / nullif(delivered, 0) ASC NULLS LAST, hour
    ) AS rank
    FROM h WHERE orders >= $min_orders
),
best AS (
    SELECT list(hour ORDER BY hour) AS hours_list, sum(orders) AS orders,
           sum(on_time) AS on_time, sum(delivered) AS delivered, sum(hours) AS hours
    FROM ranked WHERE rank <= $top
),
overall AS (
    SELECT sum(orders) AS orders, sum(on_time) AS on_time, sum(delivered) AS delivered,
           sum(hours) AS hours FROM h
),
f AS (
    SELECT coalesce(best.hours_list, []::INTEGER[]) AS hours_list,
           best.hours / nullif(best.delivered, 0) AS avg_time,
           100.0 * best.on_time / nullif(best.orders, 0) AS success,
           coalesce(best.orders, 0) AS orders,
           overall.hours / nullif(overall.delivered, 0) AS all_time,
           100.0 * overall.on_time / nullif(overall.orders, 0) AS all_success
    FROM best, overall
)
SELECT hours_list AS recommended_hours,
       CASE WHEN len(hours_list) = 0 THEN printf(
                'No hour had %d or more delivered or delivering orders in the window: nothing '
                || 'to recommend yet.', $min_orders)
            ELSE printf(
                'Orders placed at %s were delivered on time %.1f%% of the time in %.1f h on '
                || 'average (%d orders), against %.1f%% and %.1f h over all hours.',
                array_to_string(list_transform(hours_list, lambda x: lpad(x::VARCHAR, 2, '0')
                                               || ':00'), ', '),
                success, coalesce(avg_time, 0), orders, all_success, coalesce(all_time, 0))
       END AS reason,
       round(avg_time, 2) AS avg_delivery_time, round(success, 2) AS success_rate,
       orders::BIGINT AS orders, round(all_time, 2) AS overall_avg_delivery_time,
       round(all_success, 2) AS overall_success_rate
FROM f
""")

_RESTOCK = f"""{STOCK},
restock AS (
    SELECT *, greatest(ceil(daily * $cover_days - stock_on_hand), 0)::BIGINT AS quantity
    FROM alerts
)"""

RESTOCK = Sql(f"""{_RESTOCK}
SELECT product_id, name, category, stock_on_hand, round(daily, 2) AS avg_daily_units,
       round(cover, 1) AS days_of_cover, quantity AS suggested_quantity,
       printf('%d in stock cover %.1f days at %.2f units a day (last {STOCK_DAYS} days), under '
              || 'the %d-day lead time: order %d to cover %d days.',
              stock_on_hand, cover, daily, $lead_time_days, quantity, $cover_days) AS reason
FROM restock ORDER BY cover, product_id
""")

STAFFING = Sql(f"""
WITH o AS (SELECT hour, sum(orders) AS orders FROM orders_hourly WHERE {_IN_WINDOW} GROUP BY hour),
h AS (
    SELECT h.hour::INTEGER AS hour, coalesce(o.orders, 0) AS orders
    FROM range(24) h(hour) LEFT JOIN o USING (hour)
),
s AS (
    SELECT *, 100.0 * orders / nullif(sum(orders) OVER (), 0) AS pct,
           orders / nullif(avg(orders) OVER (), 0) AS idx
    FROM h
),
l AS (
    SELECT *, CASE WHEN idx >= {PEAK_INDEX} THEN 'peak' WHEN idx < {LOW_INDEX} THEN 'low'
                   ELSE 'normal' END AS staffing
    FROM s
)
SELECT hour, orders::BIGINT AS orders, round(pct, 2) AS pct_of_orders,
       round(idx, 2) AS staff_index, staffing,
       printf('%d orders at %02d:00 (%.1f%% of the day''s), %.2fx an average hour: %s staffing.',
              orders, hour, coalesce(pct, 0), coalesce(idx, 0), staffing) AS reason
FROM l ORDER BY hour
""")

PROMOTION_DAYS = Sql(f"""
WITH o AS (
    SELECT isodow(order_date) AS dow, sum(orders) AS orders, sum(revenue) AS revenue
    FROM orders_hourly WHERE status = 'completed' AND {_IN_WINDOW} GROUP BY dow
),
d AS (
    SELECT d.dow::INTEGER AS day_of_week, dayname(DATE '2024-01-07' + d.dow::INTEGER) AS day_name,
           coalesce(o.orders, 0) AS orders, coalesce(o.revenue, 0) AS revenue
    FROM range(1, 8) d(dow) LEFT JOIN o USING (dow)
),
r AS (
    SELECT *, revenue / nullif(avg(revenue) OVER (), 0) AS idx, avg(revenue) OVER () AS mean,
           row_number() OVER (ORDER BY revenue, day_of_week) AS rank
    FROM d
)
SELECT day_of_week, day_name, orders::BIGINT AS orders, round(revenue, 2) AS revenue,
       round(idx, 2) AS revenue_index,
       printf('%s brings %.2fx an average weekday''s revenue (%.2f against %.2f): a day to '
              || 'promote.', day_name, coalesce(idx, 0), revenue, mean) AS reason
FROM r WHERE rank <= $promotion_days ORDER BY rank
""")

INVENTORY = Sql(f"""{_RESTOCK},
t AS (
    SELECT count(*) AS products, coalesce(sum(quantity), 0) AS units,
           coalesce(sum(quantity * unit_cost), 0) AS value,
           arg_min(product_id, (cover, product_id)) AS urgent, min(cover) AS urgent_cover
    FROM restock
)
SELECT products::BIGINT AS products_to_restock, units::BIGINT AS units_to_order,
       round(value, 2) AS value_to_order, urgent AS most_urgent_product_id,
       round(urgent_cover, 1) AS most_urgent_days_of_cover,
       CASE WHEN products = 0 THEN printf(
                'Every product with sales covers at least the %d-day lead time: nothing to '
                || 'restock.', $lead_time_days)
            ELSE printf('%d products cover fewer days than the %d-day lead time: order %d '
                        || 'units (%.2f at cost) to cover %d days; %s first (%.1f days left).',
                        products, $lead_time_days, units, value, $cover_days, urgent,
                        urgent_cover)
       END AS reason
FROM t
""")

PRICE_BANDS = Sql(f"""{PRICE_BAND_FIGURES},
o AS (
    SELECT 100.0 * sum(converting_sessions) / nullif(sum(viewing_sessions), 0) AS conversion,
           100.0 * (sum(revenue) - sum(cost)) / nullif(sum(revenue), 0) AS margin
    FROM bands
),
f AS (
    SELECT bands.*, 100.0 * converting_sessions / nullif(viewing_sessions, 0) AS conversion,
           100.0 * (revenue - cost) / nullif(revenue, 0) AS margin,
           o.conversion AS all_conversion, o.margin AS all_margin
    FROM bands, o
)
SELECT price_band, units, round(revenue, 2) AS revenue, round(margin, 2) AS margin_pct,
       round(conversion, 2) AS conversion_pct,
       CASE WHEN conversion IS NULL OR margin IS NULL THEN
                printf('No %s in the window: nothing to judge.',
                       CASE WHEN conversion IS NULL THEN 'product views' ELSE 'sales' END)
            ELSE printf('Conversion %.2f%% against %.2f%% overall and margin %.1f%% against '
                        || '%.1f%%: %s.', conversion, all_conversion, margin, all_margin,
                        CASE WHEN conversion >= all_conversion AND margin >= all_margin
                                 THEN 'a strength, keep prices'
                             WHEN conversion >= all_conversion
                                 THEN 'converts well on a thin margin, test a small price rise'
                             WHEN margin >= all_margin
                                 THEN 'a high margin that converts less, test a promotion'
                             ELSE 'weak on both, review the assortment and prices' END)
       END AS reason
FROM f ORDER BY position
""")

_LEVELS = "(VALUES (1, 'none'), (2, '0-10'), (3, '10-20'), (4, '20+')) v(position, discount_level)"
DISCOUNT_LEVELS = Sql(f"""
WITH d AS (
    SELECT discount_level, sum(lines) AS lines, sum(units) AS units, sum(revenue) AS revenue,
           sum(cost) AS cost, sum(list_value) AS list_value
    FROM discount_daily WHERE {_IN_WINDOW} GROUP BY discount_level
),
f AS (
    SELECT v.position, v.discount_level, coalesce(d.lines, 0) AS lines,
           coalesce(d.units, 0) AS units, coalesce(d.revenue, 0) AS revenue,
           100.0 * (d.revenue - d.cost) / nullif(d.revenue, 0) AS margin,
           100.0 * (1 - d.revenue / nullif(d.list_value, 0)) AS discount,
           100.0 * coalesce(d.units, 0) / nullif(sum(d.units) OVER (), 0) AS share
    FROM {_LEVELS} LEFT JOIN d USING (discount_level)
)
SELECT f.discount_level, f.lines::BIGINT AS lines, f.units::BIGINT AS units,
       round(f.revenue, 2) AS revenue, round(f.margin, 2) AS margin_pct,
       round(f.discount, 2) AS avg_discount_pct, round(f.share, 2) AS pct_of_units,
       CASE WHEN f.units = 0 THEN printf('Nothing sold at %s discount in the window.',
                                         f.discount_level)
            ELSE printf('%.1f%% of units sold %.1f%% below list price at a %.1f%% margin, '
                        || 'against %s without a discount.', coalesce(f.share, 0),
                        greatest(coalesce(f.discount, 0), 0), coalesce(f.margin, 0),
                        coalesce(printf('%.1f%%', n.margin), 'no sales'))
       END AS reason
FROM f CROSS JOIN (SELECT margin FROM f WHERE discount_level = 'none') n
ORDER BY f.position
""")

_RETENTION_COLUMNS = (
    "customer_id",
    "customer_name",
    "customer_segment",
    "rfm_segment",
    "total_spent",
    "total_orders",
    "recency_days",
    "churn_risk_score",
    "risk_status",
)
RETENTION = Sql(f"""
SELECT {select_guarded(_RETENTION_COLUMNS)}, rfm_action AS suggested_action,
       printf('%s: %d orders, %.2f spent, last order %d days ago, churn risk %.2f (%s).',
              rfm_segment, total_orders, total_spent, recency_days, churn_risk_score,
              risk_status) AS reason
FROM customer_profile
WHERE risk_status IN ('High', 'Critical') AND customer_status <> 'Churned'
  AND total_spent >= $min_value
ORDER BY total_spent DESC, customer_id
""")

METRICS: tuple[Metric, ...] = (
    Metric(
        id="recommendations_best_order_time",
        path="/recommendations/best-order-time",
        area=AREA,
        scope=DATA_SCOPES,
        title="Best time to order",
        description="The local hours whose orders were delivered on time most often and "
        "fastest, with the figures behind them.",
        formula="Over online and app orders placed in the window that were to be delivered "
        "(completed or refunded), per hour of placing: success = delivered on time / orders x "
        "100, delivery time = mean hours from placing to delivery. Hours with at least "
        "`min_orders` orders are ranked by success, then speed; recommended_hours = the best "
        "`top`. success_rate and avg_delivery_time are those hours' together (success_rate is a "
        "percentage, 0-100, as clients read it); the overall figures cover every hour.",
        tables=(
            Table(
                "rows",
                BestOrderTimeRow,
                BEST_ORDER_TIME,
                Chart(
                    "bar",
                    "measure:N",
                    "value:Q",
                    fold=("success_rate", "overall_success_rate"),
                    tooltip=("measure:N", "value:Q"),
                    y_title="Delivered on time (%)",
                ),
                time_of_day=True,
            ),
        ),
        params=(
            Param("top", int, "How many hours to recommend.", 3, 1, 24),
            Param("min_orders", int, "Orders an hour needs to be judged.", 20, 1, 1_000_000),
        ),
        window=True,
        aliases=("recommendations/best-order-time", "best_order_time"),
    ),
    Metric(
        id="recommendations_restock",
        path="/recommendations/restock",
        area=AREA,
        scope=DATA_SCOPES,
        title="Restock",
        description="Products running out before a reorder can arrive, with how many to order.",
        formula="The stock alerts (products/stock-alerts: days_of_cover = stock on hand / mean "
        f"daily units of the {STOCK_DAYS} days ending at the window's end, below "
        "`lead_time_days`); suggested_quantity = ceil(mean daily units x `cover_days` - stock "
        "on hand), at least 0. Fewest days of cover first.",
        tables=(
            Table(
                "rows",
                RestockRow,
                RESTOCK,
                Chart(
                    "bar",
                    "name:N",
                    "suggested_quantity:Q",
                    color="category:N",
                    top=Top("fewest days of cover"),
                ),
            ),
        ),
        params=(LEAD_TIME, COVER_DAYS),
        window=True,
        aliases=("recommendations/restock", "restock"),
    ),
    Metric(
        id="recommendations_operations",
        path="/recommendations/operations",
        area=AREA,
        scope=DATA_SCOPES,
        title="Operations plan",
        description="Staffing by hour, the weekdays to promote and the stock to reorder.",
        formula=f"Three tables. `staffing`: per local hour, orders placed in the window (every "
        f"status), their share, and staff_index = orders / the mean hour's; `peak` from "
        f"{PEAK_INDEX}x, `low` under {LOW_INDEX}x. `promotion_days`: the `promotion_days` "
        "weekdays with the least completed revenue, revenue_index = revenue / the mean "
        "weekday's. `inventory`: the restock recommendation summed (products, units, their "
        "value at unit cost) with the most urgent product.",
        tables=(
            Table(
                "staffing",
                StaffingRow,
                STAFFING,
                Chart("bar", "hour:O", "staff_index:Q"),
                time_of_day=True,
            ),
            Table(
                "promotion_days",
                PromotionDayRow,
                PROMOTION_DAYS,
                Chart("bar", "day_name:N", "revenue_index:Q"),
            ),
            Table(
                "inventory",
                InventoryRow,
                INVENTORY,
                Chart(
                    "bar",
                    "measure:N",
                    "value:Q",
                    fold=("products_to_restock", "units_to_order"),
                    y_title="Products and units",
                ),
            ),
        ),
        params=(
            Param("promotion_days", int, "How many weekdays to promote.", 2, 1, 7),
            LEAD_TIME,
            COVER_DAYS,
        ),
        window=True,
        aliases=("recommendations/operations", "operations_plan"),
    ),
    Metric(
        id="recommendations_demand_forecast",
        path="/recommendations/demand-forecast",
        area=AREA,
        scope=DATA_SCOPES,
        title="Demand forecast",
        description="Completed orders and units a day for the days after as-of, in total and "
        "per category, with 80% and 95% prediction intervals and the backtest that chose the "
        "method.",
        formula="Two tables, from the snapshot's forecast (docs/metrics.md \"Demand "
        'forecast"). `forecast`: per series (category, or `all`) and measure (orders, units), '
        "the `days_ahead` days after as-of: forecast and its conformal 80%/95% interval. "
        "`backtest`: per series, the rolling-origin backtest over the last 8 weeks (one origin "
        "a week): WAPE = sum of abs(forecast - actual) / sum of actual x 100, MASE = mean "
        "abs(error) / the in-sample seasonal-naive mean absolute error, bias_pct = sum of "
        "(forecast - actual) / sum of actual x 100, of the served method; the model (ETS(A,N,A) with weekly seasonality, or "
        "TSB for intermittent series) is served only when its backtest error is below seasonal "
        "naive's, otherwise the baseline is (method `seasonal_naive`).",
        tables=(
            Table(
                "forecast",
                ForecastRow,
                FORECAST,
                Chart("line", "day:T", "forecast:Q", color="category:N", dash="measure:N"),
            ),
            Table(
                "backtest",
                BacktestRow,
                BACKTEST,
                Chart("bar", "category:N", "wape:Q", color="measure:N", offset="measure:N"),
            ),
        ),
        params=(Param("days_ahead", int, "Days after as-of to forecast.", 7, 1, 28),),
        aliases=("recommendations/demand-forecast", "demand_forecast"),
    ),
    Metric(
        id="recommendations_pricing_insights",
        path="/recommendations/pricing-insights",
        area=AREA,
        scope=DATA_SCOPES,
        title="Pricing insights",
        description="Price bands and discount levels with their conversion and margin, and "
        "what each suggests.",
        formula="Two tables. `price_bands`: products/price-performance's bands, each judged "
        "against all bands: conversion and margin both at or above the overall -> keep prices; "
        "conversion only -> test a small price rise; margin only -> test a promotion; neither "
        "-> review. `discount_levels`: completed order lines by how far below list price they "
        "sold (none, 0-10, 10-20, 20+ %: 1 - line amount / (quantity x list price), lower edge "
        "inclusive): margin_pct, avg_discount_pct = 1 - revenue / list value, pct_of_units.",
        tables=(
            Table(
                "price_bands",
                PriceBandAdviceRow,
                PRICE_BANDS,
                Chart("point", "conversion_pct:Q", "margin_pct:Q", color="price_band:N"),
            ),
            Table(
                "discount_levels",
                DiscountAdviceRow,
                DISCOUNT_LEVELS,
                Chart("bar", "discount_level:O", "margin_pct:Q"),
            ),
        ),
        window=True,
        aliases=("recommendations/pricing-insights", "pricing_insights"),
    ),
    Metric(
        id="recommendations_customer_retention",
        path="/recommendations/customer-retention",
        area=AREA,
        scope=DATA_SCOPES,
        title="Customers to retain",
        description="High-value customers at risk of churning, with the action their RFM "
        "segment suggests; `count` is the total. customer_name is personal data (null without "
        "pii).",
        formula="Customers with risk_status High or Critical, not yet Churned, whose total "
        "spent is at least `min_value`; suggested_action = their RFM segment's action "
        "(docs/metrics.md); the reason states the figures. Biggest spenders first.",
        tables=(
            Table(
                "rows",
                RetentionRow,
                RETENTION,
                Chart("point", "recency_days:Q", "total_spent:Q", color="risk_status:N"),
            ),
        ),
        params=(
            Param("min_value", float, "Least total spent to count as high value.", 1000.0, 0, 1e12),
        ),
        page=Page(),
        aliases=("recommendations/customer-retention", "customer_retention"),
    ),
)
