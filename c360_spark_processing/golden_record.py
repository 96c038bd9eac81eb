"""Golden record: one best-known view of each customer, by the survivorship rules of
`docs/metrics.md` ("Survivorship").

CRM is the system of record for who the customer is (name, birth date, gender, address, segment,
acquisition); contact details fall back through the other systems in a fixed order, most recent
record first; signup is the first time any system saw the customer.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

CRM_ATTRIBUTES: tuple[str, ...] = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "city",
    "state",
    "country",
    "postal_code",
    "acquisition_channel",
    "customer_segment",
)
GOLDEN_RECORD_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "first_name",
    "last_name",
    "customer_name",
    "email",
    "phone",
    "birth_date",
    "gender",
    "city",
    "state",
    "country",
    "postal_code",
    "signup_date",
    "acquisition_channel",
    "customer_segment",
    "email_source",
    "phone_source",
    "name_source",
    "address_source",
)
# Fallback order per contact attribute (lower wins), then the most recent record, then smallest id.
EMAIL_RANKS: dict[str, int] = {"crm": 0, "ecommerce": 1, "loyalty": 2, "support": 3}
PHONE_RANKS: dict[str, int] = {"crm": 0, "loyalty": 1, "ecommerce": 2}
NO_SEGMENT = "Unassigned"


def _linked(frame: DataFrame, crosswalk: DataFrame, source: str, id_column: str) -> DataFrame:
    ids = crosswalk.where(F.col("source") == source).select(
        F.col("source_record_id").alias(id_column), "customer_id"
    )
    return frame.join(ids, id_column)


def _candidates(
    frame: DataFrame,
    source: str,
    id_column: str,
    seen_at: Column,
    signup: Column | None,
    phone: bool = True,
) -> DataFrame:
    """One row per record: its contacts, their ranks, its recency and its signup date."""
    phone_rank = PHONE_RANKS.get(source)
    return frame.select(
        "customer_id",
        F.lit(source).alias("source"),
        F.col(id_column).alias("record_id"),
        # negated so that min() prefers the most recent record
        (-seen_at.cast("long")).alias("recency"),
        F.col("email"),
        F.lit(EMAIL_RANKS[source]).alias("email_rank"),
        (F.col("phone") if phone else F.lit(None).cast("string")).alias("phone"),
        F.lit(phone_rank).cast("int").alias("phone_rank"),
        (signup if signup is not None else F.lit(None).cast("date")).alias("signup"),
    )


def _winner(value: str, rank: str) -> Column:
    """(value, source) of the best non-null `value`: lowest rank, most recent, smallest id."""
    order = F.struct(F.col(rank), F.col("recency"), F.col("record_id"))
    return F.min_by(
        F.struct(F.col(value), F.col("source")), F.when(F.col(value).isNotNull(), order)
    )


def build_golden_record(
    crosswalk: DataFrame,
    crm: DataFrame,
    accounts: DataFrame,
    members: DataFrame,
    tickets: DataFrame | None = None,
) -> DataFrame:
    """One row per customer_id of the crosswalk with the golden_record columns of the data model.

    `tickets` (loaded support_tickets) is the last email fallback, for customers known only from
    support.
    """
    crm_x = _linked(crm, crosswalk, "crm", "crm_id")
    candidates = (
        _candidates(crm_x, "crm", "crm_id", F.unix_date("signup_date"), F.col("signup_date"))
        .unionByName(
            _candidates(
                _linked(accounts, crosswalk, "ecommerce", "account_id"),
                "ecommerce",
                "account_id",
                F.unix_micros("created_at"),
                F.to_date("created_at"),
            )
        )
        .unionByName(
            _candidates(
                _linked(members, crosswalk, "loyalty", "member_id"),
                "loyalty",
                "member_id",
                F.unix_date("enrolled_at"),
                F.col("enrolled_at"),
            )
        )
    )
    if tickets is not None:
        candidates = candidates.unionByName(
            _candidates(
                _linked(tickets, crosswalk, "support", "ticket_id"),
                "support",
                "ticket_id",
                F.unix_micros("created_at"),
                None,
                phone=False,
            )
        )
    contacts = candidates.groupBy("customer_id").agg(
        _winner("email", "email_rank").alias("e"),
        _winner("phone", "phone_rank").alias("p"),
        F.min("signup").alias("signup_date"),
    )
    # The CRM record that wins: most recently signed up, then smallest crm_id.
    best_crm = crm_x.groupBy("customer_id").agg(
        F.min_by(
            F.struct(*[F.col(c) for c in CRM_ATTRIBUTES]),
            F.struct(-F.unix_date("signup_date"), F.col("crm_id")),
        ).alias("c")
    )
    first, last = F.col("c.first_name"), F.col("c.last_name")
    has_name = first.isNotNull() | last.isNotNull()
    has_address = F.coalesce(F.col("c.city"), F.col("c.state"), F.col("c.postal_code")).isNotNull()
    return (
        crosswalk.select("customer_id")
        .distinct()
        .join(contacts, "customer_id", "left")
        .join(best_crm, "customer_id", "left")
        .select(
            "customer_id",
            first.alias("first_name"),
            last.alias("last_name"),
            F.when(has_name, F.concat_ws(" ", first, last)).alias("customer_name"),
            F.col("e.email").alias("email"),
            F.col("p.phone").alias("phone"),
            *[F.col(f"c.{c}").alias(c) for c in CRM_ATTRIBUTES[2:8]],
            "signup_date",
            F.col("c.acquisition_channel").alias("acquisition_channel"),
            F.coalesce(F.col("c.customer_segment"), F.lit(NO_SEGMENT)).alias("customer_segment"),
            F.col("e.source").alias("email_source"),
            F.col("p.source").alias("phone_source"),
            F.when(has_name, F.lit("crm")).alias("name_source"),
            F.when(has_address, F.lit("crm")).alias("address_source"),
        )
    )
