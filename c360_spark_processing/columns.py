"""Column helpers shared by facts, scores and marts: rounding, business days, day arithmetic,
safe ratios.

One definition each, so "in the last N days", "the day of an order" or "a percentage" means the
same in every table.
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_contract.units import PCT_DECIMALS, RATE_DECIMALS


def money(value: Column) -> Column:
    """Money is rounded to cents only at the output, never inside a calculation."""
    return F.round(value, 2)


def rate(value: Column) -> Column:
    """0-1 rates are published with 4 decimals (c360_contract.units)."""
    return F.round(value, RATE_DECIMALS)


def business_time(ts: Column, timezone: str) -> Column:
    """The wall-clock time of a UTC instant in the business timezone, without a time zone.

    Without one, Parquet readers (DuckDB, pandas) show the business clock as stored instead of
    converting it to their own zone. Needs Spark's session timezone to be UTC (`start_spark`).
    """
    return F.from_utc_timestamp(ts, timezone).cast("timestamp_ntz")


def business_date(ts: Column, timezone: str) -> Column:
    """The business day of a UTC instant: its date on the business timezone's clock, so a day
    runs from local midnight to midnight (an order at 03:30Z on 2 January is 1 January in New
    York)."""
    return F.to_date(business_time(ts, timezone))


def days_since(day: Column, as_of: date) -> Column:
    """Whole days from `day` to the as-of date (0 on the as-of date itself)."""
    return F.datediff(F.lit(as_of), day)


def in_last_days(day: Column, as_of: date, days: int) -> Column:
    """True for the trailing window of `days` calendar days ending on (and including) as-of."""
    return days_since(day, as_of) < days


def ratio(numerator: Column, denominator: Column) -> Column:
    """numerator / denominator, null when the denominator is 0 or null."""
    return F.when(denominator != 0, numerator / denominator)


def pct(numerator: Column, denominator: Column) -> Column:
    """Percentage 0-100 with 2 decimals (c360_contract.units), null when the denominator is 0."""
    return F.round(ratio(numerator, denominator) * 100, PCT_DECIMALS)


def count_where(condition: Column) -> Column:
    """Aggregate: number of rows where `condition` holds, as an int."""
    return F.sum(F.when(condition, 1).otherwise(0)).cast("int")


def sum_where(condition: Column, value: Column) -> Column:
    """Aggregate: sum of `value` over rows where `condition` holds (0 when none)."""
    return F.sum(F.when(condition, value).otherwise(F.lit(0.0)))


def hours_between(start: Column, end: Column) -> Column:
    """Hours from one instant to another (fractional; null when either is null)."""
    return (F.unix_micros(end) - F.unix_micros(start)) / 3_600_000_000


def haversine_km(
    lat1: Column, lon1: Column, lat2: Column, lon2: Column, radius_km: float
) -> Column:
    """Great-circle distance in km on a sphere of `radius_km`, rounded to metres (3 decimals):
    distance bands are decided on the published value, so a distance at a band edge is in the
    band it reads as."""
    p1, p2 = F.radians(lat1), F.radians(lat2)
    a = F.pow(F.sin((p2 - p1) / 2), 2) + F.cos(p1) * F.cos(p2) * F.pow(
        F.sin((F.radians(lon2) - F.radians(lon1)) / 2), 2
    )
    return F.round(2 * radius_km * F.asin(F.sqrt(a)), 3)


def band(value: Column, edges: list[float]) -> Column:
    """`a-b` for the half-open band [a, b) of ascending `edges` holding `value` (lower edge
    inclusive), the first from 0 (anything below it too); `<last>+` from the last edge on; null
    for a null value."""
    lowers = [0.0, *edges[:-1]]
    expr = F.when(value.isNull(), F.lit(None))
    for lower, edge in zip(lowers, edges, strict=True):
        expr = expr.when(value < edge, F.lit(f"{_number(lower)}-{_number(edge)}"))
    return expr.otherwise(F.lit(f"{_number(edges[-1])}+"))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
