"""The operations metrics recomputed with pandas from the raw exports, from their specification
(the formula texts and docs/metrics.md), never from the API's SQL.

Added conventions: an order's history is its status events dated (business day) on or before
as-of; delivery hours run from order_ts to the delivered event; an order is promised at once
(store), by its slot's start + 2 h (scheduled) or within 72 h (immediate); distances are haversine
on a 6371 km sphere, read to the metre; bands have inclusive lower edges. Amounts stay unrounded.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from tests.c360_api.metric_values.api import Exact
from tests.c360_api.metric_values.reference import (
    DAY_NAMES,
    TZ,
    Reference,
    Row,
    Window,
    month_of,
    pct,
    ratio,
)

CASH = ("cash", "cash_on_delivery")
ONLINE = ("card", "wallet")
STATUS_EVENTS = ("placed", "paid", "packed", "shipped", "delivered", "cancelled",
                 "payment_failed", "refunded")  # fmt: skip
FUNNEL = ("placed", "paid", "packed", "shipped", "delivered")
METHODS = ("card", "cash", "cash_on_delivery", "wallet")
SERVICE_CATEGORIES = ("Installation", "Assembly", "Repair", "Tech Support")
PRICE_BANDS = ((0, "0-10"), (10, "10-25"), (25, "25-50"), (50, "50-100"), (100, "100-250"),
               (250, "250+"))  # fmt: skip
DISTANCE_BINS = ((0, "0-5"), (5, "5-15"), (15, "15-30"), (30, "30-50"), (50, "50-100"),
                 (100, "100+"))  # fmt: skip
HIGH_VALUE, FREQUENT = 1000, 5


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return round(2 * 6371.0 * math.asin(math.sqrt(a)), 3)


def band(km: float | None) -> str | None:
    if km is None:
        return None
    for edge, label in ((5, "0-5"), (15, "5-15"), (30, "15-30")):
        if km < edge:
            return label
    return "30+"


def labelled(value: float, edges: tuple[tuple[float, str], ...]) -> str:
    return [label for lower, label in edges if value >= lower][-1]


def _none_if_nan(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


class OpsReference(Reference):
    def __init__(self, raw: Path, as_of: date) -> None:
        self.raw = raw
        super().__init__(raw, as_of)
        orders = self.orders.copy()
        postal = pd.read_csv(raw / "postal_codes.csv", dtype=str).set_index("postal_code")
        stores = pd.read_csv(raw / "stores.csv", dtype=str).set_index("store_id")
        self.postal = postal
        self.products = pd.read_csv(raw / "products.csv", dtype={"product_id": str})
        events = pd.read_parquet(raw / "order_status_events.parquet")
        events["day"] = pd.to_datetime(events.ts, utc=True).dt.tz_convert(TZ).dt.date
        events = events[(events.day <= as_of) & events.order_id.isin(set(orders.order_id))]
        at = {
            (o, s): ts for o, s, ts in zip(events.order_id, events.status, events.ts, strict=True)
        }
        rows = []
        for _, o in orders.iterrows():
            store = o.channel == "store"
            times = {s: at.get((o.order_id, s)) for s in STATUS_EVENTS}
            delivered = times["delivered"]
            if store:
                promised = o.order_ts
            elif o.fulfilment == "scheduled":
                promised = o.scheduled_for + timedelta(hours=2)
            else:
                promised = o.order_ts + timedelta(hours=72)
            place = stores.loc[o.store_id, "postal_code"] if store else o.ship_postal_code
            distance = None
            if not store:
                s, p = stores.loc[o.store_id], postal.loc[place]
                distance = haversine(float(s.lat), float(s.lon), float(p.lat), float(p.lon))
            rows.append(
                {
                    **{f"{s}_at": t for s, t in times.items()},
                    "order_id": o.order_id,
                    "delivery_hours": (delivered - o.order_ts).total_seconds() / 3600
                    if delivered is not None
                    else None,
                    "lead_time_hours": (o.scheduled_for - o.order_ts).total_seconds() / 3600
                    if o.fulfilment == "scheduled"
                    else None,
                    "on_time": None if delivered is None else bool(delivered <= promised),
                    "postal_code": place,
                    "city": postal.loc[place, "city"],
                    "state": postal.loc[place, "state"],
                    "distance_km": distance,
                    "distance_band": "in_store" if store else band(distance),
                }
            )
        self.fulfilment = orders.merge(pd.DataFrame(rows), on="order_id")

        bookings = pd.read_parquet(raw / "service_bookings.parquet")
        local = pd.to_datetime(bookings.booked_at, utc=True).dt.tz_convert(TZ)
        bookings["day"] = local.dt.date
        bookings = bookings[bookings.day <= as_of].copy()
        providers = pd.read_csv(raw / "providers.csv", dtype=str).set_index("provider_id")
        services = pd.read_csv(raw / "services.csv", dtype=str).set_index("service_id")
        bookings["category"] = bookings.service_id.map(services.category)
        bookings["service_name"] = bookings.service_id.map(services["name"])
        bookings["revenue"] = bookings.price.where(bookings.status == "completed", 0.0)
        bookings["distance_km"] = [
            haversine(
                float(providers.loc[p, "lat"]),
                float(providers.loc[p, "lon"]),
                float(postal.loc[c, "lat"]),
                float(postal.loc[c, "lon"]),
            )
            for p, c in zip(bookings.provider_id, bookings.postal_code, strict=True)
        ]
        accounts_email = {r: self._email_of(r) for r in bookings.account_id.dropna()}
        bookings["customer"] = [
            accounts_email[a] if isinstance(a, str) else self._member_email(m)
            for a, m in zip(bookings.account_id, bookings.member_id, strict=True)
        ]
        self.bookings = bookings
        self.providers = providers
        self.services = services

        lines = pd.read_parquet(raw / "order_lines.parquet")
        lines["amount"] = lines.quantity * lines.unit_price - lines.discount
        lines = lines.merge(self.products, on="product_id")
        lines["cost"] = lines.quantity * lines.unit_cost
        self.all_lines = lines.merge(orders[["order_id", "day", "status"]], on="order_id")

        views = self.events[self.events.event_type.isin(["product_view", "add_to_cart"])]
        self.views = views[views.day <= as_of]
        self.buying_sessions = set(
            self.events[
                (self.events.event_type == "purchase") & (self.events.day <= as_of)
            ].session_id
        )

        crm = pd.read_csv(raw / "crm_customers.csv", dtype=str)
        crm["customer"] = crm.email.str.lower()
        self.crm = crm.set_index("customer")

    def _email_of(self, account_id: str) -> str:
        return self._accounts[account_id]

    def _member_email(self, member_id: str) -> str:
        return self._members[member_id]

    @property
    def _accounts(self) -> dict[str, str]:
        frame = pd.read_json(self.raw / "ecommerce_accounts.jsonl", lines=True, dtype=False)
        return dict(zip(frame.account_id, frame.email.str.strip().str.lower(), strict=True))

    @property
    def _members(self) -> dict[str, str]:
        frame = pd.read_csv(self.raw / "loyalty_members.csv", dtype=str)
        return dict(zip(frame.member_id, frame.email.str.strip().str.lower(), strict=True))

    def _in(self, frame: pd.DataFrame, w: Window, column: str = "day") -> pd.DataFrame:
        return frame[(frame[column] >= w.start) & (frame[column] <= w.end)]

    def _days(self, w: Window) -> list[date]:
        return [w.start + timedelta(days=i) for i in range((w.end - w.start).days + 1)]

    # --- payments ------------------------------------------------------------------------------

    def payments_overview(self, w: Window) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        done = placed[placed.status == "completed"]
        total = done.net.sum()
        cash = done[done.payment_method.isin(CASH)].net.sum()
        online = done[done.payment_method.isin(ONLINE)].net.sum()
        pending = done[
            (done.payment_method == "cash_on_delivery") & (done.payment_status == "pending")
        ]
        return [
            {
                "total_revenue": total,
                "cash_revenue": cash,
                "online_revenue": online,
                "cash_percentage": pct(cash, total),
                "online_percentage": pct(online, total),
                "failed_payments_loss": placed[placed.status == "payment_failed"].net.sum(),
                "refunded_amount": placed[placed.status == "refunded"].net.sum(),
                "pending_cod": pending.net.sum(),
                "completed_orders": len(done),
                "failed_orders": int((placed.status == "payment_failed").sum()),
                "refunded_orders": int((placed.status == "refunded").sum()),
            }
        ]

    def payments_trends(self, w: Window) -> list[Row]:
        done = self._in(self.fulfilment, w)
        done = done[done.status == "completed"]
        rows = []
        for day in self._days(w):
            for method in METHODS:
                mine = done[(done.day == day) & (done.payment_method == method)]
                rows.append(
                    {
                        "day": day.isoformat(),
                        "payment_method": method,
                        "orders": len(mine),
                        "revenue": mine.net.sum(),
                    }
                )
        return rows

    def payments_hourly_patterns(self, w: Window) -> list[Row]:
        done = self._in(self.fulfilment, w)
        done = done[done.status == "completed"]
        rows = []
        for hour in range(24):
            mine = done[done.hour == hour]
            cash = int(mine.payment_method.isin(CASH).sum())
            online = int(mine.payment_method.isin(ONLINE).sum())
            rows.append(
                {
                    "hour": hour,
                    "orders": len(mine),
                    "cash_orders": cash,
                    "online_orders": online,
                    "cash_pct": pct(cash, len(mine)),
                    "online_pct": pct(online, len(mine)),
                }
            )
        return rows

    def payments_failures(self, w: Window) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        rows = []
        for (method, channel, hour), group in placed.groupby(["payment_method", "channel", "hour"]):
            failed = group[group.status == "payment_failed"]
            if len(failed):
                rows.append(
                    {
                        "payment_method": method,
                        "channel": channel,
                        "hour": int(hour),
                        "orders": len(group),
                        "failed_orders": len(failed),
                        "failure_rate_pct": pct(len(failed), len(group)),
                        "lost_amount": failed.net.sum(),
                    }
                )
        return rows

    def payments_refunds(self, w: Window) -> list[Row]:
        lines = self._in(self.all_lines, w)
        lines = lines[lines.status.isin(["completed", "refunded"])]
        rows = []
        for (month, category), group in lines.groupby([lines.day.map(month_of), "category"]):
            completed = group[group.status == "completed"].order_id.nunique()
            refunded = group[group.status == "refunded"]
            rows.append(
                {
                    "month": month,
                    "category": category,
                    "completed_orders": completed,
                    "refunded_orders": refunded.order_id.nunique(),
                    "refund_rate_pct": pct(
                        refunded.order_id.nunique(), completed + refunded.order_id.nunique()
                    ),
                    "refunded_amount": refunded.amount.sum(),
                }
            )
        return rows

    # --- orders --------------------------------------------------------------------------------

    def _counts(self, placed: pd.DataFrame, total: int) -> Row:
        done = placed[placed.status == "completed"]
        return {
            "order_count": len(placed),
            "completed_orders": len(done),
            "total_revenue": done.net.sum(),
            "avg_order_value": ratio(done.net.sum(), len(done)),
            "pct_of_orders": pct(len(placed), total),
        }

    def orders_peak_hours(self, w: Window) -> list[Row]:
        placed = self._in(self.orders, w)
        return [
            {"hour": h, **self._counts(placed[placed.hour == h], len(placed))} for h in range(24)
        ]

    def orders_day_of_week(self, w: Window) -> list[Row]:
        placed = self._in(self.orders, w)
        dow = placed.day.map(lambda d: d.isoweekday())
        return [
            {
                "day_of_week": d,
                "day_name": DAY_NAMES[d - 1],
                **self._counts(placed[dow == d], len(placed)),
            }
            for d in range(1, 8)
        ]

    def orders_velocity(self, w: Window) -> list[Row]:
        done = self._in(self.completed, w)
        end = w.end
        week_end = end - timedelta(days=end.isoweekday() % 7)
        last_of_month = (end.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(1)
        month_end = end if end == last_of_month else end.replace(day=1) - timedelta(days=1)
        month_start = month_end.replace(day=1)
        previous_month_end = month_start - timedelta(days=1)
        periods = [
            ("week", week_end - timedelta(days=6), week_end, week_end - timedelta(days=13),
             week_end - timedelta(days=7)),
            ("month", month_start, month_end, previous_month_end.replace(day=1),
             previous_month_end),
        ]  # fmt: skip
        rows = []
        for period, start, stop, prev_start, prev_stop in periods:
            cur = done[(done.day >= start) & (done.day <= stop)]
            prev = done[(done.day >= prev_start) & (done.day <= prev_stop)]
            rows.append(
                {
                    "period": period,
                    "period_start": start.isoformat(),
                    "period_end": stop.isoformat(),
                    "previous_start": prev_start.isoformat(),
                    "previous_end": prev_stop.isoformat(),
                    "orders": len(cur),
                    "previous_orders": len(prev),
                    "orders_growth_pct": (len(cur) - len(prev)) / len(prev) * 100
                    if len(prev)
                    else None,
                    "revenue": cur.net.sum(),
                    "previous_revenue": prev.net.sum(),
                    "revenue_growth_pct": (cur.net.sum() - prev.net.sum()) / prev.net.sum() * 100
                    if prev.net.sum()
                    else None,
                }
            )
        return rows

    def orders_funnel(self, w: Window) -> list[Row]:
        shipped = self._in(self.fulfilment, w)
        shipped = shipped[shipped.channel != "store"]

        def reached(step: str) -> int:
            later = FUNNEL[FUNNEL.index(step) :]
            return int(shipped[[f"{s}_at" for s in later]].notna().any(axis=1).sum())

        counts = [reached(s) for s in FUNNEL]
        return [
            {
                "position": i + 1,
                "step": step,
                "orders": n,
                "step_conversion_pct": pct(n, counts[i - 1]) if i else None,
                "pct_of_placed": pct(n, counts[0]),
            }
            for i, (step, n) in enumerate(zip(FUNNEL, counts, strict=True))
        ]

    def orders_status_distribution(self, w: Window) -> list[Row]:
        placed = self._in(self.orders, w)
        return [
            {
                "status": s,
                "orders": int((placed.status == s).sum()),
                "pct": pct(int((placed.status == s).sum()), len(placed)),
            }
            for s in ("completed", "cancelled", "refunded", "payment_failed")
        ]

    def orders_timeline(self, w: Window) -> list[Row]:
        shipped = self._in(self.fulfilment, w)
        shipped = shipped[shipped.channel != "store"]
        rows = []
        for kind in ("immediate", "scheduled"):
            mine = shipped[shipped.fulfilment == kind]
            delivered = mine[mine.delivered_at.notna()]
            on_time = int((delivered.on_time == True).sum())  # noqa: E712
            rows.append(
                {
                    "fulfilment": kind,
                    "orders": len(mine),
                    "delivered": len(delivered),
                    "avg_lead_time_hours": _none_if_nan(mine.lead_time_hours.dropna().mean()),
                    "avg_delivery_hours": _none_if_nan(delivered.delivery_hours.mean()),
                    "on_time_orders": on_time,
                    "on_time_rate_pct": pct(on_time, len(delivered)),
                }
            )
        return rows

    def _delivery(self, group: pd.DataFrame) -> Row:
        delivered = group[group.delivered_at.notna()]
        on_time = int((delivered.on_time == True).sum())  # noqa: E712
        return {
            "orders": len(group),
            "delivered": len(delivered),
            "avg_delivery_hours": _none_if_nan(delivered.delivery_hours.mean()),
            "on_time_rate_pct": pct(on_time, len(delivered)),
        }

    def orders_delivery_times(self, w: Window) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        return [
            {"channel": channel, "distance_band": zone, **self._delivery(group)}
            for (channel, zone), group in placed.groupby(["channel", "distance_band"])
        ]

    # --- customer analytics --------------------------------------------------------------------

    def _lifetime(self) -> pd.DataFrame:
        """Per buyer as of the snapshot: revenue, completed orders, cash-paid orders."""
        done = self.completed
        return pd.DataFrame(
            {
                "revenue": done.groupby("customer").net.sum(),
                "orders": done.groupby("customer").size(),
                "cash": done[done.payment_method.isin(CASH)].groupby("customer").size(),
            }
        ).fillna({"cash": 0})

    def _window_buyers(self, w: Window) -> pd.DataFrame:
        done = self._in(self.completed, w)
        return pd.DataFrame(
            {
                "orders": done.groupby("customer").size(),
                "revenue": done.groupby("customer").net.sum(),
            }
        )

    def customer_analytics_segmentation(self, w: Window) -> list[Row]:
        life, buyers = self._lifetime(), self._window_buyers(w)
        members = {
            "high_value": life.index[life.revenue >= HIGH_VALUE],
            "frequent_buyers": life.index[life.orders >= FREQUENT],
            "cash_users": life.index[life.cash * 2 > life.orders],
            "online_users": life.index[life.cash * 2 <= life.orders],
        }
        total = self._in(self.completed, w).net.sum()
        rows = []
        for segment, who in members.items():
            mine = buyers[buyers.index.isin(who)]
            rows.append(
                {
                    "segment": segment,
                    "customers": len(mine),
                    "orders": int(mine.orders.sum()),
                    "revenue": mine.revenue.sum(),
                    "pct_of_customers": pct(len(mine), len(buyers)),
                    "pct_of_revenue": pct(mine.revenue.sum(), total),
                }
            )
        return rows

    def _home(self, customer: str, field: str) -> str | None:
        if customer in self.crm.index:
            value = self.crm.loc[customer, field]
            return str(value) if isinstance(value, str) else None
        return None

    def customer_analytics_cities(self, w: Window, limit: int = 10) -> list[Row]:
        buyers = self._window_buyers(w)
        total = self._in(self.completed, w).net.sum()
        buyers["city"] = [self._home(c, "city") for c in buyers.index]
        buyers["state"] = [self._home(c, "state") for c in buyers.index]
        rows = [
            {
                "city": city,
                "state": state,
                "customers": len(g),
                "orders": int(g.orders.sum()),
                "revenue": g.revenue.sum(),
                "pct_of_revenue": pct(g.revenue.sum(), total),
            }
            for (city, state), g in buyers.dropna(subset=["city"]).groupby(["city", "state"])
        ]
        rows.sort(key=lambda r: (-r["revenue"], -r["customers"], r["city"], r["state"]))
        return rows[:limit]

    def customer_analytics_states(self, w: Window) -> list[Row]:
        buyers = self._window_buyers(w)
        total = self._in(self.completed, w).net.sum()
        buyers["state"] = [self._home(c, "state") for c in buyers.index]
        return [
            {
                "state": state,
                "customers": len(g),
                "orders": int(g.orders.sum()),
                "revenue": g.revenue.sum(),
                "pct_of_revenue": pct(g.revenue.sum(), total),
            }
            for state, g in buyers.dropna(subset=["state"]).groupby("state")
        ]

    def customer_analytics_demographics(self, w: Window) -> list[Row]:
        buyers = self._window_buyers(w)
        everyone = set(self.orders.customer) | set(self.crm.index)
        everyone |= set(self._accounts.values()) | set(self._members.values())
        gender = {c: self._home(c, "gender") or "unknown" for c in everyone}
        born = {c: self._home(c, "birth_date") for c in everyone}

        def generation(day: str | None) -> str:
            if day is None:
                return "Unknown"
            year = int(day[:4])
            for first, name in ((2013, "Gen Alpha"), (1997, "Gen Z"), (1981, "Millennials"),
                                (1965, "Gen X"), (1946, "Baby Boomers")):  # fmt: skip
                if year >= first:
                    return name
            return "Silent Generation"

        groups = {
            "gender": gender,
            "generation": {c: generation(born[c]) for c in everyone},
            # Every customer of this world left a valid email and phone.
            "contact": dict.fromkeys(everyone, "email and phone"),
        }
        rows = []
        for dimension, of in groups.items():
            for value in sorted(set(of.values())):
                mine = buyers[buyers.index.map(lambda c, v=value, o=of: o.get(c) == v)]
                rows.append(
                    {
                        "dimension": dimension,
                        "value": value,
                        "customers": len(mine),
                        "orders": int(mine.orders.sum()),
                        "revenue": mine.revenue.sum(),
                        "pct_of_customers": pct(len(mine), len(buyers)),
                    }
                )
        return rows

    def customer_analytics_new_vs_returning(self, w: Window) -> list[Row]:
        done = self._in(self.completed, w)
        first = done.customer.map(self.first_order)
        total = done.net.sum()
        buyers = done.customer.nunique()
        rows = []
        for kind, mine in (("new", done[first >= w.start]), ("returning", done[first < w.start])):
            rows.append(
                {
                    "customer_type": kind,
                    "customers": mine.customer.nunique(),
                    "orders": len(mine),
                    "revenue": mine.net.sum(),
                    "pct_of_customers": pct(mine.customer.nunique(), buyers),
                    "pct_of_revenue": pct(mine.net.sum(), total),
                }
            )
        return rows

    # --- products ------------------------------------------------------------------------------

    def _sales(self, w: Window) -> pd.DataFrame:
        lines = self._in(self.all_lines, w)
        return lines[lines.status == "completed"]

    def products_best_sellers(self, w: Window, limit: int = 10) -> list[Row]:
        lines = self._sales(w)
        total = lines.amount.sum()
        rows = [
            {
                "product_id": pid,
                "name": g.name.iloc[0],
                "category": g.category.iloc[0],
                "units": int(g.quantity.sum()),
                "orders": g.order_id.nunique(),
                "revenue": g.amount.sum(),
                "margin": g.amount.sum() - g.cost.sum(),
                "pct_of_revenue": pct(g.amount.sum(), total),
            }
            for pid, g in lines.groupby("product_id")
        ]
        rows.sort(key=lambda r: (-r["units"], r["product_id"]))
        return rows[:limit]

    def products_category_performance(self, w: Window) -> list[Row]:
        lines = self._sales(w)
        total = lines.amount.sum()
        rows = []
        for category, products in self.products.groupby("category"):
            g = lines[lines.category == category]
            revenue, margin = g.amount.sum(), g.amount.sum() - g.cost.sum()
            rows.append(
                {
                    "category": category,
                    "products": len(products),
                    "units": int(g.quantity.sum()),
                    "orders": g.order_id.nunique(),
                    "revenue": revenue,
                    "margin": margin,
                    "margin_pct": pct(margin, revenue),
                    "revenue_share_pct": pct(revenue, total),
                }
            )
        return rows

    def _band_figures(self, w: Window) -> list[Row]:
        lines = self._sales(w)
        # A session's views of a product are dated by its first view of it.
        viewed = self.views[self.views.event_type == "product_view"]
        pairs = (
            viewed.groupby(["session_id", "product_id"])
            .agg(view_date=("day", "min"), views=("day", "size"))
            .reset_index()
        )
        pairs = pairs[(pairs.view_date >= w.start) & (pairs.view_date <= w.end)]
        bands = self.products.list_price.map(lambda p: labelled(p, PRICE_BANDS))
        rows = []
        for _, label in PRICE_BANDS:
            ids = set(self.products.product_id[bands == label])
            g = lines[lines.product_id.isin(ids)]
            mine = pairs[pairs.product_id.isin(ids)]
            converting = int(mine.session_id.isin(self.buying_sessions).sum())
            rows.append(
                {
                    "price_band": label,
                    "products": len(ids),
                    "units": int(g.quantity.sum()),
                    "revenue": g.amount.sum(),
                    "cost": g.cost.sum(),
                    "views": int(mine.views.sum()),
                    "viewing_sessions": len(mine),
                    "converting_sessions": converting,
                }
            )
        return rows

    def products_price_performance(self, w: Window) -> list[Row]:
        return [
            {
                "price_band": b["price_band"],
                "products": b["products"],
                "units": b["units"],
                "revenue": b["revenue"],
                "margin_pct": pct(b["revenue"] - b["cost"], b["revenue"]),
                "views": b["views"],
                "viewing_sessions": b["viewing_sessions"],
                "converting_sessions": b["converting_sessions"],
                "conversion_pct": pct(b["converting_sessions"], b["viewing_sessions"]),
            }
            for b in self._band_figures(w)
        ]

    def products_trending(self, w: Window, limit: int = 10, min_units: int = 10) -> list[Row]:
        days = (w.end - w.start).days + 1
        before = Window(w.start - timedelta(days=days), w.start - timedelta(days=1))
        cur, prev = self._sales(w), self._sales(before)
        rows = []
        for pid, g in cur.groupby("product_id"):
            units = int(g.quantity.sum())
            if units < min_units:
                continue
            previous = int(prev[prev.product_id == pid].quantity.sum())
            rows.append(
                {
                    "product_id": pid,
                    "name": g.name.iloc[0],
                    "category": g.category.iloc[0],
                    "units": units,
                    "previous_units": previous,
                    "growth_pct": (units - previous) / previous * 100 if previous else None,
                    "revenue": g.amount.sum(),
                }
            )
        rows.sort(
            key=lambda r: (
                r["growth_pct"] is None,
                -(r["growth_pct"] or 0),
                -r["units"],
                r["product_id"],
            )
        )
        return rows[:limit]

    def _stock(self, w: Window, lead_time_days: int) -> list[Row]:
        recent = self._sales(Window(w.end - timedelta(days=27), w.end))
        rows = []
        for _, p in self.products.iterrows():
            units = int(recent[recent.product_id == p.product_id].quantity.sum())
            daily = units / 28
            if daily == 0 or p.stock_on_hand / daily >= lead_time_days:
                continue
            rows.append(
                {
                    "product_id": p.product_id,
                    "name": p["name"],
                    "category": p.category,
                    "stock_on_hand": int(p.stock_on_hand),
                    "reorder_point": int(p.reorder_point),
                    "units_last_28d": units,
                    "avg_daily_units": daily,
                    "days_of_cover": p.stock_on_hand / daily,
                    "unit_cost": p.unit_cost,
                }
            )
        rows.sort(key=lambda r: (r["days_of_cover"], r["product_id"]))
        return rows

    def products_stock_alerts(self, w: Window, lead_time_days: int = 14) -> list[Row]:
        return [
            {
                **{k: v for k, v in r.items() if k != "unit_cost"},
                "days_of_cover": Exact(round(r["days_of_cover"], 1)),
            }
            for r in self._stock(w, lead_time_days)
        ]

    # --- services ------------------------------------------------------------------------------

    def _booked(self, w: Window) -> pd.DataFrame:
        return self._in(self.bookings, w)

    def _booking_counts(self, g: pd.DataFrame) -> Row:
        return {"bookings": len(g), "completed": int((g.status == "completed").sum())}

    def services_popular(self, w: Window, limit: int = 10) -> list[Row]:
        rows = [
            {
                "service_id": sid,
                "name": g.service_name.iloc[0],
                "category": g.category.iloc[0],
                **self._booking_counts(g),
                "revenue": g.revenue.sum(),
            }
            for sid, g in self._booked(w).groupby("service_id")
        ]
        rows.sort(key=lambda r: (-r["bookings"], r["service_id"]))
        return rows[:limit]

    def services_provider_performance(self, w: Window) -> list[Row]:
        rows = []
        for pid, g in self._booked(w).groupby("provider_id"):
            rated = g.rating.dropna()
            rows.append(
                {
                    "provider_id": pid,
                    "name": self.providers.loc[pid, "name"],
                    "city": self.providers.loc[pid, "city"],
                    "state": self.providers.loc[pid, "state"],
                    **self._booking_counts(g),
                    "completion_rate_pct": pct(int((g.status == "completed").sum()), len(g)),
                    "no_show_rate_pct": pct(int((g.status == "no_show").sum()), len(g)),
                    "rated_bookings": len(rated),
                    "avg_rating": _none_if_nan(rated.mean()),
                    "revenue": g.revenue.sum(),
                }
            )
        return rows

    def services_location_demand(self, w: Window) -> list[Row]:
        return [
            {
                "city": city,
                "state": state,
                **self._booking_counts(g),
                "customers": g.customer.nunique(),
                "revenue": g.revenue.sum(),
                "avg_distance_km": g.distance_km.mean(),
            }
            for (city, state), g in self._booked(w).groupby(["city", "state"])
        ]

    def services_booking_trends(self, w: Window) -> list[Row]:
        booked = self._booked(w)
        rows = []
        for day in self._days(w):
            g = booked[booked.day == day]
            rows.append(
                {
                    "day": day.isoformat(),
                    **self._booking_counts(g),
                    "cancelled": int((g.status == "cancelled").sum()),
                    "no_shows": int((g.status == "no_show").sum()),
                    "revenue": g.revenue.sum(),
                }
            )
        return rows

    def services_categories(self, w: Window) -> list[Row]:
        booked = self._booked(w)
        rows = []
        for category in SERVICE_CATEGORIES:
            g = booked[booked.category == category]
            rows.append(
                {
                    "category": category,
                    "services": int((self.services.category == category).sum()),
                    **self._booking_counts(g),
                    "completion_rate_pct": pct(int((g.status == "completed").sum()), len(g)),
                    "revenue": g.revenue.sum(),
                    "avg_price": _none_if_nan(g.price.mean()),
                    "avg_rating": _none_if_nan(g.rating.dropna().mean()),
                }
            )
        return rows

    # --- geography -----------------------------------------------------------------------------

    def _places(self, g: pd.DataFrame) -> Row:
        return {
            "orders": len(g),
            "completed_orders": int((g.status == "completed").sum()),
            "revenue": g[g.status == "completed"].net.sum(),
        }

    def geography_cities(self, w: Window) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        postal = self.postal.astype({"lat": float, "lon": float})
        centre = postal.groupby(["city", "state"])[["lat", "lon"]].mean()
        return [
            {
                "city": city,
                "state": state,
                "lat": Exact(round(centre.loc[(city, state), "lat"], 6)),
                "lon": Exact(round(centre.loc[(city, state), "lon"], 6)),
                **self._places(g),
            }
            for (city, state), g in placed.groupby(["city", "state"])
        ]

    def geography_postal_codes(self, w: Window) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        return [
            {
                "postal_code": code,
                "city": self.postal.loc[code, "city"],
                "state": self.postal.loc[code, "state"],
                "lat": Exact(float(self.postal.loc[code, "lat"])),
                "lon": Exact(float(self.postal.loc[code, "lon"])),
                **self._places(g),
            }
            for code, g in placed.groupby("postal_code")
        ]

    def geography_delivery_zones(self, w: Window) -> list[Row]:
        shipped = self._in(self.fulfilment, w)
        shipped = shipped[shipped.channel != "store"]
        return [
            {
                "distance_band": zone,
                **self._delivery(g),
                "pct_of_orders": pct(len(g), len(shipped)),
            }
            for zone, g in shipped.groupby("distance_band")
        ]

    def geography_state_performance(self, w: Window) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        rows = []
        for state, g in placed.groupby("state"):
            shipped = g[g.channel != "store"]
            d = self._delivery(shipped)
            rows.append(
                {
                    "state": state,
                    **self._places(g),
                    "shipped_orders": len(shipped),
                    "delivered": d["delivered"],
                    "avg_delivery_hours": d["avg_delivery_hours"],
                    "on_time_rate_pct": d["on_time_rate_pct"],
                }
            )
        return rows

    def _distances(self, w: Window) -> dict[str, list[float]]:
        orders = self._in(self.fulfilment, w).distance_km.dropna()
        return {"orders": list(orders), "bookings": list(self._booked(w).distance_km)}

    def geography_distribution(self, w: Window) -> list[Row]:
        rows = []
        for kind, values in self._distances(w).items():
            for _, label in DISTANCE_BINS:
                n = sum(labelled(v, DISTANCE_BINS) == label for v in values)
                rows.append(
                    {"kind": kind, "distance_band": label, "count": n, "pct": pct(n, len(values))}
                )
        return rows

    def geography_radius(self, w: Window, radius: int = 25) -> list[Row]:
        rows = []
        for kind, values in self._distances(w).items():
            beyond = sum(v >= radius for v in values)
            rows.append(
                {
                    "kind": kind,
                    "service_radius_km": radius,
                    "count": len(values),
                    "beyond_radius": beyond,
                    "beyond_radius_pct": pct(beyond, len(values)),
                    "avg_distance_km": sum(values) / len(values) if values else None,
                }
            )
        return rows

    # --- recommendations -----------------------------------------------------------------------

    def recommendations_best_order_time(
        self, w: Window, top: int = 3, min_orders: int = 20
    ) -> list[Row]:
        placed = self._in(self.fulfilment, w)
        due = placed[(placed.channel != "store") & placed.status.isin(["completed", "refunded"])]

        def figures(g: pd.DataFrame) -> tuple[int, int, float | None, float | None]:
            on_time = int((g.on_time == True).sum())  # noqa: E712
            delivered = g[g.delivered_at.notna()]
            speed = _none_if_nan(delivered.delivery_hours.mean())
            return len(g), on_time, speed, pct(on_time, len(g))

        hours = []
        for hour, g in due.groupby("hour"):
            n, on_time, speed, success = figures(g)
            if n >= min_orders:
                hours.append((-(on_time / n), math.inf if speed is None else speed, int(hour)))
        best = sorted(h for *_, h in sorted(hours)[:top])
        n, _, speed, success = figures(due[due.hour.isin(best)])
        _all_n, _, all_speed, all_success = figures(due)
        if best:
            names = ", ".join(f"{h:02d}:00" for h in best)
            reason = (
                f"Orders placed at {names} were delivered on time {success:.1f}% of the time in "
                f"{speed or 0:.1f} h on average ({n} orders), against {all_success:.1f}% and "
                f"{all_speed or 0:.1f} h over all hours."
            )
        else:
            reason = (
                f"No hour had {min_orders} or more delivered or delivering orders in the window: "
                "nothing to recommend yet."
            )
        return [
            {
                "recommended_hours": best,
                "reason": reason,
                "avg_delivery_time": speed if best else None,
                "success_rate": success if best else None,
                "orders": n if best else 0,
                "overall_avg_delivery_time": all_speed,
                "overall_success_rate": all_success,
            }
        ]

    def recommendations_restock(
        self, w: Window, lead_time_days: int = 14, cover_days: int = 30
    ) -> list[Row]:
        rows = []
        for r in self._stock(w, lead_time_days):
            quantity = max(math.ceil(r["avg_daily_units"] * cover_days - r["stock_on_hand"]), 0)
            rows.append(
                {
                    "product_id": r["product_id"],
                    "name": r["name"],
                    "category": r["category"],
                    "stock_on_hand": r["stock_on_hand"],
                    "avg_daily_units": r["avg_daily_units"],
                    "days_of_cover": Exact(round(r["days_of_cover"], 1)),
                    "suggested_quantity": quantity,
                    "reason": f"{r['stock_on_hand']} in stock cover {r['days_of_cover']:.1f} days "
                    f"at {r['avg_daily_units']:.2f} units a day (last 28 days), under the "
                    f"{lead_time_days}-day lead time: order {quantity} to cover {cover_days} days.",
                }
            )
        return rows

    def recommendations_staffing(self, w: Window) -> list[Row]:
        placed = self._in(self.orders, w)
        counts = [int((placed.hour == h).sum()) for h in range(24)]
        mean = sum(counts) / 24
        rows = []
        for hour, n in enumerate(counts):
            share, index = pct(n, sum(counts)), ratio(n, mean)
            level = "normal" if index is None else (
                "peak" if index >= 1.5 else "low" if index < 0.5 else "normal"
            )  # fmt: skip
            rows.append(
                {
                    "hour": hour,
                    "orders": n,
                    "pct_of_orders": share,
                    "staff_index": index,
                    "staffing": level,
                    "reason": f"{n} orders at {hour:02d}:00 ({share or 0:.1f}% of the day's), "
                    f"{index or 0:.2f}x an average hour: {level} staffing.",
                }
            )
        return rows

    def recommendations_promotion_days(self, w: Window, promotion_days: int = 2) -> list[Row]:
        done = self._in(self.completed, w)
        dow = done.day.map(lambda d: d.isoweekday())
        days = [(d, int((dow == d).sum()), done[dow == d].net.sum()) for d in range(1, 8)]
        mean = sum(r for *_, r in days) / 7
        weakest = sorted(days, key=lambda t: (t[2], t[0]))[:promotion_days]
        return [
            {
                "day_of_week": d,
                "day_name": DAY_NAMES[d - 1],
                "orders": n,
                "revenue": r,
                "revenue_index": ratio(r, mean),
                "reason": f"{DAY_NAMES[d - 1]} brings {ratio(r, mean) or 0:.2f}x an average "
                f"weekday's revenue ({r:.2f} against {mean:.2f}): a day to promote.",
            }
            for d, n, r in weakest
        ]

    def recommendations_inventory(
        self, w: Window, lead_time_days: int = 14, cover_days: int = 30
    ) -> list[Row]:
        stock = self._stock(w, lead_time_days)
        units = [
            max(math.ceil(r["avg_daily_units"] * cover_days - r["stock_on_hand"]), 0) for r in stock
        ]
        value = sum(u * r["unit_cost"] for u, r in zip(units, stock, strict=True))
        if not stock:
            return [
                {
                    "products_to_restock": 0,
                    "units_to_order": 0,
                    "value_to_order": 0.0,
                    "most_urgent_product_id": None,
                    "most_urgent_days_of_cover": None,
                    "reason": f"Every product with sales covers at least the {lead_time_days}-day "
                    "lead time: nothing to restock.",
                }
            ]
        first = stock[0]
        return [
            {
                "products_to_restock": len(stock),
                "units_to_order": sum(units),
                "value_to_order": value,
                "most_urgent_product_id": first["product_id"],
                "most_urgent_days_of_cover": Exact(round(first["days_of_cover"], 1)),
                "reason": f"{len(stock)} products cover fewer days than the {lead_time_days}-day "
                f"lead time: order {sum(units)} units ({value:.2f} at cost) to cover {cover_days} "
                f"days; {first['product_id']} first ({first['days_of_cover']:.1f} days left).",
            }
        ]

    def recommendations_price_bands(self, w: Window) -> list[Row]:
        bands = self._band_figures(w)
        revenue = sum(b["revenue"] for b in bands)
        overall_conv = pct(
            sum(b["converting_sessions"] for b in bands), sum(b["viewing_sessions"] for b in bands)
        )
        overall_margin = pct(revenue - sum(b["cost"] for b in bands), revenue)
        rows = []
        for b in bands:
            conv = pct(b["converting_sessions"], b["viewing_sessions"])
            margin = pct(b["revenue"] - b["cost"], b["revenue"])
            if conv is None or margin is None:
                what = "product views" if conv is None else "sales"
                reason = f"No {what} in the window: nothing to judge."
            else:
                assert overall_conv is not None
                assert overall_margin is not None
                if conv >= overall_conv and margin >= overall_margin:
                    verdict = "a strength, keep prices"
                elif conv >= overall_conv:
                    verdict = "converts well on a thin margin, test a small price rise"
                elif margin >= overall_margin:
                    verdict = "a high margin that converts less, test a promotion"
                else:
                    verdict = "weak on both, review the assortment and prices"
                reason = (
                    f"Conversion {conv:.2f}% against {overall_conv:.2f}% overall and margin "
                    f"{margin:.1f}% against {overall_margin:.1f}%: {verdict}."
                )
            rows.append(
                {
                    "price_band": b["price_band"],
                    "units": b["units"],
                    "revenue": b["revenue"],
                    "margin_pct": margin,
                    "conversion_pct": conv,
                    "reason": reason,
                }
            )
        return rows

    def recommendations_discount_levels(self, w: Window) -> list[Row]:
        lines = self._sales(w)
        list_value = lines.quantity * lines.list_price
        level = pd.Series("20+", index=lines.index)
        level[lines.amount >= 0.8 * list_value] = "10-20"
        level[lines.amount >= 0.9 * list_value] = "0-10"
        level[lines.amount >= list_value] = "none"
        units = int(lines.quantity.sum())
        figures = {}
        for name in ("none", "0-10", "10-20", "20+"):
            g = lines[level == name]
            revenue = g.amount.sum()
            figures[name] = {
                "discount_level": name,
                "lines": len(g),
                "units": int(g.quantity.sum()),
                "revenue": revenue,
                "margin_pct": pct(revenue - g.cost.sum(), revenue),
                "avg_discount_pct": pct(g_list - revenue, g_list)
                if (g_list := (g.quantity * g.list_price).sum())
                else None,
                "pct_of_units": pct(int(g.quantity.sum()), units),
            }
        plain = figures["none"]["margin_pct"]
        rows = []
        for f in figures.values():
            if f["units"] == 0:
                reason = f"Nothing sold at {f['discount_level']} discount in the window."
            else:
                against = f"{plain:.1f}%" if plain is not None else "no sales"
                reason = (
                    f"{f['pct_of_units'] or 0:.1f}% of units sold "
                    f"{max(f['avg_discount_pct'] or 0, 0):.1f}% below list price at a "
                    f"{f['margin_pct'] or 0:.1f}% margin, against {against} without a discount."
                )
            rows.append({**f, "reason": reason})
        return rows

    # --- demand forecast -------------------------------------------------------------------------

    def demand_series(self) -> dict[tuple[str, str], list[float]]:
        """Completed orders and units a day, in total (`all`) and per category, every day from
        the first completed order to as-of."""
        done = self.all_lines[
            (self.all_lines.status == "completed") & (self.all_lines.day <= self.as_of)
        ]
        first = min(done.day)
        days = [first + timedelta(days=d) for d in range((self.as_of - first).days + 1)]
        out = {}
        for category, g in [("all", done), *done.groupby("category")]:
            orders = g.groupby("day").order_id.nunique()
            units = g.groupby("day").quantity.sum()
            out[(str(category), "orders")] = [float(orders.get(d, 0)) for d in days]
            out[(str(category), "units")] = [float(units.get(d, 0)) for d in days]
        return out

    def forecast_baseline_backtest(self) -> list[Row]:
        """Per series, 'same day last week' scored from one origin a week over the last 8 weeks
        (origins with at least 4 weeks of history), each looking up to 28 days ahead."""
        rows = []
        for (category, measure), y in self.demand_series().items():
            n = len(y)
            origins = [o for o in range(n - 56, n, 7) if o >= 28]
            error = actual = 0.0
            days = 0
            for o in origins:
                for i in range(min(28, n - o)):
                    error += abs(y[o - 7 + i % 7] - y[o + i])
                    actual += y[o + i]
                    days += 1
            rows.append(
                {
                    "category": category,
                    "measure": measure,
                    "backtest_windows": len(origins),
                    "backtest_days": days,
                    "baseline_wape": 100 * error / actual if actual else None,
                }
            )
        return rows
