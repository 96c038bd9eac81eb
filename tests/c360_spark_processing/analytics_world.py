"""A tiny hand-made world (4 customers) for the facts, profile and marts tests.

C1 buys online, in store (member card) and via app (refunded); C2 bought once long ago and has an
open ticket; C3 is a prospect; C4 is a new store buyer with two loyalty cards. Records dated
after AS_OF must be ignored.

Operations: stores ST1 (at postal code 73302, 0.1 degree of latitude north of 73301: 11.119 km)
and ST2 (1 degree north: 111.195 km); O1 is a scheduled order shipped from ST2 and delivered an
hour into its slot, O3 an immediate one shipped from ST1 and delivered 73 h after it was placed
(one hour past the 72 h promise), then refunded; O5 has no history; store orders are placed, paid
and delivered at once at ST1. Bookings: C1 one completed and rated (and one after as-of), C4 one
cancelled without rating, C2 one no-show; provider PR1 sits at 73301.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime

from pyspark.sql import DataFrame, SparkSession

from c360_spark_processing.facts import Facts, build_facts
from c360_spark_processing.profile import build_customer_profile
from c360_spark_processing.settings import PipelineSettings

AS_OF = date(2025, 12, 31)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def world(spark: SparkSession) -> dict[str, DataFrame]:
    """The loaded sources (section 3 columns) plus `crosswalk` and `golden`."""
    frames: dict[str, DataFrame] = {}
    frames["products"] = spark.createDataFrame(
        [
            ("P1", "Mug", "Alpha", "a", "b", 12.0, 4.0, 50, 10),
            ("P2", "Lamp", "Beta", "a", "b", 60.0, 10.0, 5, 10),
            ("P3", "Soap", "Gamma", "a", "b", 2.0, 1.0, 1, 3),
        ],
        "product_id string, name string, category string, subcategory string, brand string, "
        "list_price double, unit_cost double, stock_on_hand int, reorder_point int",
    )
    frames["orders"] = spark.createDataFrame(
        [
            ("O1", "ACC1", "LOY1", "online", _ts("2025-12-01 10:00:00"), "completed"),
            ("O2", None, "LOY1", "store", _ts("2025-06-15 09:00:00"), "completed"),
            ("O3", "ACC1", None, "app", _ts("2025-11-01 08:00:00"), "refunded"),
            ("O4", "ACC2", None, "app", _ts("2025-12-20 08:00:00"), "cancelled"),
            ("O5", "ACC2", None, "app", _ts("2024-12-01 23:59:59"), "completed"),
            ("O6", None, "LOY2", "store", _ts("2025-12-15 12:00:00"), "completed"),
            ("O7", "ACC1", None, "online", _ts("2026-01-05 12:00:00"), "completed"),
            ("O8", None, "LOY3", "store", _ts("2025-10-01 12:00:00"), "payment_failed"),
        ],
        "order_id string, account_id string, member_id string, channel string, "
        "order_ts timestamp, status string",
    ).selectExpr(
        "*", "'card' AS payment_method", "CAST(NULL AS string) AS traffic_source",
        "CAST(NULL AS string) AS ship_city", "CAST(NULL AS string) AS ship_state",
    ).join(
        spark.createDataFrame(
            [
                ("O1", "73301", "ST2", "scheduled", _ts("2025-12-03 15:00:00"), "captured"),
                ("O2", None, "ST1", "immediate", None, "captured"),
                ("O3", "73301", "ST1", "immediate", None, "refunded"),
                ("O4", "73301", "ST1", "immediate", None, "refunded"),
                ("O5", "73301", "ST1", "immediate", None, "captured"),
                ("O6", None, "ST1", "immediate", None, "captured"),
                ("O7", "73301", "ST1", "immediate", None, "captured"),
                ("O8", None, "ST1", "immediate", None, "failed"),
            ],
            "order_id string, ship_postal_code string, store_id string, fulfilment string, "
            "scheduled_for timestamp, payment_status string",
        ),
        "order_id",
    )  # fmt: skip
    frames["order_lines"] = spark.createDataFrame(
        [
            ("L1", "O1", "P1", 2, 10.0, 1.0),
            ("L2", "O1", "P2", 1, 50.0, 0.0),
            ("L3", "O2", "P1", 1, 10.0, 0.0),
            ("L4", "O3", "P2", 1, 50.0, 0.0),
            ("L5", "O4", "P1", 1, 10.0, 0.0),
            ("L6", "O5", "P2", 2, 45.0, 5.0),
            ("L7", "O6", "P1", 3, 10.0, 0.0),
            ("L8", "O7", "P1", 1, 10.0, 0.0),
            ("L9", "O8", "P2", 1, 50.0, 0.0),
        ],
        "line_id string, order_id string, product_id string, quantity int, unit_price double, "
        "discount double",
    )
    frames["app_events"] = spark.createDataFrame(
        [
            ("E1", "ACC1", "S1", _ts("2025-12-30 10:00:00"), "ios", "session_start", None),
            ("E2", "ACC1", "S1", _ts("2025-12-30 10:01:00"), "ios", "product_view", "P1"),
            ("E3", "ACC1", "S1", _ts("2025-12-30 10:02:00"), "ios", "add_to_cart", "P1"),
            ("E4", "ACC1", "S1", _ts("2025-12-30 10:03:00"), "ios", "purchase", None),
            ("E5", "ACC1", "S2", _ts("2025-09-01 10:00:00"), "web", "session_start", None),
            ("E6", "ACC1", "S2", _ts("2025-09-01 10:05:00"), "web", "product_view", "P2"),
            ("E6b", "ACC1", "S2", _ts("2025-09-01 10:06:00"), "web", "product_view", "P2"),
            ("E7", "ACC1", "S3", _ts("2026-01-02 10:00:00"), "web", "session_start", None),
            ("E8", "ACC1", "S3", _ts("2026-01-02 10:01:00"), "web", "product_view", "P1"),
        ],
        "event_id string, account_id string, session_id string, ts timestamp, platform string, "
        "event_type string, product_id string",
    ).selectExpr("*", "CAST(NULL AS string) AS traffic_source")
    frames["support_tickets"] = spark.createDataFrame(
        [
            (
                "T1",
                "a@x.com",
                _ts("2025-12-10 10:00:00"),
                _ts("2025-12-10 12:30:00"),
                _ts("2025-12-11 10:00:00"),
                "email",
                "delivery",
                "low",
                "resolved",
                4,
            ),
            (
                "T2",
                "b@x.com",
                _ts("2025-12-30 10:00:00"),
                None,
                None,
                "chat",
                "delivery",
                "high",
                "open",
                None,
            ),
            (
                "T3",
                "a@x.com",
                _ts("2024-11-01 10:00:00"),
                _ts("2024-11-01 11:00:00"),
                None,
                "phone",
                "billing",
                "low",
                "closed",
                1,
            ),
            (
                "T4",
                "a@x.com",
                _ts("2026-01-01 10:00:00"),
                None,
                None,
                "phone",
                "billing",
                "low",
                "open",
                None,
            ),
        ],
        "ticket_id string, email string, created_at timestamp, first_response_at timestamp, "
        "resolved_at timestamp, channel string, category string, priority string, status string, "
        "csat int",
    )
    frames["loyalty_members"] = spark.createDataFrame(
        [
            ("LOY1", "a@x.com", None, "Silver", 100, 900, date(2024, 1, 1)),
            ("LOY2", None, "+15550000004", "Platinum", 50, 5000, date(2020, 1, 1)),
            ("LOY3", None, "+15550000004", "Bronze", 7, 7, date(2023, 1, 1)),
        ],
        "member_id string, email string, phone string, tier string, points_balance int, "
        "lifetime_points int, enrolled_at date",
    )
    frames["postal_codes"] = spark.createDataFrame(
        [
            ("73301", "Austin", "TX", 30.0, -97.0),
            ("73302", "Austin", "TX", 30.1, -97.0),
            ("73303", "Waco", "TX", 31.0, -97.0),
        ],
        "postal_code string, city string, state string, lat double, lon double",
    )
    frames["stores"] = spark.createDataFrame(
        [
            ("ST1", "C360 Austin", "Austin", "TX", "73302", 30.1, -97.0, date(2020, 1, 1)),
            ("ST2", "C360 Waco", "Waco", "TX", "73303", 31.0, -97.0, None),
        ],
        "store_id string, name string, city string, state string, postal_code string, "
        "lat double, lon double, opened_at date",
    )
    frames["services"] = spark.createDataFrame(
        [
            ("SV1", "Appliance Installation", "Installation", 159.0, 240),
            ("SV2", "Desk Assembly", "Assembly", 95.0, 60),
        ],
        "service_id string, name string, category string, base_price double, duration_minutes int",
    )
    frames["providers"] = spark.createDataFrame(
        [("PR1", "Lee Services", "Austin", "TX", 30.0, -97.0, date(2021, 1, 1))],
        "provider_id string, name string, city string, state string, lat double, lon double, "
        "joined_at date",
    )
    events = {
        "O1": [
            ("placed", "2025-12-01 10:00:00"), ("paid", "2025-12-01 10:05:00"),
            ("packed", "2025-12-02 09:00:00"), ("shipped", "2025-12-02 12:00:00"),
            ("delivered", "2025-12-03 16:00:00"), ("refunded", "2026-01-03 10:00:00"),
        ],
        "O2": [("placed", "2025-06-15 09:00:00"), ("paid", "2025-06-15 09:00:00"),
               ("delivered", "2025-06-15 09:00:00")],
        "O3": [
            ("placed", "2025-11-01 08:00:00"), ("paid", "2025-11-01 08:01:00"),
            ("packed", "2025-11-01 12:00:00"), ("shipped", "2025-11-01 14:00:00"),
            ("delivered", "2025-11-04 09:00:00"), ("refunded", "2025-11-10 10:00:00"),
        ],
        "O4": [("placed", "2025-12-20 08:00:00"), ("paid", "2025-12-20 08:00:30"),
               ("cancelled", "2025-12-20 09:00:00")],
        "O7": [("placed", "2026-01-05 12:00:00")],
        "O8": [("placed", "2025-10-01 12:00:00"), ("payment_failed", "2025-10-01 12:00:00")],
    }  # fmt: skip
    frames["order_status_events"] = spark.createDataFrame(
        [(order, status, _ts(ts)) for order, history in events.items() for status, ts in history],
        "order_id string, status string, ts timestamp",
    )
    frames["service_bookings"] = spark.createDataFrame(
        [
            ("B1", "ACC1", None, "SV1", "PR1", _ts("2025-12-05 10:00:00"),
             _ts("2025-12-07 15:00:00"), "completed", 100.0, "Austin", "TX", "73301", 5),
            ("B2", None, "LOY3", "SV2", "PR1", _ts("2025-11-01 10:00:00"),
             _ts("2025-11-02 15:00:00"), "cancelled", 80.0, "Austin", "TX", "73302", None),
            ("B3", "ACC1", None, "SV1", "PR1", _ts("2026-01-02 10:00:00"),
             _ts("2026-01-04 15:00:00"), "completed", 120.0, "Austin", "TX", "73301", 4),
            ("B4", "ACC2", None, "SV2", "PR1", _ts("2025-07-01 10:00:00"),
             _ts("2025-07-03 15:00:00"), "no_show", 50.0, "Waco", "TX", "73303", None),
        ],
        "booking_id string, account_id string, member_id string, service_id string, "
        "provider_id string, booked_at timestamp, scheduled_for timestamp, status string, "
        "price double, city string, state string, postal_code string, rating int",
    )  # fmt: skip
    xw = [
        ("crm", "CRM1", "C1"), ("crm", "CRM2", "C2"), ("crm", "CRM3", "C3"),
        ("crm", "CRM4", "C4"), ("ecommerce", "ACC1", "C1"), ("ecommerce", "ACC2", "C2"),
        ("loyalty", "LOY1", "C1"), ("loyalty", "LOY3", "C4"), ("loyalty", "LOY2", "C4"),
        ("support", "T1", "C1"), ("support", "T2", "C2"), ("support", "T3", "C1"),
        ("support", "T4", "C1"),
    ]  # fmt: skip
    frames["crosswalk"] = spark.createDataFrame(
        xw, "source string, source_record_id string, customer_id string"
    )
    frames["golden"] = spark.createDataFrame(
        [
            ("C1", date(1997, 1, 1), "Premium"),
            ("C2", date(1996, 12, 31), "Standard"),
            ("C3", None, "Basic"),
            ("C4", date(2013, 1, 1), "Unassigned"),
        ],
        "customer_id string, birth_date date, customer_segment string",
    )
    return frames


def loaded(frames: dict[str, DataFrame]) -> dict[str, DataFrame]:
    """The `loaded` mapping the pipeline passes (crm/ecommerce unused by the analytics)."""
    keys = (
        "products", "orders", "order_lines", "app_events", "support_tickets", "loyalty_members",
        "postal_codes", "stores", "services", "providers", "order_status_events",
        "service_bookings",
    )  # fmt: skip
    return {k: frames[k] for k in keys}


def contract_columns(table: str) -> list[str]:
    """Column names of a section-2 table (or mart) as written in docs/data_model.md."""
    import re
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("docs", "data_model.md").read_text()
    names: list[str] = []
    if table == "customer_profile":
        block = text.split("**customer_profile**", 1)[1].split("### Marts", 1)[0]
        skip = ("| group", "| golden record")
        rows = [r for r in block.splitlines() if r.startswith("| ") and not r.startswith(skip)]
        cells = [r.split("|")[2] for r in rows]
    else:
        cells = [r.split("|")[3] for r in text.splitlines() if r.startswith(f"| {table} |")]
    for cell in cells:
        flat = re.sub(r"\([^()]*\)", "", re.sub(r"\([^()]*\([^()]*\)[^()]*\)", "", cell))
        names += [n.strip() for n in flat.split(",") if n.strip()]
    return names


_BUILT: dict[int, tuple[dict[str, DataFrame], Facts, DataFrame]] = {}


def built_world(spark: SparkSession) -> tuple[dict[str, DataFrame], Facts, DataFrame]:
    """World, facts and profile, built once per session and checkpointed (shared by test modules)."""
    key = id(spark)
    if key not in _BUILT:
        frames = world(spark)
        settings = PipelineSettings()
        raw = build_facts(loaded(frames), frames["crosswalk"], AS_OF, settings)
        facts = Facts(**{f.name: getattr(raw, f.name).localCheckpoint() for f in fields(raw)})
        profile = build_customer_profile(
            frames["golden"], frames["crosswalk"], loaded(frames), facts, AS_OF, settings
        ).localCheckpoint()
        _BUILT[key] = (frames, facts, profile)
    return _BUILT[key]
