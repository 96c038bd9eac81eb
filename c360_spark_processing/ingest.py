"""Validate, cast and normalise every raw source into its loaded form (`docs/data_model.md` §1, §3).

Each row either loads or goes to quarantine with exactly one `reason`: the first rule it fails, in
this order (rules a source does not have are skipped):

1. `schema_mismatch` — the text row did not fit its schema (`_corrupt_record`), a numeric field does
   not parse, or a required numeric field (points, prices, stock, quantity, discount) is empty.
2. `missing_id` — the record id is empty.
3. `duplicate_record` (`duplicate_line` for order_lines) — the id was already seen among the rows
   that passed 1-2. The copy kept is the one whose raw values sort first, so the choice does not
   depend on file order or partitioning (for exact copies any copy is the same).
4. The source's own rules, in the order of the defects table:
   - crm_customers: invalid_signup_date, invalid_gender, invalid_acquisition_channel,
     invalid_customer_segment
   - ecommerce_accounts: invalid_created_at, invalid_platform
   - loyalty_members: invalid_enrolled_at, invalid_tier, no_contact
   - orders: missing_buyer, unknown_buyer, invalid_order_ts, unknown_store, invalid_channel,
     invalid_status, invalid_payment_method, invalid_traffic_source, invalid_fulfilment,
     invalid_scheduled_for, invalid_payment_status
   - order_lines: non_positive_quantity, unknown_product, orphan_line, invalid_discount
   - app_events: invalid_ts, invalid_event_type, invalid_platform
   - support_tickets: invalid_email, invalid_created_at, invalid_first_response_at,
     invalid_resolved_at, invalid_channel, invalid_category, invalid_priority, invalid_status,
     invalid_csat
   - postal_codes: invalid_postal_code, invalid_coordinates
   - stores, providers: invalid_coordinates
   - services: invalid_category, invalid_base_price, invalid_duration_minutes
   - order_status_events (one per order_id and status): invalid_ts, invalid_status, orphan_event
   - service_bookings: missing_buyer, unknown_buyer, invalid_booked_at, invalid_scheduled_for,
     unknown_service, unknown_provider, invalid_status, invalid_price, invalid_rating

Referential rules look at the *loaded* side: an order must reference loaded accounts/members and
a loaded store, a line a loaded order and a loaded product, a status event a loaded order, a
booking loaded buyers, a loaded service and a loaded provider, so a quarantined parent cascades
to its children.
Warnings (row kept, value nulled): invalid_email, invalid_phone, invalid_birth_date,
invalid_opened_at, invalid_joined_at — counted only for loaded rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from c360_contract.vocabulary import (
    ACCOUNT_PLATFORMS,
    ACQUISITION_CHANNELS,
    BOOKING_STATUSES,
    CHANNELS,
    CUSTOMER_SEGMENTS,
    EVENT_TYPES,
    FULFILMENT_TYPES,
    GENDERS,
    LOYALTY_TIERS,
    ORDER_EVENT_STATUSES,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    PAYMENT_STATUSES,
    SERVICE_CATEGORIES,
    TICKET_CATEGORIES,
    TICKET_CHANNELS,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    TRAFFIC_SOURCES,
)
from c360_spark_processing.normalize import clean_string, normalize_email, normalize_phone
from c360_spark_processing.schemas import CORRUPT_RECORD, LOADED_SCHEMAS

REASON = "reason"
_RAW = "__raw_"
_PRE_OK = "__pre_ok"
_DUPLICATE = "__duplicate"
_WARNINGS = "__warnings"
_TS_FORMATS = ("yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd HH:mm:ss")


class ReconciliationError(RuntimeError):
    """Raised when rows_read != rows_loaded + rows_quarantined: a row was lost or duplicated."""


@dataclass(frozen=True)
class IngestResult:
    """One source after ingest: the clean rows, the rejected rows and the nulled values."""

    loaded: DataFrame
    quarantine: DataFrame
    warnings: DataFrame


@dataclass(frozen=True)
class SourceCounts:
    """Row accounting of one source, as written to the manifest."""

    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Lookup:
    """Left-join flag: `flag` is true when `column` matches a key of `keys` (a unique-id frame)."""

    column: str
    keys: DataFrame
    flag: str


@dataclass(frozen=True)
class _Spec:
    id_column: str
    columns: dict[str, Column]
    required: tuple[str, ...] = ()
    parsed: tuple[str, ...] = ()
    rules: tuple[tuple[str, Column], ...] = ()
    warnings: tuple[str, ...] = ()
    lookups: tuple[_Lookup, ...] = ()
    duplicate_reason: str = "duplicate_record"
    key_columns: tuple[str, ...] = ()
    """The record's key when it is not `id_column` alone (a status event: order and status)."""

    @property
    def key(self) -> tuple[str, ...]:
        return self.key_columns or (self.id_column,)


