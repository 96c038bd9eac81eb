"""The 20 catalogue metrics recomputed with pandas from the raw exports, from their specification.

Written from the metrics' formula texts and docs/metrics.md, never from the API's SQL, and read
from the source files rather than the snapshot, so a wrong fact table shows up as well as a wrong
query. Amounts stay unrounded here; the tests allow the published 2-decimal rounding.

Conventions taken from the specification: an order's business day and hour are its UTC `order_ts`
in New York; orders dated after as-of do not exist; an order counts when completed; its revenue is
the sum of quantity x unit_price - discount over its lines; its customer is the person behind its
account (else its loyalty card) — in this data set every record of a person shares one email, so
the email is the customer; a customer's first order is their first completed order; windows are
inclusive business days, by default the first order day to as-of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

TZ = "America/New_York"
DAY_BUCKETS: tuple[tuple[str, float], ...] = (
    ("0-7", 0),
    ("8-30", 8),
    ("31-60", 31),
    ("61-90", 61),
    ("91-180", 91),
    ("181-365", 181),
    ("365+", 366),
)
VALUE_BANDS: tuple[tuple[str, float], ...] = (
    ("0-50", 0),
    ("50-100", 50),
    ("100-250", 100),
    ("250-500", 250),
    ("500-1000", 500),
    ("1000-2500", 1000),
    ("2500+", 2500),
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def months(self) -> list[tuple[str, date, date]]:
        """Each month touching the window: (YYYY-MM, first day inside, last day inside)."""
        out = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = (first + timedelta(days=32)).replace(day=1)
            out.append(
                (
                    f"{first:%Y-%m}",
                    max(first, self.start),
                    min(following - timedelta(days=1), self.end),
                )
            )
            first = following
        return out


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def bucket(value: float, edges: tuple[tuple[str, float], ...]) -> str:
    """The bucket whose lower edge is the largest one at or under `value`."""
    return [label for label, lower in edges if value >= lower][-1]


def pct(part: float, whole: float) -> float | None:
    return part / whole * 100 if whole else None


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _read_jsonl(paths: list[Path]) -> pd.DataFrame:
    return pd.DataFrame([json.loads(line) for p in paths for line in p.read_text().splitlines()])


class Reference:
    """The raw exports as plain frames with business-day columns, and one method per metric."""

    def __init__(self, raw: Path, as_of: date) -> None:
        self.as_of = as_of
        accounts = _read_jsonl([raw / "ecommerce_accounts.jsonl"])
        members = pd.read_csv(raw / "loyalty_members.csv", dtype=str)
        by_account = dict(
            zip(accounts.account_id, accounts.email.str.strip().str.lower(), strict=True)
        )
        by_member = dict(zip(members.member_id, members.email.str.strip().str.lower(), strict=True))

        orders = pd.read_parquet(raw / "orders.parquet")
        orders["customer"] = [
            by_account[a] if isinstance(a, str) else by_member[m]
            for a, m in zip(orders.account_id, orders.member_id, strict=True)
        ]
        local = pd.to_datetime(orders.order_ts, utc=True).dt.tz_convert(TZ)
        orders["local"] = local
        orders["day"] = local.dt.date
        orders["hour"] = local.dt.hour
        orders = orders[orders.day <= as_of]

        lines = pd.read_parquet(raw / "order_lines.parquet")
        lines["amount"] = lines.quantity * lines.unit_price - lines.discount
        products = pd.read_csv(raw / "products.csv", dtype={"product_id": str})
        lines = lines.merge(products[["product_id", "name", "category"]], on="product_id")
        net = lines.groupby("order_id").amount.sum().rename("net")
        orders = orders.merge(net, left_on="order_id", right_index=True, how="left")
        orders["net"] = orders.net.fillna(0.0)

        self.orders = orders
        self.completed = orders[orders.status == "completed"].sort_values("order_ts")
        self.lines = lines.merge(
            self.completed[["order_id", "day"]], on="order_id"
        )  # lines of completed orders only
        self.first_order = self.completed.groupby("customer").day.min()
        self.first_day: date = min(orders.day)

        events = _read_jsonl(sorted((raw / "app_events").glob("dt=*/*.jsonl")))
        events["day"] = pd.to_datetime(events.ts, utc=True).dt.tz_convert(TZ).dt.date
        self.events = events

    # --- windows -------------------------------------------------------------------------------

    def window(self, start: date | None = None, end: date | None = None) -> Window:
        return Window(start or self.first_day, end or self.as_of)

    def _placed(self, frame: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
        return frame[(frame.day >= first) & (frame.day <= last)]

    def _acquired(self, w: Window) -> pd.DataFrame:
        """Customers whose first completed order falls in the window, with their completed orders
        up to its end: customer, first_day, orders, second_day, last_day, revenue, first_net."""
        rows = []
        for customer, first in self.first_order.items():
            if not w.start <= first <= w.end:
                continue
            mine = self.completed[
                (self.completed.customer == customer) & (self.completed.day <= w.end)
            ]
            days = list(mine.day)  # in order_ts order
            rows.append(
                {
                    "customer": customer,
                    "first_day": first,
                    "orders": len(mine),
                    "second_day": days[1] if len(days) > 1 else None,
                    "last_day": days[-1],
                    "revenue": mine.net.sum(),
                    "first_net": mine.net.iloc[0],
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "customer",
                "first_day",
                "orders",
                "second_day",
                "last_day",
                "revenue",
                "first_net",
            ],
        )

    # --- kpi -----------------------------------------------------------------------------------

    def kpi_summary(self, w: Window) -> list[Row]:
        placed = self._placed(self.orders, w.start, w.end)
        done = placed[placed.status == "completed"]
        revenue = done.net.sum()
        buyers = done.customer.nunique()
        return [
            {
                "total_revenue": revenue,
                "orders": len(placed),
                "completed_orders": len(done),
                "avg_order_value": ratio(revenue, len(done)),
                "completion_rate_pct": pct(len(done), len(placed)),
                "customers": buyers,
                "orders_per_customer": ratio(len(done), buyers),
                "first_order_date": min(done.day).isoformat() if len(done) else None,
                "last_order_date": max(done.day).isoformat() if len(done) else None,
            }
        ]

    def kpi_revenue(self, w: Window) -> list[Row]:
        rows = []
        for month, first, last in w.months():
            done = self._placed(self.completed, first, last)
            new = [c for c, d in self.first_order.items() if first <= d <= last]
            rows.append(
                {
                    "month": month,
                    "orders": len(done),
                    "revenue": done.net.sum(),
                    "avg_order_value": ratio(done.net.sum(), len(done)),
                    "customers": done.customer.nunique(),
                    "new_customers": len(new),
                }
            )
        return rows

    def kpi_conversion(self, w: Window) -> list[Row]:
        starts = self.events[self.events.event_type == "session_start"]
        starts = starts[(starts.day >= w.start) & (starts.day <= w.end)]
        buying = set(self.events[self.events.event_type == "purchase"].session_id)
        rows = []
        for source, group in starts.groupby(starts.traffic_source.fillna("unattributed")):
            sessions = group.session_id.nunique()
            converted = len(set(group.session_id) & buying)
            rows.append(
                {
                    "traffic_source": source,
                    "sessions": sessions,
                    "converted_sessions": converted,
                    "conversion_rate_pct": pct(converted, sessions),
                }
            )
        return rows

    # --- orders --------------------------------------------------------------------------------

    def _by(self, w: Window, keys: list[Any], of: Any) -> dict[Any, tuple[int, float]]:
        """(completed orders, revenue) per bucket in `keys`, `of` giving an order's bucket."""
        done = self._placed(self.completed, w.start, w.end)
        out: dict[Any, tuple[int, float]] = dict.fromkeys(keys, (0, 0.0))
        for _, order in done.iterrows():
            n, revenue = out[of(order)]
            out[of(order)] = (n + 1, revenue + order.net)
        return out

    def orders_by_hour(self, w: Window) -> list[Row]:
        by = self._by(w, list(range(24)), lambda o: o.hour)
        return [
            {"hour": h, "orders": n, "revenue": r, "avg_order_value": ratio(r, n)}
            for h, (n, r) in by.items()
        ]

    def orders_by_day_of_week(self, w: Window) -> list[Row]:
        by = self._by(w, list(range(1, 8)), lambda o: o.day.isoweekday())
        return [
            {
                "day_of_week": d,
                "day_name": DAY_NAMES[d - 1],
                "orders": n,
                "revenue": r,
                "avg_order_value": ratio(r, n),
            }
            for d, (n, r) in by.items()
        ]

    def orders_by_day_of_month(self, w: Window) -> list[Row]:
        by = self._by(w, list(range(1, 32)), lambda o: o.day.day)
        return [{"day_of_month": d, "orders": n, "revenue": r} for d, (n, r) in by.items()]

    def orders_by_month(self, w: Window) -> list[Row]:
        by = self._by(w, list(range(1, 13)), lambda o: o.day.month)
        return [
            {"month_of_year": m, "month_name": MONTH_NAMES[m - 1], "orders": n, "revenue": r}
            for m, (n, r) in by.items()
        ]

    def orders_heatmap(self, w: Window) -> list[Row]:
        cells = [(d, h) for d in range(1, 8) for h in range(24)]
        by = self._by(w, cells, lambda o: (o.day.isoweekday(), o.hour))
        return [
            {"day_of_week": d, "day_name": DAY_NAMES[d - 1], "hour": h, "orders": n}
            for (d, h), (n, _) in by.items()
        ]

    # --- demand --------------------------------------------------------------------------------

    def demand_growth(self, w: Window) -> list[Row]:
        rows: list[Row] = []
        previous: float | None = None
        for month, first, last in w.months():
            revenue = self._placed(self.completed, first, last).net.sum()
            growth = (revenue - previous) / previous * 100 if previous else None
            rows.append(
                {"month": month, "revenue": revenue, "prev_revenue": previous, "growth_pct": growth}
            )
            previous = revenue
        return rows

    def demand_top_products(self, w: Window, limit: int = 10) -> list[Row]:
        lines = self._placed(self.lines, w.start, w.end)
        rows = [
            {
                "product_id": pid,
                "name": group.name.iloc[0],
                "category": group.category.iloc[0],
                "units": int(group.quantity.sum()),
                "orders": group.order_id.nunique(),
                "revenue": group.amount.sum(),
            }
            for pid, group in lines.groupby("product_id")
        ]
        rows.sort(key=lambda r: (-r["units"], r["product_id"]))
        return rows[:limit]

    def demand_by_category(self, w: Window) -> list[Row]:
        lines = self._placed(self.lines, w.start, w.end)
        months = lines.day.map(month_of)
        return [
            {
                "month": month,
                "category": category,
                "units": int(group.quantity.sum()),
                "revenue": group.amount.sum(),
            }
            for (month, category), group in lines.groupby([months, lines.category])
        ]

    # --- cohorts -------------------------------------------------------------------------------

    def _cohorts(self, w: Window) -> pd.DataFrame:
        acquired = self._acquired(w)
        acquired["cohort_month"] = acquired.first_day.map(month_of)
        return acquired

    def cohort_sizes(self, w: Window) -> list[Row]:
        return [
            {
                "cohort_month": month,
                "customers": len(group),
                "first_order_revenue": group.first_net.sum(),
                "revenue_to_date": group.revenue.sum(),
            }
            for month, group in self._cohorts(w).groupby("cohort_month")
        ]

    def cohort_retention(self, w: Window, months: int = 12) -> list[Row]:
        done = self.completed[self.completed.day <= w.end]
        bought = {(c, month_of(d)) for c, d in zip(done.customer, done.day, strict=True)}
        rows = []
        for month, group in self._cohorts(w).groupby("cohort_month"):
            year, mon = int(month[:4]), int(month[5:])
            for offset in range(months):
                index = year * 12 + mon - 1 + offset
                cell = f"{index // 12:04d}-{index % 12 + 1:02d}"
                if cell > month_of(w.end):
                    break
                active = sum((c, cell) in bought for c in group.customer)
                rows.append(
                    {
                        "cohort_month": month,
                        "month_offset": offset,
                        "cohort_customers": len(group),
                        "active_customers": active,
                        "retention_pct": pct(active, len(group)),
                    }
                )
        return rows

    def cohort_repeat_purchase(self, w: Window) -> list[Row]:
        rows = []
        for month, group in self._cohorts(w).groupby("cohort_month"):
            repeat = int((group.orders >= 2).sum())
            rows.append(
                {
                    "cohort_month": month,
                    "customers": len(group),
                    "repeat_customers": repeat,
                    "repeat_rate_pct": pct(repeat, len(group)),
                }
            )
        return rows

    # --- behaviour -----------------------------------------------------------------------------

    def behaviour_repeat_rate(self, w: Window) -> list[Row]:
        acquired = self._acquired(w)
        repeat = int((acquired.orders >= 2).sum())
        return [
            {
                "customers": len(acquired),
                "repeat_customers": repeat,
                "repeat_rate_pct": pct(repeat, len(acquired)),
            }
        ]

    def behaviour_new_vs_returning(self, w: Window) -> list[Row]:
        rows = []
        for month, first, last in w.months():
            done = self._placed(self.completed, first, last)
            started = done.customer.map(self.first_order)
            new, returning = done[started >= first], done[started < first]
            rows.append(
                {
                    "month": month,
                    "new_customers": new.customer.nunique(),
                    "returning_customers": returning.customer.nunique(),
                    "new_revenue": new.net.sum(),
                    "returning_revenue": returning.net.sum(),
                }
            )
        return rows

    def first_second_days(self, w: Window) -> list[int]:
        """Days from first to second order of the window's customers who have one by its end."""
        acquired = self._acquired(w).dropna(subset=["second_day"])
        return [(s - f).days for f, s in zip(acquired.first_day, acquired.second_day, strict=True)]

    def _repeaters(self, w: Window) -> pd.DataFrame:
        acquired = self._acquired(w)
        return acquired[acquired.orders >= 2]

    def mean_gaps(self, w: Window) -> list[float]:
        r = self._repeaters(w)
        return [
            (last - first).days / (n - 1)
            for first, last, n in zip(r.first_day, r.last_day, r.orders, strict=True)
        ]

    def lifetimes(self, w: Window) -> list[int]:
        r = self._repeaters(w)
        return [(last - first).days for first, last in zip(r.first_day, r.last_day, strict=True)]

    @staticmethod
    def day_buckets(values: list[float]) -> list[Row]:
        counts = {label: 0 for label, _ in DAY_BUCKETS}
        for value in values:
            counts[bucket(value, DAY_BUCKETS)] += 1
        return [
            {"bucket": label, "customers": n, "pct": pct(n, len(values))}
            for label, n in counts.items()
        ]

    def behaviour_first_second_delay(self, w: Window) -> list[Row]:
        return self.day_buckets([float(d) for d in self.first_second_days(w)])

    def behaviour_days_between_orders(self, w: Window) -> list[Row]:
        return self.day_buckets(self.mean_gaps(w))

    def behaviour_customer_lifetime(self, w: Window) -> list[Row]:
        return self.day_buckets([float(d) for d in self.lifetimes(w)])

    def ltv_bands(self, w: Window) -> dict[str, list[str]]:
        """Which customers fall in each value band (for the boundary tests)."""
        acquired = self._acquired(w)
        out: dict[str, list[str]] = {label: [] for label, _ in VALUE_BANDS}
        for customer, revenue in zip(acquired.customer, acquired.revenue, strict=True):
            out[bucket(revenue, VALUE_BANDS)].append(customer)
        return out

    def behaviour_ltv(self, w: Window) -> list[Row]:
        acquired = self._acquired(w)
        bands = acquired.revenue.map(lambda r: bucket(r, VALUE_BANDS))
        total = acquired.revenue.sum()
        rows = []
        for label, _ in VALUE_BANDS:
            mine = acquired[bands == label]
            rows.append(
                {
                    "bucket": label,
                    "customers": len(mine),
                    "revenue": mine.revenue.sum(),
                    "pct_of_revenue": pct(mine.revenue.sum(), total),
                }
            )
        return rows
