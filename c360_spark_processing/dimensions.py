"""Dimension tables: reference data published as loaded, so readers can name what facts hold ids
of (a top-products list shows names and categories, not only product ids)."""

from __future__ import annotations

from pyspark.sql import DataFrame

from c360_spark_processing.schemas import LOADED_SCHEMAS

DIM_PRODUCT_COLUMNS: tuple[str, ...] = tuple(LOADED_SCHEMAS["products"].fieldNames())


def dim_products(products: DataFrame) -> DataFrame:
    """The loaded catalogue, one row per product_id (ingest quarantined repeated ids)."""
    return products.select(*DIM_PRODUCT_COLUMNS)