def _raw(name: str) -> Column:
    return F.col(_RAW + name)


def _text(name: str) -> Column:
    return clean_string(_raw(name))


def _number(name: str, pattern: str, spark_type: str) -> Column:
    # A strict pattern first: a plain cast would also accept "NaN", "Infinity" or " 1e3".
    value = _text(name)
    return F.when(value.rlike(pattern), value.try_cast(spark_type))


def _int(name: str) -> Column:
    return _number(name, r"^-?[0-9]+$", "int")


def _double(name: str) -> Column:
    return _number(name, r"^-?[0-9]+(\.[0-9]+)?$", "double")


def _date(name: str) -> Column:
    value = _text(name)
    return F.when(value.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), F.try_to_date(value, "yyyy-MM-dd"))


def _timestamp(name: str) -> Column:
    value = _text(name)
    return F.coalesce(*[F.try_to_timestamp(value, F.lit(fmt)) for fmt in _TS_FORMATS])


def _unparsed(name: str) -> Column:
    """A value was given but did not survive parsing."""
    return _text(name).isNotNull() & F.col(name).isNull()


def _enum(name: str, values: tuple[str, ...], required: bool = True) -> tuple[str, Column]:
    value = F.col(name)
    return f"invalid_{name}", F.when(value.isNull(), F.lit(required)).otherwise(
        ~value.isin(*values)
    )


def _strings(*names: str) -> dict[str, Column]:
    return {name: _text(name) for name in names}


def _ids(frame: DataFrame, column: str) -> DataFrame:
    return frame.select(F.col(column).alias("__key"))


def _crm_spec() -> _Spec:
    return _Spec(
        id_column="crm_id",
        columns={
            **_strings("crm_id", "first_name", "last_name"),
            "email": normalize_email(_raw("email")),
            "phone": normalize_phone(_raw("phone")),
            "birth_date": _date("birth_date"),
            **_strings("gender", "city", "state", "country", "postal_code"),
            "signup_date": _date("signup_date"),
            **_strings("acquisition_channel", "customer_segment"),
        },
        rules=(
            ("invalid_signup_date", F.col("signup_date").isNull()),
            _enum("gender", GENDERS, required=False),
            _enum("acquisition_channel", ACQUISITION_CHANNELS, required=False),
            _enum("customer_segment", CUSTOMER_SEGMENTS, required=False),
        ),
        warnings=("email", "phone", "birth_date"),
    )


def _accounts_spec() -> _Spec:
    return _Spec(
        id_column="account_id",
        columns={
            "account_id": _text("account_id"),
            "email": normalize_email(_raw("email")),
            "phone": normalize_phone(_raw("phone")),
            "created_at": _timestamp("created_at"),
            "platform": _text("platform"),
        },
        rules=(
            ("invalid_created_at", F.col("created_at").isNull()),
            _enum("platform", ACCOUNT_PLATFORMS),
        ),
        warnings=("email", "phone"),
    )


def _members_spec() -> _Spec:
    return _Spec(
        id_column="member_id",
        columns={
            "member_id": _text("member_id"),
            "email": normalize_email(_raw("email")),
            "phone": normalize_phone(_raw("phone")),
            "tier": _text("tier"),
            "points_balance": _int("points_balance"),
            "lifetime_points": _int("lifetime_points"),
            "enrolled_at": _date("enrolled_at"),
        },
        required=("points_balance", "lifetime_points"),
        rules=(
            ("invalid_enrolled_at", F.col("enrolled_at").isNull()),
            _enum("tier", LOYALTY_TIERS),
            ("no_contact", F.col("email").isNull() & F.col("phone").isNull()),
        ),
        warnings=("email", "phone"),
    )


