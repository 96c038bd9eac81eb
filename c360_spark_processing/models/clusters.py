"""Customer clusters: k-means, Gaussian mixture and hierarchical (bisecting k-means) on log RFM.

Buyers are described by log(1 + recency_days), log(1 + frequency) and log(1 + monetary), each
divided by its standard deviation over the sample (the logs tame the long tails; the scaling gives
each the same weight; not centred, as every method and the silhouette are blind to a shift).

The fits run on the driver with scikit-learn. A seeded sample of at most `cluster_sample_size`
buyers (three doubles each, bounded whatever the number of customers: not a per-customer collect)
is collected once, and each method is fitted for every k in cluster_k_min..cluster_k_max; the k
with the best silhouette is kept among the k whose every cluster holds at least
`cluster_min_share` of the sample (a tiny cluster is no segment to act on). On Spark ML the same
21 fits were 20-30 jobs each of pure scheduling latency; here they take a few seconds.

Every buyer is then assigned in Spark by Column expressions built from the fitted parameters:
the cluster c maximising offset_c - 1/2 (x - mean_c)' precision_c (x - mean_c). For the Gaussian
mixture that is its most probable component (offset = log weight + 1/2 log det precision, the
precision the inverse covariance); for k-means and bisecting k-means the precision is the identity
and the offset 0, so it is the nearest centroid (for bisecting k-means, the nearest leaf: not the
walk down the tree of scikit-learn's predict, which can differ near a boundary between branches).
The sample's labels, for the silhouette and the sizes, come from the same rule evaluated in numpy
operation for operation, so they agree with the Spark assignment.

Each cluster is named after the RFM segment of its centroid (mean recency, frequency and monetary
of its buyers, scored with the same thresholds and grid as rfm_segment), with that segment's action.
Clusters are numbered in the order of their labels (then by monetary, highest first), so an id
means the same segment from run to run, whatever order the fit found them in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType
from sklearn.cluster import BisectingKMeans, KMeans
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from c360_contract.vocabulary import CLUSTERING_METHODS
from c360_spark_processing.columns import days_since
from c360_spark_processing.facts import Materialize
from c360_spark_processing.scores.rfm import (
    fm_score,
    frequency_score,
    monetary_score,
    recency_score,
    rfm_action,
    rfm_segment,
)
from c360_spark_processing.settings import PipelineSettings

RFM: tuple[str, ...] = ("recency_days", "frequency", "monetary")
DISTANCE = "squaredEuclidean"
SCATTER_POINTS = 1000
"""Sampled buyers per method published for a scatter chart."""
MIN_BUYERS_PER_CLUSTER = 10
MAPPING_SCHEMA = StructType(
    [
        StructField("method", StringType()),
        StructField("raw", IntegerType()),
        StructField("cluster", IntegerType()),
        StructField("label", StringType()),
    ]
)
"""(method, raw cluster) -> cluster id and label; a StructType, as a DDL string costs Spark
Connect a round trip to parse."""

V = TypeVar("V", Column, np.ndarray)
"""A feature value: a Spark Column (every buyer) or a numpy array (the sample)."""


def _kmeans(k: int, seed: int) -> Any:
    return KMeans(n_clusters=k, random_state=seed)


def _gmm(k: int, seed: int) -> Any:
    return GaussianMixture(n_components=k, covariance_type="full", random_state=seed)


def _bisecting(k: int, seed: int) -> Any:
    return BisectingKMeans(n_clusters=k, random_state=seed)


ESTIMATORS: dict[str, Callable[[int, int], Any]] = {
    "kmeans": _kmeans,
    "gmm": _gmm,
    "hierarchical": _bisecting,  # divisive hierarchical clustering
}
"""The scikit-learn estimator of each of CLUSTERING_METHODS, from (k, seed)."""


def rfm_values(orders: DataFrame, as_of: date) -> DataFrame:
    """customer_id, recency_days, frequency, monetary of every buyer (completed orders to as-of)."""
    return (
        orders.filter(F.col("order_date") <= F.lit(as_of))
        .groupBy("customer_id")
        .agg(
            F.max("order_date").alias("_last"),
            F.count("*").alias("frequency"),
            F.sum("net_amount").alias("monetary"),
        )
        .select(
            "customer_id",
            days_since(F.col("_last"), as_of).alias("recency_days"),
            "frequency",
            "monetary",
        )
    )


def log_features() -> list[Column]:
    """log(1 + value) of recency, frequency and monetary, in RFM order."""
    return [F.log1p(F.greatest(F.col(name).cast("double"), F.lit(0.0))) for name in RFM]


def sample_buyers(buyers: DataFrame, settings: PipelineSettings) -> DataFrame:
    """At most cluster_sample_size buyers, chosen by a seeded hash of their id (reproducible)."""
    order = F.xxhash64(F.lit(settings.cluster_seed), F.col("customer_id"))
    return buyers.orderBy(order).limit(settings.cluster_sample_size)


@dataclass(frozen=True)
class Fitted:
    """A fitted method as the assignment rule needs it: cluster c of features x maximises
    offsets[c] - 1/2 (x - means[c])' precisions[c] (x - means[c])."""

    means: np.ndarray
    """k x 3 (the centroids of k-means and bisecting k-means)."""
    precisions: np.ndarray
    """k x 3 x 3 (the identity but for the Gaussian mixture)."""
    offsets: np.ndarray
    """k (0 but for the Gaussian mixture)."""

    @staticmethod
    def centroids(centers: np.ndarray) -> Fitted:
        """Nearest centroid: identity precisions, no offsets."""
        k, dims = centers.shape
        return Fitted(centers, np.broadcast_to(np.eye(dims), (k, dims, dims)), np.zeros(k))

    @staticmethod
    def mixture(model: Any) -> Fitted:
        """Most probable component of a full-covariance GaussianMixture (the constant -d/2 log 2pi
        of every log density drops out of the comparison)."""
        cholesky = model.precisions_cholesky_  # precision = L L'
        precisions = np.einsum("kij,klj->kil", cholesky, cholesky)
        log_det = 2 * np.log(np.diagonal(cholesky, axis1=1, axis2=2)).sum(axis=1)
        return Fitted(model.means_, precisions, np.log(model.weights_) + log_det / 2)

    def scores(self, x: Sequence[V]) -> list[V]:
        """Each cluster's score of features x, written out term by term so that Spark and numpy
        compute the same doubles in the same order."""
        out = []
        for mean, precision, offset in zip(self.means, self.precisions, self.offsets, strict=True):
            d = [x[i] - float(mean[i]) for i in range(len(x))]
            quadratic = d[0] * d[0] * float(precision[0, 0])
            for i in range(len(d)):
                for j in range(i, len(d)):
                    if (i, j) != (0, 0) and precision[i, j] != 0:
                        weight = float(precision[i, j]) * (1 if i == j else 2)
                        quadratic = quadratic + d[i] * d[j] * weight
            out.append(quadratic * -0.5 + float(offset))
        return out

    def column(self, x: list[Column]) -> Column:
        """The cluster of every row, in Spark: the highest score, ties to the lowest cluster."""
        best = F.greatest(
            *[F.struct(s.alias("s"), F.lit(-c).alias("c")) for c, s in enumerate(self.scores(x))]
        )
        return (-best.getField("c")).cast("int")

    def labels(self, x: np.ndarray) -> np.ndarray:
        """The cluster of every row of an n x 3 array, by the same rule as `column`."""
        scores = np.stack(self.scores([x[:, i] for i in range(x.shape[1])]))
        labels: np.ndarray = np.argmax(scores, axis=0)
        return labels


