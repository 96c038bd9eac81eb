"""The one threshold-count rule behind R, F, M and engagement scores."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F

SCORE_MAX = 5
"""R, F, M, fm and engagement scores all top out at 5 (settings validate the list sizes)."""


def thresholds_met(value: Column, thresholds: Sequence[float], *, at_most: bool = False) -> Column:
    """How many thresholds `value` meets: value >= t, or value <= t when `at_most` (day limits).

    Null stays null, so customers without the underlying fact get no score rather than 0.
    """
    hits = [F.when(value <= t if at_most else value >= t, 1).otherwise(0) for t in thresholds]
    return F.when(value.isNotNull(), reduce(lambda a, b: a + b, hits))
