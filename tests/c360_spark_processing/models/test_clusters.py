"""Clusters on three well-separated groups of buyers: every method finds them, each cluster is named
after its centroid's RFM segment, and ids follow the labels."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from pyspark.sql import SparkSession

from c360_contract.vocabulary import CLUSTERING_METHODS
from c360_spark_processing.models.clusters import (
    ESTIMATORS,
    Clustering,
    cluster_buyers,
    label_centroids,
    rfm_values,
)
from c360_spark_processing.settings import PipelineSettings

AS_OF = date(2025, 12, 31)
# (segment the centroid scores as, recency days, orders, net revenue per order)
GROUPS = {
    "Champions": (5, 10, 300.0),  # R 5, F 5, M 5
    "Lost": (400, 1, 50.0),  # R 1, F 1, M 1
    "Need Attention": (100, 4, 175.0),  # R 3, F 3, M 3 (700)
}
PER_GROUP = 60
SETTINGS = PipelineSettings(cluster_k_min=2, cluster_k_max=4, cluster_sample_size=500)

pytestmark = pytest.mark.spark


def _orders(spark: SparkSession):
    rng = np.random.default_rng(0)
    rows = []
    for name, (recency, orders, amount) in GROUPS.items():
        for i in range(PER_GROUP):
            last = AS_OF - timedelta(days=int(recency + rng.integers(0, 5)))
            for j in range(orders):
                rows.append(
                    (
                        f"{name[:2]}{i:03d}",
                        last - timedelta(days=20 * j),
                        amount * rng.uniform(0.9, 1.1),
                    )
                )
    return spark.createDataFrame(rows, "customer_id string, order_date date, net_amount double")


def test_rfm_values(spark: SparkSession) -> None:
    orders = spark.createDataFrame(
        [
            ("A", date(2025, 12, 1), 10.0),
            ("A", date(2025, 12, 21), 5.5),
            ("A", date(2026, 1, 2), 9.0),
        ],
        "customer_id string, order_date date, net_amount double",
    )
    (row,) = rfm_values(orders, AS_OF).collect()
    assert (row["recency_days"], row["frequency"], row["monetary"]) == (10, 2, 15.5)


def test_centroids_are_named_by_the_rfm_grid(spark: SparkSession) -> None:
    labels = label_centroids(
        spark,
        [
            ("kmeans", 0, 5.0, 10.0, 3000.0),
            ("kmeans", 1, 400.0, 1.0, 50.0),
            ("kmeans", 2, 30.0, 2.0, 79.0),
        ],
        SETTINGS,
    )
    assert labels[("kmeans", 0)] == ("Champions", "Reward them; early access, ask for reviews")
    assert labels[("kmeans", 1)][0] == "Lost"
    assert labels[("kmeans", 2)][0] == "Potential Loyalists"  # docs/metrics.md's RFM example


@pytest.mark.slow
def test_three_groups_three_labelled_clusters_in_label_order(spark: SparkSession) -> None:
    result = cluster_buyers(spark, _orders(spark), AS_OF, SETTINGS, lambda _name, df: df.cache())
    assert isinstance(result, Clustering)
    for method in CLUSTERING_METHODS:
        assert result.manifest["chosen"][method]["k"] == 3, method
    summary = {(row[0], row[1]): row for row in result.summary}
    for method in CLUSTERING_METHODS:
        assert [summary[(method, c)][7] for c in range(3)] == sorted(GROUPS)
        assert [summary[(method, c)][2] for c in range(3)] == [PER_GROUP] * 3
    assigned = result.assignments.collect()
    assert len(assigned) == 3 * len(GROUPS) * PER_GROUP
    # Every buyer lands in the cluster named after their own group, in every method.
    named = {name[:2]: name for name in GROUPS}
    assert all(r["label"] == named[r["customer_id"][:2]] for r in assigned)
    assert all(r["cluster"] == sorted(GROUPS).index(r["label"]) for r in assigned)
    assert result.points.count() == 3 * len(GROUPS) * PER_GROUP  # fewer buyers than points


def test_too_few_buyers_is_a_reason_not_an_error(spark: SparkSession) -> None:
    orders = spark.createDataFrame(
        [("A", date(2025, 12, 1), 10.0)], "customer_id string, order_date date, net_amount double"
    )
    result = cluster_buyers(spark, orders, AS_OF, SETTINGS, lambda _name, df: df)
    assert isinstance(result, str)
    assert "1 buyers" in result


def test_each_method_of_the_vocabulary_is_one_spark_estimator() -> None:
    assert list(ESTIMATORS) == list(CLUSTERING_METHODS)
    assert {cls.__name__ for cls in ESTIMATORS.values()} == {
        "KMeans",
        "GaussianMixture",
        "BisectingKMeans",
    }


def test_an_unknown_profile_method_is_refused_when_the_settings_load() -> None:
    with pytest.raises(ValueError, match="cluster_method must be one of kmeans, gmm, hierarchical"):
        PipelineSettings(cluster_method="gaussian_mixture")
