"""Identity resolution: link CRM, e-commerce, loyalty and support records into customers.

Two records belong to the same customer when they share a normalised email or phone, directly or
through a chain of other records (connected components of the bipartite record <-> contact-key
graph). Components are found in Spark by min-label propagation: every record starts with its own
label, and each round a record takes the smallest label among the records sharing any of its keys.
A round moves a label two hops, so a chain of n records settles in about n/2 rounds; the loop stops
at the first round that changes nothing. Nothing per record is collected to the driver.

Labels are `<source rank><source>:<id>` with ranks crm < ecommerce < loyalty < support, so the
smallest label of a component is its anchor: the smallest crm_id if the component has a CRM record,
else the smallest account_id, else member_id, else ticket_id (ids are zero-padded, so string order
is numeric order). `customer_id` = `C` + the first 12 hex digits of sha256(`<source>:<id>`) of the
anchor, so it is stable across runs and input order as long as the anchor record exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from c360_spark_processing.settings import PipelineSettings

SOURCE_RANKS: dict[str, int] = {"crm": 0, "ecommerce": 1, "loyalty": 2, "support": 3}


class IdentityNotConvergedError(RuntimeError):
    """Raised when label propagation still changes labels after max_identity_iterations rounds."""


@dataclass(frozen=True)
class IdentityResult:
    """crosswalk: source, source_record_id, customer_id — one row per loaded record."""

    crosswalk: DataFrame
    iterations: int


def customer_id_for(anchor: Column) -> Column:
    """The customer id of a component anchored at record `anchor` (`<source>:<id>`)."""
    return F.concat(F.lit("C"), F.substring(F.sha2(anchor, 256), 1, 12))


def _records(frame: DataFrame, source: str, id_column: str, phone: bool = True) -> DataFrame:
    return frame.select(
        F.lit(source).alias("source"),
        F.col(id_column).alias("source_record_id"),
        F.concat(F.lit(f"{SOURCE_RANKS[source]}{source}:"), F.col(id_column)).alias("node"),
        F.concat(F.lit("e:"), F.col("email")).alias("email_key"),
        (F.concat(F.lit("p:"), F.col("phone")) if phone else F.lit(None).cast("string")).alias(
            "phone_key"
        ),
    )


def _key_labels(edges: DataFrame, labels: DataFrame) -> DataFrame:
    """The smallest and largest label among the nodes sharing each key."""
    return (
        edges.join(labels, "node")
        .groupBy("key")
        .agg(F.min("label").alias("key_label"), F.max("label").alias("key_max"))
    )


def _propagate(edges: DataFrame, by_key: DataFrame, labels: DataFrame) -> DataFrame:
    """One round: each node takes the smallest label among nodes sharing one of its keys."""
    best = edges.join(by_key, "key").groupBy("node").agg(F.min("key_label").alias("best"))
    new_label = F.least(F.col("label"), F.coalesce(F.col("best"), F.col("label")))
    return labels.join(best, "node", "left").select("node", new_label.alias("label"))


def resolve_identities(
    crm: DataFrame,
    accounts: DataFrame,
    members: DataFrame,
    tickets: DataFrame,
    settings: PipelineSettings,
) -> IdentityResult:
    """Crosswalk of every loaded crm/ecommerce/loyalty/support record to its customer_id."""
    records = (
        _records(crm, "crm", "crm_id")
        .unionByName(_records(accounts, "ecommerce", "account_id"))
        .unionByName(_records(members, "loyalty", "member_id"))
        .unionByName(_records(tickets, "support", "ticket_id", phone=False))
        .localCheckpoint()
    )
    edges = (
        records.select("node", F.explode(F.array("email_key", "phone_key")).alias("key"))
        .where(F.col("key").isNotNull())
        .distinct()
        .localCheckpoint()
    )
    labels = records.select("node", F.col("node").alias("label"))
    iterations = 0
    while True:
        # Checkpointing cuts the lineage, so round n's plan does not contain rounds 1..n-1.
        by_key = _key_labels(edges, labels).localCheckpoint()
        iterations += 1
        # A round changes no label exactly when every key's nodes already share one, so the
        # last round stops after its first half instead of recomputing every label unchanged.
        if by_key.filter(F.col("key_label") != F.col("key_max")).isEmpty():
            break
        if iterations == settings.max_identity_iterations:
            raise IdentityNotConvergedError(f"labels still changing after {iterations} iterations")
        labels = _propagate(edges, by_key, labels).localCheckpoint()
    anchor = F.expr("substring(label, 2)")  # drop the rank digit
    crosswalk = records.join(labels, "node").select(
        "source", "source_record_id", customer_id_for(anchor).alias("customer_id")
    )
    return IdentityResult(crosswalk=crosswalk, iterations=iterations)
