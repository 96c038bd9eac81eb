"""Dimension tables: reference data published as loaded, so readers can name and place what facts
hold ids of (a top-products list shows names and categories, a heatmap coordinates)."""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame

from c360_spark_processing.schemas import LOADED_SCHEMAS

# Published dimension -> the loaded source it copies (one row per id: ingest quarantined repeats).
DIMENSIONS: dict[str, str] = {
    "dim_products": "products",
    "dim_stores": "stores",
    "dim_services": "services",
    "dim_providers": "providers",
    "dim_postal_codes": "postal_codes",
}


def dimension_tables(loaded: Mapping[str, DataFrame]) -> dict[str, DataFrame]:
    """Every dimension, each with its source's loaded columns."""
    return {
        name: loaded[source].select(*LOADED_SCHEMAS[source].fieldNames())
        for name, source in DIMENSIONS.items()
    }


def dim_products(products: DataFrame) -> DataFrame:
    """The loaded catalogue alone (an upload has no other reference data)."""
    return products.select(*LOADED_SCHEMAS["products"].fieldNames())