def _products_spec() -> _Spec:
    return _Spec(
        id_column="product_id",
        columns={
            **_strings("product_id", "name", "category", "subcategory", "brand"),
            "list_price": _double("list_price"),
            "unit_cost": _double("unit_cost"),
            "stock_on_hand": _int("stock_on_hand"),
            "reorder_point": _int("reorder_point"),
        },
        required=("list_price", "unit_cost", "stock_on_hand", "reorder_point"),
    )


def _buyer_rules() -> tuple[tuple[str, Column], ...]:
    """An order's or a booking's buyer: at least one id, and every id given a loaded record."""
    account, member = F.col("account_id"), F.col("member_id")
    return (
        ("missing_buyer", account.isNull() & member.isNull()),
        (
            "unknown_buyer",
            (account.isNotNull() & F.col("__account_ok").isNull())
            | (member.isNotNull() & F.col("__member_ok").isNull()),
        ),
    )


def _buyer_lookups(accounts: DataFrame, members: DataFrame) -> tuple[_Lookup, ...]:
    return (
        _Lookup("account_id", _ids(accounts, "account_id"), "__account_ok"),
        _Lookup("member_id", _ids(members, "member_id"), "__member_ok"),
    )


def _unknown(column: str, flag: str) -> tuple[str, Column]:
    """A reference that is missing or names no loaded record."""
    return f"unknown_{column.removesuffix('_id')}", F.col(column).isNull() | F.col(flag).isNull()


def _orders_spec(accounts: DataFrame, members: DataFrame, stores: DataFrame) -> _Spec:
    fulfilment, slot = F.col("fulfilment"), F.col("scheduled_for")
    return _Spec(
        id_column="order_id",
        columns={
            **_strings("order_id", "account_id", "member_id", "channel"),
            "order_ts": _raw("order_ts"),
            **_strings("status", "payment_method", "traffic_source", "ship_city", "ship_state"),
            **_strings("ship_postal_code", "store_id", "fulfilment"),
            "scheduled_for": _raw("scheduled_for"),
            "payment_status": _text("payment_status"),
        },
        rules=(
            *_buyer_rules(),
            ("invalid_order_ts", F.col("order_ts").isNull()),
            _unknown("store_id", "__store_ok"),
            _enum("channel", CHANNELS),
            _enum("status", ORDER_STATUSES),
            _enum("payment_method", PAYMENT_METHODS),
            _enum("traffic_source", TRAFFIC_SOURCES, required=False),
            _enum("fulfilment", FULFILMENT_TYPES),
            (
                "invalid_scheduled_for",
                (fulfilment == "scheduled") & slot.isNull()
                | (fulfilment == "immediate") & slot.isNotNull(),
            ),
            _enum("payment_status", PAYMENT_STATUSES),
        ),
        lookups=(
            *_buyer_lookups(accounts, members),
            _Lookup("store_id", _ids(stores, "store_id"), "__store_ok"),
        ),
    )


def _order_lines_spec(orders: DataFrame, products: DataFrame) -> _Spec:
    return _Spec(
        id_column="line_id",
        columns={
            **_strings("line_id", "order_id", "product_id"),
            "quantity": _raw("quantity"),
            "unit_price": _raw("unit_price"),
            "discount": _raw("discount"),
        },
        required=("quantity", "unit_price", "discount"),
        rules=(
            ("non_positive_quantity", F.col("quantity") <= 0),
            ("unknown_product", F.col("__product_ok").isNull()),
            ("orphan_line", F.col("__order_ok").isNull()),
            ("invalid_discount", F.col("discount") < 0),
        ),
        lookups=(
            _Lookup("product_id", _ids(products, "product_id"), "__product_ok"),
            _Lookup("order_id", _ids(orders, "order_id"), "__order_ok"),
        ),
        duplicate_reason="duplicate_line",
    )


def _events_spec() -> _Spec:
    return _Spec(
        id_column="event_id",
        columns={
            **_strings("event_id", "account_id", "session_id"),
            "ts": _timestamp("ts"),
            **_strings("platform", "event_type", "product_id", "traffic_source"),
        },
        rules=(
            ("invalid_ts", F.col("ts").isNull()),
            _enum("event_type", EVENT_TYPES),
            _enum("platform", ACCOUNT_PLATFORMS),
        ),
    )


