"""Customer clusters: k-means, Gaussian mixture and hierarchical (bisecting k-means) on log RFM.

Buyers are described by log(1 + recency_days), log(1 + frequency) and log(1 + monetary), each
divided by its standard deviation over the sample (the logs tame the long tails; the scaling gives
each the same weight). Each method
is fitted on a seeded sample of at most `cluster_sample_size` buyers for every k in
cluster_k_min..cluster_k_max, and the k with the best silhouette is kept among the k whose every
cluster holds at least `cluster_min_share` of the sample (a tiny cluster is no segment to act on).
The silhouette is Spark's ClusteringEvaluator with the squared Euclidean distance (its default).

Each cluster is named after the RFM segment of its centroid (mean recency, frequency and monetary
of its buyers, scored with the same thresholds and grid as rfm_segment), with that segment's action.
Clusters are numbered in the order of their labels (then by monetary, highest first), so an id
means the same segment from run to run, whatever order the fit found them in.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from pyspark.ml import Estimator, Model
from pyspark.ml.clustering import BisectingKMeans, GaussianMixture, KMeans
from pyspark.ml.evaluation import ClusteringEvaluator
from pyspark.ml.feature import StandardScaler, StandardScalerModel, VectorAssembler
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

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

ESTIMATORS: dict[str, type[KMeans] | type[GaussianMixture] | type[BisectingKMeans]] = {
    "kmeans": KMeans,
    "gmm": GaussianMixture,
    "hierarchical": BisectingKMeans,  # divisive hierarchical clustering
}
"""The Spark ML estimator of each of CLUSTERING_METHODS."""
RFM: tuple[str, ...] = ("recency_days", "frequency", "monetary")
DISTANCE = "squaredEuclidean"
MAX_ITERATIONS = 20
SCATTER_POINTS = 1000
"""Sampled buyers per method published for a scatter chart."""
MIN_BUYERS_PER_CLUSTER = 10
FIT_THREADS = 4


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


def with_features(buyers: DataFrame) -> DataFrame:
    """Adds `_logs`, the vector of log(1 + value) of recency, frequency and monetary."""
    logs = buyers
    for name in RFM:
        logs = logs.withColumn(f"_log_{name}", F.log1p(F.greatest(F.col(name), F.lit(0.0))))
    return VectorAssembler(inputCols=[f"_log_{n}" for n in RFM], outputCol="_logs").transform(logs)


def sample_buyers(buyers: DataFrame, settings: PipelineSettings) -> DataFrame:
    """At most cluster_sample_size buyers, chosen by a seeded hash of their id (reproducible)."""
    order = F.xxhash64(F.lit(settings.cluster_seed), F.col("customer_id"))
    return buyers.orderBy(order).limit(settings.cluster_sample_size)


def estimator(method: str, k: int, seed: int) -> Estimator[Any]:
    """The Spark ML clustering estimator of a method, reading `features`, writing `prediction`."""
    return ESTIMATORS[method](k=k, seed=seed, maxIter=MAX_ITERATIONS, featuresCol="features")


@dataclass(frozen=True)
class Candidate:
    method: str
    k: int
    silhouette: float
    smallest_share: float
    eligible: bool


def _cluster_sizes(model: Model) -> list[int]:
    """Training-set cluster sizes from the model's summary (no extra Spark job)."""
    return [int(s) for s in model.summary.clusterSizes]  # type: ignore[attr-defined]


def fit_candidate(
    sample: DataFrame, method: str, k: int, settings: PipelineSettings
) -> tuple[Model, Candidate]:
    """One method at one k: its model, silhouette and smallest cluster's share of the sample."""
    model = estimator(method, k, settings.cluster_seed).fit(sample)
    sizes = _cluster_sizes(model)
    smallest = min(sizes) / max(sum(sizes), 1)
    evaluator = ClusteringEvaluator(featuresCol="features", distanceMeasure=DISTANCE)
    # A fit that put everyone in one cluster has no silhouette: it ranks last and is ineligible.
    found = sum(1 for size in sizes if size > 0)
    silhouette = float(evaluator.evaluate(model.transform(sample))) if found > 1 else -1.0
    eligible = found == k and smallest >= settings.cluster_min_share
    return model, Candidate(method, k, silhouette, smallest, eligible)