def fit(method: str, k: int, features: np.ndarray, seed: int) -> Fitted:
    """One method fitted at one k on the scaled sample."""
    model = ESTIMATORS[method](k, seed).fit(features)
    if method == "gmm":
        return Fitted.mixture(model)
    return Fitted.centroids(model.cluster_centers_)


def silhouette(features: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with the squared Euclidean distance (Spark's ClusteringEvaluator default,
    and sklearn.metrics.silhouette_score(metric="sqeuclidean")): a = mean distance to the other
    members of one's cluster, b = the smallest mean distance to another cluster's members,
    (b - a) / max(a, b), 0 for a cluster of one.

    Computed as Spark does, from each cluster's count, sum and sum of squared norms (O(n k)), as
    the pairwise form took about 10 s per fit on 10,000 buyers.
    """
    present, own = np.unique(labels, return_inverse=True)
    if len(present) < 2:
        return -1.0
    counts = np.bincount(own).astype(float)
    sums = np.stack([features[own == c].sum(axis=0) for c in range(len(present))])
    norms = (features**2).sum(axis=1)
    squares = np.bincount(own, weights=norms)
    mean_distance = norms[:, None] + squares / counts - 2 * features @ (sums / counts[:, None]).T
    rows = np.arange(len(features))
    size = counts[own]
    alone = size == 1
    a = mean_distance[rows, own] * size / np.where(alone, 1, size - 1)
    mean_distance[rows, own] = np.inf
    b = mean_distance.min(axis=1)
    s = np.where(alone, 0.0, (b - a) / np.maximum(np.maximum(a, b), np.finfo(float).tiny))
    return float(s.mean())


@dataclass(frozen=True)
class Candidate:
    method: str
    k: int
    silhouette: float
    smallest_share: float
    eligible: bool


def fit_candidate(
    features: np.ndarray, method: str, k: int, settings: PipelineSettings
) -> tuple[Fitted, Candidate]:
    """One method at one k: its parameters, silhouette and smallest cluster's share of the sample."""
    fitted = fit(method, k, features, settings.cluster_seed)
    labels = fitted.labels(features)
    sizes = np.bincount(labels, minlength=k)
    smallest = float(sizes.min() / max(len(features), 1))
    # A fit that put everyone in one cluster has no silhouette: it ranks last and is ineligible.
    found = int((sizes > 0).sum())
    score = silhouette(features, labels) if found > 1 else -1.0
    eligible = found == k and smallest >= settings.cluster_min_share
    return fitted, Candidate(method, k, score, smallest, eligible)


def choose(
    features: np.ndarray, settings: PipelineSettings
) -> tuple[dict[str, tuple[Fitted, Candidate]], list[Candidate], dict[str, float]]:
    """Fit every method at every k; per method keep the best silhouette among eligible k (the
    best of all when none is eligible). Also each method's seconds.

    One BLAS/OpenMP thread: on a sample this small, threads only contend with Spark's for the
    cores (a 7-fit grid took seconds instead of a tenth of one on a loaded machine).
    """
    chosen: dict[str, tuple[Fitted, Candidate]] = {}
    candidates: list[Candidate] = []
    seconds: dict[str, float] = {}
    with threadpool_limits(limits=1):
        for method in CLUSTERING_METHODS:
            started = time.perf_counter()
            mine = [
                fit_candidate(features, method, k, settings)
                for k in range(settings.cluster_k_min, settings.cluster_k_max + 1)
            ]
            seconds[method] = round(time.perf_counter() - started, 3)
            pool = [f for f in mine if f[1].eligible] or mine
            chosen[method] = max(pool, key=lambda f: f[1].silhouette)
            candidates.extend(f[1] for f in mine)
    return chosen, candidates, seconds


@dataclass(frozen=True)
class Clustering:
    """Assignments of every buyer, the clusters' summary and the selection of k, per method."""

    assignments: DataFrame
    """customer_id, method, cluster, label."""
    summary: list[tuple[Any, ...]]
    candidates: list[Candidate]
    points: DataFrame
    manifest: dict[str, Any]


def with_labels(centroids: DataFrame, settings: PipelineSettings) -> DataFrame:
    """Adds `label` and `action`: the RFM segment of each row's recency_days, frequency and
    monetary (a cluster's centroid) by the profile's own Column rules, and that segment's action."""
    r = recency_score(F.col("recency_days"), settings)
    fm = fm_score(
        frequency_score(F.col("frequency"), settings), monetary_score(F.col("monetary"), settings)
    )
    segment = rfm_segment(r, fm)
    return centroids.withColumns({"label": segment, "action": rfm_action(segment)})


def cluster_buyers(
    spark: SparkSession,
    orders: DataFrame,
    as_of: date,
    settings: PipelineSettings,
    materialize: Materialize,
) -> Clustering | str:
    """Fit the three methods on the sample, assign every buyer, label and order the clusters.

    Returns why not instead when there are too few buyers to try every k.
    """
    buyers = materialize("model_cluster_buyers", rfm_values(orders, as_of))
    logs = np.array(
        sample_buyers(buyers, settings).select(*log_features()).collect(), dtype=float
    ).reshape(-1, len(RFM))
    sampled = len(logs)
    if sampled < MIN_BUYERS_PER_CLUSTER * settings.cluster_k_max:
        return (
            f"{sampled} buyers: clustering needs at least {MIN_BUYERS_PER_CLUSTER} per cluster "
            f"for k up to {settings.cluster_k_max}"
        )
    spread = logs.std(axis=0, ddof=1)
    scale = np.where(spread > 0, spread, 1.0)
    best, candidates, fit_seconds = choose(logs / scale, settings)
    features = [log / float(s) for log, s in zip(log_features(), scale, strict=True)]
    raw = materialize(
        "model_cluster_raw",
        _union(
            [
                buyers.select(
                    "customer_id",
                    F.lit(m).alias("method"),
                    best[m][0].column(features).alias("raw"),
                    *RFM,
                )
                for m in CLUSTERING_METHODS
            ]
        ),
    )
    chosen = {m: candidate for m, (_, candidate) in best.items()}
    # The centroids and their labels in one round trip.
    stats = with_labels(
        raw.groupBy("method", "raw").agg(
            F.count("*").alias("customers"), *[F.avg(c).alias(c) for c in RFM]
        ),
        settings,
    ).collect()
    labels = {(s["method"], s["raw"]): (s["label"], s["action"]) for s in stats}
    numbering: dict[tuple[str, int], int] = {}
    summary: list[tuple[Any, ...]] = []
    for method in CLUSTERING_METHODS:
        mine = sorted(
            (s for s in stats if s["method"] == method),
            key=lambda s: (labels[(method, s["raw"])][0], -s["monetary"]),
        )
        total = sum(s["customers"] for s in mine)
        for cluster, s in enumerate(mine):
            numbering[(method, s["raw"])] = cluster
            summary.append(
                (
                    method,
                    cluster,
                    int(s["customers"]),
                    round(100 * s["customers"] / total, 2),
                    *[float(s[c]) for c in RFM],
                    *labels[(method, s["raw"])],
                    chosen[method].silhouette,
                )
            )
    mapping = spark.createDataFrame(
        [
            (m, raw_id, cluster, labels[(m, raw_id)][0])
            for (m, raw_id), cluster in numbering.items()
        ],
        MAPPING_SCHEMA,
    )
    assignments = raw.join(F.broadcast(mapping), ["method", "raw"])
    scatter = buyers.orderBy(F.xxhash64(F.lit(settings.cluster_seed), F.col("customer_id")))
    points = assignments.join(scatter.limit(SCATTER_POINTS).select("customer_id"), "customer_id")
    manifest = {
        "distance": DISTANCE,
        "sample_customers": sampled,
        "fit_seconds": fit_seconds,
        "chosen": {
            m: {"k": c.k, "silhouette": c.silhouette, "eligible": c.eligible}
            for m, c in chosen.items()
        },
    }
    return Clustering(
        assignments=assignments.select("customer_id", "method", "cluster", "label"),
        summary=summary,
        candidates=candidates,
        points=points.select("method", "cluster", "label", *RFM),
        manifest=manifest,
    )


def _union(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out
