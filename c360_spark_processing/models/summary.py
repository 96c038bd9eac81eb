"""From transactions to the BG/NBD summary per customer, and from there to weighted tuples.

Conventions (the paper's and `c360 models clv`'s): purchases on the same calendar day merge into
one (their amounts add up); x counts the purchase days after the first; t_x and T run from the
first purchase to the last one and to the as-of date; monetary is the mean of the repeat
purchases' amounts (the first purchase left out); transactions after the as-of date are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_spark_processing.models.fitting import FloatArray

TIME_UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0}
"""Length of each supported time unit in days; t_x and T are days / this."""


class TimeUnitError(ValueError):
    """A time unit other than those of TIME_UNIT_DAYS."""


def unit_days(time_unit: str) -> float:
    if time_unit not in TIME_UNIT_DAYS:
        raise TimeUnitError(f"time unit must be one of {sorted(TIME_UNIT_DAYS)}, got {time_unit!r}")
    return TIME_UNIT_DAYS[time_unit]


def purchase_days(transactions: DataFrame, as_of: date) -> DataFrame:
    """One row per customer and calendar day up to as-of, with the day's total amount.

    `transactions` has customer_id, purchase_date (date) and amount (double).
    """
    return (
        transactions.filter(F.col("purchase_date") <= F.lit(as_of))
        .groupBy("customer_id", "purchase_date")
        .agg(F.sum("amount").alias("amount"))
    )


def _in_units(days: Column, time_unit: str) -> Column:
    return days.cast("double") / F.lit(unit_days(time_unit))


def rfm_summary(days: DataFrame, as_of: date, time_unit: str) -> DataFrame:
    """customer_id, x (int), t_x, T (double, in `time_unit`), monetary (null when x = 0)."""
    per_customer = days.groupBy("customer_id").agg(
        F.min("purchase_date").alias("_first"),
        F.max("purchase_date").alias("_last"),
        F.count("*").alias("_days"),
        F.sum("amount").alias("_total"),
        F.min_by("amount", "purchase_date").alias("_first_amount"),
    )
    x = (F.col("_days") - 1).cast("int")
    return per_customer.select(
        "customer_id",
        x.alias("x"),
        _in_units(F.datediff("_last", "_first"), time_unit).alias("t_x"),
        _in_units(F.datediff(F.lit(as_of), "_first"), time_unit).alias("T"),
        F.when(x > 0, (F.col("_total") - F.col("_first_amount")) / x).alias("monetary"),
    )


@dataclass(frozen=True)
class Tuples:
    """Distinct summary tuples and the number of customers holding each: what the driver sees."""

    columns: dict[str, FloatArray]
    count: FloatArray

    def __getitem__(self, name: str) -> FloatArray:
        return self.columns[name]

    @property
    def customers(self) -> int:
        return int(self.count.sum())

    def __len__(self) -> int:
        return len(self.count)


def tuple_counts(frame: DataFrame, columns: tuple[str, ...]) -> Tuples:
    """Group by `columns` in Spark and bring only the distinct tuples and counts to the driver."""
    table = frame.groupBy(*columns).agg(F.count("*").alias("_count")).toArrow()
    return Tuples(
        columns={c: table.column(c).to_numpy().astype(np.float64) for c in columns},
        count=table.column("_count").to_numpy().astype(np.float64),
    )


MONETARY_DIGITS = 4
"""Significant digits of the mean repeat value in the Gamma-Gamma's tuples."""


def significant(value: Column, digits: int) -> Column:
    """`value` (> 0) rounded to `digits` significant digits."""
    unit = F.pow(F.lit(10.0), F.floor(F.log10(value)) - (digits - 1))
    return F.round(value / unit) * unit


def repeat_value_tuples(summary: DataFrame) -> Tuples:
    """Distinct (x, monetary) of repeat customers with their counts, the Gamma-Gamma's input.

    A mean of several amounts is nearly unique per customer, so it is rounded to MONETARY_DIGITS
    significant digits (at most 0.005% off) for the customers to share tuples: the driver then
    gets an aggregate, not a row per customer, and the fit moves by far less than its error.
    """
    repeat = summary.filter((F.col("x") > 0) & (F.col("monetary") > 0)).select(
        "x", significant(F.col("monetary"), MONETARY_DIGITS).alias("monetary")
    )
    return tuple_counts(repeat, ("x", "monetary"))