def choose(
    sample: DataFrame, settings: PipelineSettings
) -> tuple[dict[str, tuple[Model, Candidate]], list[Candidate]]:
    """Fit every method at every k; per method keep the best silhouette among eligible k (the
    best of all when none is eligible).

    The 21 small fits are run from a few driver threads at once: on a sample this size each
    Spark job is mostly scheduling latency, which concurrent jobs overlap.
    """
    grid = [
        (m, k)
        for m in CLUSTERING_METHODS
        for k in range(settings.cluster_k_min, settings.cluster_k_max + 1)
    ]
    with ThreadPoolExecutor(max_workers=FIT_THREADS) as pool:
        fitted = list(pool.map(lambda mk: fit_candidate(sample, mk[0], mk[1], settings), grid))
    chosen = {}
    for method in CLUSTERING_METHODS:
        mine = [f for f in fitted if f[1].method == method]
        pool_ = [f for f in mine if f[1].eligible] or mine
        chosen[method] = max(pool_, key=lambda f: f[1].silhouette)
    return chosen, [f[1] for f in fitted]


@dataclass(frozen=True)
class Clustering:
    """Assignments of every buyer, the clusters' summary and the selection of k, per method."""

    assignments: DataFrame
    """customer_id, method, cluster, label."""
    summary: list[tuple[Any, ...]]
    candidates: list[Candidate]
    points: DataFrame
    manifest: dict[str, Any]


def label_centroids(
    spark: SparkSession, centroids: list[tuple[Any, ...]], settings: PipelineSettings
) -> dict[tuple[str, int], tuple[str, str]]:
    """(method, raw cluster) -> (label, action): the RFM segment of the centroid and its action.

    The centroids are scored by the profile's own Column rules on a frame of a few rows.
    """
    frame = spark.createDataFrame(
        centroids, "method string, raw int, recency_days double, frequency double, monetary double"
    )
    r = recency_score(F.col("recency_days"), settings)
    fm = fm_score(
        frequency_score(F.col("frequency"), settings), monetary_score(F.col("monetary"), settings)
    )
    segment = rfm_segment(r, fm)
    rows = frame.select(
        "method", "raw", segment.alias("label"), rfm_action(segment).alias("action")
    ).collect()
    return {(row["method"], row["raw"]): (row["label"], row["action"]) for row in rows}


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
    sample = with_features(sample_buyers(buyers, settings))
    # Scaled, not centred: every method is blind to a shift, but Spark's bisecting k-means splits
    # a cluster by nudging its centre in proportion to the centre's norm, so it can never split
    # one centred on the origin.
    scaler: StandardScalerModel = StandardScaler(
        inputCol="_logs", outputCol="features", withMean=False, withStd=True
    ).fit(sample)
    sample = scaler.transform(sample).select("features").coalesce(1).cache()
    sampled = sample.count()
    if sampled < MIN_BUYERS_PER_CLUSTER * settings.cluster_k_max:
        sample.unpersist()
        return (
            f"{sampled} buyers: clustering needs at least {MIN_BUYERS_PER_CLUSTER} per cluster "
            f"for k up to {settings.cluster_k_max}"
        )
    best, candidates = choose(sample, settings)
    sample.unpersist()
    models = {m: model for m, (model, _) in best.items()}
    chosen = {m: candidate for m, (_, candidate) in best.items()}
    everyone = scaler.transform(with_features(buyers))
    raw = materialize(
        "model_cluster_raw",
        _union(
            [
                models[m]
                .transform(everyone)
                .select(
                    "customer_id",
                    F.lit(m).alias("method"),
                    F.col("prediction").alias("raw"),
                    *RFM,
                )
                for m in CLUSTERING_METHODS
            ]
        ),
    )
    stats = (
        raw.groupBy("method", "raw")
        .agg(F.count("*").alias("customers"), *[F.avg(c).alias(c) for c in RFM])
        .collect()
    )
    labels = label_centroids(
        spark, [(s["method"], s["raw"], *[float(s[c]) for c in RFM]) for s in stats], settings
    )
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
        "method string, raw int, cluster int, label string",
    )
    assignments = raw.join(F.broadcast(mapping), ["method", "raw"])
    scatter = buyers.orderBy(F.xxhash64(F.lit(settings.cluster_seed), F.col("customer_id")))
    points = assignments.join(scatter.limit(SCATTER_POINTS).select("customer_id"), "customer_id")
    manifest = {
        "distance": DISTANCE,
        "sample_customers": sampled,
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