def _tickets_spec() -> _Spec:
    csat = F.col("csat")
    return _Spec(
        id_column="ticket_id",
        columns={
            "ticket_id": _text("ticket_id"),
            "email": normalize_email(_raw("email")),
            "created_at": _timestamp("created_at"),
            "first_response_at": _timestamp("first_response_at"),
            "resolved_at": _timestamp("resolved_at"),
            **_strings("channel", "category", "priority", "status"),
            "csat": _int("csat"),
        },
        parsed=("csat",),
        rules=(
            ("invalid_email", F.col("email").isNull()),
            ("invalid_created_at", F.col("created_at").isNull()),
            ("invalid_first_response_at", _unparsed("first_response_at")),
            ("invalid_resolved_at", _unparsed("resolved_at")),
            _enum("channel", TICKET_CHANNELS),
            _enum("category", TICKET_CATEGORIES),
            _enum("priority", TICKET_PRIORITIES),
            _enum("status", TICKET_STATUSES),
            ("invalid_csat", (csat < 1) | (csat > 5)),
        ),
    )


def _bad_coordinates() -> Column:
    lat, lon = F.col("lat"), F.col("lon")
    return (lat < -90) | (lat > 90) | (lon < -180) | (lon > 180)


def _postal_codes_spec() -> _Spec:
    return _Spec(
        id_column="postal_code",
        columns={
            **_strings("postal_code", "city", "state"),
            "lat": _double("lat"),
            "lon": _double("lon"),
        },
        required=("lat", "lon"),
        rules=(
            ("invalid_postal_code", ~F.col("postal_code").rlike(r"^[0-9]{5}$")),
            ("invalid_coordinates", _bad_coordinates()),
        ),
    )


def _stores_spec() -> _Spec:
    return _Spec(
        id_column="store_id",
        columns={
            **_strings("store_id", "name", "city", "state", "postal_code"),
            "lat": _double("lat"),
            "lon": _double("lon"),
            "opened_at": _date("opened_at"),
        },
        required=("lat", "lon"),
        rules=(("invalid_coordinates", _bad_coordinates()),),
        warnings=("opened_at",),
    )


def _services_spec() -> _Spec:
    return _Spec(
        id_column="service_id",
        columns={
            **_strings("service_id", "name", "category"),
            "base_price": _double("base_price"),
            "duration_minutes": _int("duration_minutes"),
        },
        required=("base_price", "duration_minutes"),
        rules=(
            _enum("category", SERVICE_CATEGORIES),
            ("invalid_base_price", F.col("base_price") < 0),
            ("invalid_duration_minutes", F.col("duration_minutes") <= 0),
        ),
    )


def _providers_spec() -> _Spec:
    return _Spec(
        id_column="provider_id",
        columns={
            **_strings("provider_id", "name", "city", "state"),
            "lat": _double("lat"),
            "lon": _double("lon"),
            "joined_at": _date("joined_at"),
        },
        required=("lat", "lon"),
        rules=(("invalid_coordinates", _bad_coordinates()),),
        warnings=("joined_at",),
    )


def _status_events_spec(orders: DataFrame) -> _Spec:
    return _Spec(
        id_column="order_id",
        key_columns=("order_id", "status"),
        columns={**_strings("order_id", "status"), "ts": _raw("ts")},
        rules=(
            ("invalid_ts", F.col("ts").isNull()),
            _enum("status", ORDER_EVENT_STATUSES),
            ("orphan_event", F.col("__order_ok").isNull()),
        ),
        lookups=(_Lookup("order_id", _ids(orders, "order_id"), "__order_ok"),),
    )


def _bookings_spec(
    accounts: DataFrame, members: DataFrame, services: DataFrame, providers: DataFrame
) -> _Spec:
    rating = F.col("rating")
    return _Spec(
        id_column="booking_id",
        columns={
            **_strings("booking_id", "account_id", "member_id", "service_id", "provider_id"),
            "booked_at": _raw("booked_at"),
            "scheduled_for": _raw("scheduled_for"),
            "status": _text("status"),
            "price": _raw("price"),
            **_strings("city", "state", "postal_code"),
            "rating": _raw("rating"),
        },
        required=("price",),
        rules=(
            *_buyer_rules(),
            ("invalid_booked_at", F.col("booked_at").isNull()),
            ("invalid_scheduled_for", F.col("scheduled_for").isNull()),
            _unknown("service_id", "__service_ok"),
            _unknown("provider_id", "__provider_ok"),
            _enum("status", BOOKING_STATUSES),
            ("invalid_price", F.col("price") < 0),
            ("invalid_rating", (rating < 1) | (rating > 5)),
        ),
        lookups=(
            *_buyer_lookups(accounts, members),
            _Lookup("service_id", _ids(services, "service_id"), "__service_ok"),
            _Lookup("provider_id", _ids(providers, "provider_id"), "__provider_ok"),
        ),
    )


