"""Clusters on three well-separated groups of buyers: every method finds them, each cluster is named
after its centroid's RFM segment, and ids follow the labels. The Spark assignment of every buyer is
checked against nearest centroids and Gaussian log densities computed here with numpy and scipy, the
silhouette against scikit-learn's, and the choice of k against the eligibility rule."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from scipy.stats import multivariate_normal
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from c360_contract.vocabulary import CLUSTERING_METHODS
from c360_spark_processing.models.clusters import (
    ESTIMATORS,
    Clustering,
    Fitted,
    choose,
    cluster_buyers,
    rfm_values,
    silhouette,
    with_labels,
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
    centroids = spark.createDataFrame(
        [(0, 5.0, 10.0, 3000.0), (1, 400.0, 1.0, 50.0), (2, 30.0, 2.0, 79.0)],
        "raw int, recency_days double, frequency double, monetary double",
    )
    labels = {
        r["raw"]: (r["label"], r["action"]) for r in with_labels(centroids, SETTINGS).collect()
    }
    assert labels[0] == ("Champions", "Reward them; early access, ask for reviews")
    assert labels[1][0] == "Lost"
    assert labels[2][0] == "Potential Loyalists"  # docs/metrics.md's RFM example


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


def test_each_method_of_the_vocabulary_is_one_sklearn_estimator() -> None:
    assert list(ESTIMATORS) == list(CLUSTERING_METHODS)
    assert {type(make(2, 0)).__name__ for make in ESTIMATORS.values()} == {
        "KMeans",
        "GaussianMixture",
        "BisectingKMeans",
    }


def _blobs(seed: int = 1) -> np.ndarray:
    """60 points around three centres of different spreads, and a few between them."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, 0.5], [0.5, 3.0, 2.0]])
    spread = np.array([[0.3, 0.8, 0.5], [1.0, 0.4, 0.6], [0.6, 0.6, 1.5]])
    points = [centres[g] + spread[g] * rng.normal(size=(20, 3)) for g in range(3)]
    return np.vstack([*points, rng.uniform(-1, 4, size=(6, 3))])


def _spark_clusters(spark: SparkSession, fitted: Fitted, x: np.ndarray) -> np.ndarray:
    frame = spark.createDataFrame(
        [(i, *map(float, row)) for i, row in enumerate(x)], "i int, x0 double, x1 double, x2 double"
    )
    column = fitted.column([F.col("x0"), F.col("x1"), F.col("x2")])
    rows = frame.select("i", column.alias("cluster")).orderBy("i").collect()
    return np.array([row["cluster"] for row in rows])


def test_spark_assigns_each_row_to_the_nearest_centroid(spark: SparkSession) -> None:
    x = _blobs()
    centres = np.array([[0.1, 0.2, 0.0], [2.5, 1.0, 1.0], [0.0, 2.5, 2.5], [1.5, 1.5, 1.5]])
    nearest = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    fitted = Fitted.centroids(centres)
    assert (_spark_clusters(spark, fitted, x) == nearest).all()
    assert (fitted.labels(x) == nearest).all()  # the sample's labels agree with Spark's


def test_spark_assigns_each_row_to_the_most_probable_mixture_component(
    spark: SparkSession,
) -> None:
    x = _blobs()
    model = GaussianMixture(3, covariance_type="full", random_state=0).fit(x)
    log_posterior = np.column_stack(
        [
            np.log(model.weights_[c]) + multivariate_normal(model.means_[c], cov).logpdf(x)
            for c, cov in enumerate(model.covariances_)
        ]
    )
    expected = log_posterior.argmax(axis=1)
    fitted = Fitted.mixture(model)
    assert (_spark_clusters(spark, fitted, x) == expected).all()
    assert (fitted.labels(x) == expected).all()
    assert (model.predict(x) == expected).all()


def test_silhouette_is_sklearns_with_the_squared_euclidean_distance() -> None:
    x = _blobs()
    labels = np.array([0] * 20 + [1] * 20 + [2] * 25 + [3])  # cluster 3 holds one point
    expected = silhouette_score(x, labels, metric="sqeuclidean")
    assert silhouette(x, labels) == pytest.approx(expected, rel=1e-9)


def test_the_chosen_k_is_the_best_eligible_one() -> None:
    # Two large groups and a far, tight one of 2%: bisecting k-means splits it off at k = 3, which
    # scores best but is ineligible.
    rng = np.random.default_rng(2)
    x = np.vstack(
        [
            rng.normal(0, 0.5, size=(245, 3)),
            rng.normal(3, 0.5, size=(245, 3)),
            rng.normal([1.5, 1.5, 10.0], 0.1, size=(10, 3)),
        ]
    )
    settings = PipelineSettings(cluster_k_min=2, cluster_k_max=4, cluster_min_share=0.03)
    chosen, candidates, seconds = choose(x, settings)
    assert set(seconds) == set(CLUSTERING_METHODS)
    for method in CLUSTERING_METHODS:
        mine = [c for c in candidates if c.method == method]
        assert [c.k for c in mine] == [2, 3, 4]
        for c in mine:
            assert c.eligible == (c.smallest_share >= 0.03)
        best = chosen[method][1]
        assert best.eligible
        assert best.silhouette == max(c.silhouette for c in mine if c.eligible)
    bisecting = {c.k: c for c in candidates if c.method == "hierarchical"}
    assert chosen["hierarchical"][1].k == 2
    assert not bisecting[3].eligible
    assert bisecting[3].silhouette > bisecting[2].silhouette


def test_an_unknown_profile_method_is_refused_when_the_settings_load() -> None:
    with pytest.raises(ValueError, match="cluster_method must be one of kmeans, gmm, hierarchical"):
        PipelineSettings(cluster_method="gaussian_mixture")
