"""Which customer a source record belongs to, read from the identity crosswalk."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def records_of(crosswalk: DataFrame, source: str, id_column: str) -> DataFrame:
    """(id_column, customer_id) for one source's records."""
    return crosswalk.filter(F.col("source") == source).select(
        F.col("source_record_id").alias(id_column), "customer_id"
    )