def _schema_mismatch(raw_columns: list[str], spec: _Spec) -> Column:
    broken = F.lit(False)
    if CORRUPT_RECORD in raw_columns:
        broken = _raw(CORRUPT_RECORD).isNotNull()
    for name in spec.required:
        broken = broken | F.col(name).isNull()
    for name in spec.parsed:
        broken = broken | _unparsed(name)
    return broken


def _validate(raw: DataFrame, spec: _Spec) -> DataFrame:
    """The `reason` of each row, with its raw (prefixed) or typed (loaded names) columns."""
    raw_columns = raw.columns
    work = raw.select(*[F.col(c).alias(_RAW + c) for c in raw_columns])
    work = work.select("*", *[expr.alias(name) for name, expr in spec.columns.items()])
    schema_mismatch = _schema_mismatch(raw_columns, spec)
    missing_id = F.lit(False)
    for name in spec.key:
        missing_id = missing_id | F.col(name).isNull()
    work = work.withColumn(_PRE_OK, ~schema_mismatch & ~missing_id)
    shared = [lookup.column for lookup in spec.lookups if lookup.column in spec.key]
    if shared:
        # Partitioned once on the key column a lookup joins on: the copy check's window and the
        # lookup's join then share one shuffle (a status event's order_id: 25M rows at 1M
        # customers) instead of one each.
        work = work.repartition(F.col(shared[0]))
    first_copy = Window.partitionBy(*spec.key, _PRE_OK).orderBy(
        *[_raw(c).asc_nulls_first() for c in raw_columns]
    )
    work = work.withColumn(_DUPLICATE, F.col(_PRE_OK) & (F.row_number().over(first_copy) > 1))
    for lookup in spec.lookups:
        keys = lookup.keys.select(
            F.col("__key").alias(lookup.flag + "_key"), F.lit(True).alias(lookup.flag)
        )
        work = work.join(keys, F.col(lookup.column) == F.col(lookup.flag + "_key"), "left")
    reason = (
        F.when(schema_mismatch, F.lit("schema_mismatch"))
        .when(missing_id, F.lit("missing_id"))
        .when(F.col(_DUPLICATE), F.lit(spec.duplicate_reason))
    )
    for name, failed in spec.rules:
        reason = reason.when(failed, F.lit(name))
    work = work.withColumn(REASON, reason)
    return _keep_needed(work, raw_columns, spec)


def _keep_needed(work: DataFrame, raw_columns: list[str], spec: _Spec) -> DataFrame:
    """Each row with what its outputs read, and nulls elsewhere: the raw text of a rejected row
    (its quarantine record), the typed values and warnings of a loaded one.

    Parquet stores a null in a bit, so the validated file is about half what both forms of every
    row would take (app_events' was 895 MB at 1M customers), and so is the time to write it."""
    rejected, loaded = F.col(REASON).isNotNull(), F.col(REASON).isNull()
    warnings = [F.when(_unparsed(c), F.lit(f"invalid_{c}")) for c in spec.warnings]
    return work.select(
        *[F.when(rejected, _raw(c)).alias(_RAW + c) for c in raw_columns],
        *[F.when(loaded, F.col(name)).alias(name) for name in spec.columns],
        F.when(loaded, F.array_compact(F.array(*warnings))).alias(_WARNINGS)
        if warnings
        else F.lit(None).cast("array<string>").alias(_WARNINGS),
        REASON,
    )


# Parents before children, so referential rules see the loaded parents.
INGEST_ORDER: tuple[str, ...] = (
    "crm_customers",
    "ecommerce_accounts",
    "loyalty_members",
    "products",
    "postal_codes",
    "stores",
    "services",
    "providers",
    "app_events",
    "support_tickets",
    "orders",
    "order_lines",
    "order_status_events",
    "service_bookings",
)


