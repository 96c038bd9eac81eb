"""The CDNOW sample (tests/data/cdnow) as a transactions frame, read with pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

CDNOW_SAMPLE = Path(__file__).resolve().parents[2] / "data" / "cdnow" / "CDNOW_sample.txt"


def cdnow_pandas() -> pd.DataFrame:
    """customer_id, purchase_date (date), amount: one row per line of the file."""
    raw = pd.read_csv(
        CDNOW_SAMPLE,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "amount"],
        dtype={"customer_id": str, "date": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "purchase_date": pd.to_datetime(raw["date"], format="%Y%m%d").dt.date,
            "amount": raw["amount"].astype(float),
        }
    )


def cdnow_transactions(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(
        cdnow_pandas(), "customer_id string, purchase_date date, amount double"
    )