def _spec(source: str, loaded: Mapping[str, DataFrame]) -> _Spec:
    if source == "orders":
        return _orders_spec(
            loaded["ecommerce_accounts"], loaded["loyalty_members"], loaded["stores"]
        )
    if source == "order_lines":
        return _order_lines_spec(loaded["orders"], loaded["products"])
    if source == "order_status_events":
        return _status_events_spec(loaded["orders"])
    if source == "service_bookings":
        return _bookings_spec(
            loaded["ecommerce_accounts"],
            loaded["loyalty_members"],
            loaded["services"],
            loaded["providers"],
        )
    return {
        "crm_customers": _crm_spec,
        "ecommerce_accounts": _accounts_spec,
        "loyalty_members": _members_spec,
        "products": _products_spec,
        "app_events": _events_spec,
        "support_tickets": _tickets_spec,
        "postal_codes": _postal_codes_spec,
        "stores": _stores_spec,
        "services": _services_spec,
        "providers": _providers_spec,
    }[source]()


def validate_source(source: str, raw: DataFrame, loaded: Mapping[str, DataFrame]) -> DataFrame:
    """One row per raw row: the `reason` (null when it loads), the raw columns of a rejected row
    and the typed columns and warnings of a loaded one (`_keep_needed`).

    `loaded` holds the already loaded parents that referential rules check against. Everything
    else derives from this frame, so a caller on big data materialises it once (the pipeline
    writes it to Parquet) instead of re-parsing and re-validating the source for every output.
    """
    return _validate(raw, _spec(source, loaded))


def split_validated(
    source: str, validated: DataFrame, raw_columns: list[str], loaded: Mapping[str, DataFrame]
) -> IngestResult:
    """Loaded rows, quarantined rows (raw text + reason) and warnings of a validated source."""
    spec = _spec(source, loaded)
    kept = validated.filter(F.col(REASON).isNull())
    loaded_rows = kept.select(
        *[F.col(f.name).cast(f.dataType) for f in LOADED_SCHEMAS[source].fields]
    )
    quarantine = validated.filter(F.col(REASON).isNotNull()).select(
        *[_raw(c).cast("string").alias(c) for c in raw_columns], F.col(REASON)
    )
    record_id = F.col(spec.id_column).alias("record_id")
    if spec.warnings:
        warning = F.explode(F.col(_WARNINGS))
    else:
        kept, warning = kept.filter(F.lit(False)), F.lit(None).cast("string")
    return IngestResult(loaded_rows, quarantine, kept.select(record_id, warning.alias("warning")))


def ingest_sources(raw: Mapping[str, DataFrame]) -> dict[str, IngestResult]:
    """Every source's IngestResult, lazily (fine for small data; see `validate_source`)."""
    results: dict[str, IngestResult] = {}
    loaded: dict[str, DataFrame] = {}
    for source in INGEST_ORDER:
        validated = validate_source(source, raw[source], loaded)
        results[source] = split_validated(source, validated, raw[source].columns, loaded)
        loaded[source] = results[source].loaded
    return results


def _counts_by(frame: DataFrame, column: str) -> dict[str, int]:
    return {row[column]: int(row["count"]) for row in frame.groupBy(column).count().collect()}


def reconcile(read: DataFrame, result: IngestResult) -> SourceCounts:
    """Row accounting of one source; raises ReconciliationError when a row is unaccounted for.

    `read` is the raw frame or its validated form (one row per raw row), which a pipeline that
    wrote it to Parquet counts from the footers instead of parsing the source again.
    """
    rows_read = read.count()
    rows_loaded = result.loaded.count()
    reasons = _counts_by(result.quarantine, REASON)
    counts = SourceCounts(
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_quarantined=sum(reasons.values()),
        quarantine_reasons=reasons,
        warnings=_counts_by(result.warnings, "warning"),
    )
    if counts.rows_read != counts.rows_loaded + counts.rows_quarantined:
        raise ReconciliationError(
            f"rows_read={counts.rows_read} != rows_loaded={counts.rows_loaded}"
            f" + rows_quarantined={counts.rows_quarantined}"
        )
    return counts
