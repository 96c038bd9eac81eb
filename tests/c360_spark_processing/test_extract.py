from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from c360_contract.vocabulary import SOURCES
from c360_spark_processing.extract import read_sources
from c360_spark_processing.ingest import ingest_sources, reconcile

pytestmark = pytest.mark.spark

FILES = {
    "crm_customers.csv": (
        "crm_id,first_name,last_name,email,phone,birth_date,gender,city,state,country,postal_code,"
        "signup_date,acquisition_channel,customer_segment\n"
        'CRM-0000001,"Lee, Ann","O""Brien", Ann@X.com ,(212) 555-0134,1990-01-01,F,Austin,TX,US,'
        "07301,2024-01-02,referral,Premium\n"
        "CRM-0000002,Bob,Ray,bob@x.com,,1985-05-05,,Reno,NV,US,89501,2024-02-02,social,Basic\n"
        "CRM-0000003,Too,Many,c@x.com,,1985-05-05,,Reno,NV,US,89501,2024-02-02,social,Basic,extra\n"
    ),
    "ecommerce_accounts.jsonl": (
        '{"account_id": "ACC-0000001", "email": "ann@x.com", "phone": null, '
        '"created_at": "2024-01-05T10:00:00Z", "platform": "web"}\n'
        '{"account_id": "ACC-0000002", "email": "z@x.com", "created_at": "2024-01-06T10:00:00Z", '
        '"platform": "ios"}\n'
        '{"account_id": "ACC-0000003", "created_at": \n'
    ),
    "loyalty_members.csv": (
        "member_id,email,phone,tier,points_balance,lifetime_points,enrolled_at\n"
        "LOY-0000001,,212-555-0134,Gold,10,20,2024-02-01\n"
        "LOY-0000002,x@x.com,Gold\n"
    ),
    "products.csv": (
        "product_id,name,category,subcategory,brand,list_price,unit_cost,stock_on_hand,reorder_point\n"
        'P-00001,"Mug, large",home,kitchen,Acme,12.50,5.00,3,1\n'
        "P-00002,Cup,home,kitchen,Acme,twelve,5.00,3,1\n"
    ),
    "support_tickets.csv": (
        "ticket_id,email,created_at,first_response_at,resolved_at,channel,category,priority,status,csat\n"
        "TCK-0000001,ann@x.com,2024-03-01 09:00:00,2024-03-01 10:00:00,,chat,billing,low,open,\n"
        "TCK-0000002,ann@x.com,2024-03-01 09:00:00\n"
    ),
    "postal_codes.csv": (
        "postal_code,city,state,lat,lon\n"
        "73301,Austin,TX,30.267200,-97.743100\n"
        "73302,Austin,TX,far north,-97.743100\n"
    ),
    "stores.csv": (
        "store_id,name,city,state,postal_code,lat,lon,opened_at\n"
        '"ST-0001","C360 Austin, Downtown",Austin,TX,73301,30.267200,-97.743100,2020-01-01\n'
    ),
    "services.csv": (
        "service_id,name,category,base_price,duration_minutes\n"
        "SV-001,Appliance Installation,Installation,159.00,240\n"
        "SV-002,Desk Assembly,Assembly,95.00\n"
    ),
    "providers.csv": (
        "provider_id,name,city,state,lat,lon,joined_at\n"
        "PR-00001,Lee Services,Austin,TX,30.300000,-97.700000,2021-05-01\n"
    ),
    "app_events/dt=2024-03-01/part-00000.jsonl": (
        '{"event_id": "EV-1", "account_id": "ACC-0000001", "session_id": "S-1", '
        '"ts": "2024-03-01T12:00:00Z", "platform": "ios", "event_type": "session_start"}\n'
        "this is not json\n"
    ),
    "app_events/dt=2024-03-02/part-00000.jsonl": (
        '{"event_id": "EV-2", "account_id": "ACC-0000001", "session_id": "S-2", '
        '"ts": "2024-03-02T12:00:00Z", "platform": "web", "event_type": "product_view", '
        '"product_id": "P-00001", "traffic_source": "email"}\n'
    ),
}

ORDERS = pa.table(
    {
        "order_id": ["ORD-000000001", "ORD-000000002"],
        "account_id": ["ACC-0000001", None],
        "member_id": pa.array([None, None], pa.string()),  # an all-null column needs its type
        "channel": ["online", "online"],
        "order_ts": pa.array(
            [datetime(2024, 3, 1, 12, tzinfo=UTC), datetime(2024, 3, 2, 12, tzinfo=UTC)],
            pa.timestamp("us", tz="UTC"),
        ),
        "status": ["completed", "completed"],
        "payment_method": ["card", "card"],
        "traffic_source": ["direct", "direct"],
        "ship_city": ["Austin", "Austin"],
        "ship_state": ["TX", "TX"],
        "ship_postal_code": ["73301", "73301"],
        "store_id": ["ST-0001", "ST-0001"],
        "fulfilment": ["immediate", "immediate"],
        "scheduled_for": pa.nulls(2, pa.timestamp("us", tz="UTC")),
        "payment_status": ["captured", "captured"],
    }
)
STATUS_EVENTS = pa.table(
    {
        "order_id": ["ORD-000000001", "ORD-000000002"],
        "status": ["placed", "placed"],
        "ts": pa.array(
            [datetime(2024, 3, 1, 12, tzinfo=UTC), datetime(2024, 3, 2, 12, tzinfo=UTC)],
            pa.timestamp("us", tz="UTC"),
        ),
    }
)
BOOKINGS = pa.table(
    {
        "booking_id": ["BK-000000001"],
        "account_id": ["ACC-0000001"],
        "member_id": pa.array([None], pa.string()),
        "service_id": ["SV-001"],
        "provider_id": ["PR-00001"],
        "booked_at": pa.array([datetime(2024, 3, 1, 12, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
        "scheduled_for": pa.array(
            [datetime(2024, 3, 3, 9, tzinfo=UTC)], pa.timestamp("us", tz="UTC")
        ),
        "status": ["completed"],
        "price": [150.0],
        "city": ["Austin"],
        "state": ["TX"],
        "postal_code": ["73301"],
        "rating": pa.array([None], pa.int32()),
    }
)


def _lines(line_id: str, order_id: str) -> pa.Table:
    return pa.table(
        {
            "line_id": [line_id],
            "order_id": [order_id],
            "product_id": ["P-00001"],
            "quantity": pa.array([2], pa.int32()),
            "unit_price": [12.5],
            "discount": [0.0],
        }
    )


EXPECTED = {
    "crm_customers": (3, {"schema_mismatch": 1}),
    "ecommerce_accounts": (3, {"schema_mismatch": 1}),
    "loyalty_members": (2, {"schema_mismatch": 1}),
    "products": (2, {"schema_mismatch": 1}),
    "orders": (2, {"missing_buyer": 1}),
    "order_lines": (2, {"orphan_line": 1}),
    "app_events": (3, {"schema_mismatch": 1}),
    "support_tickets": (2, {"schema_mismatch": 1}),
    "postal_codes": (2, {"schema_mismatch": 1}),
    "stores": (1, {}),
    "services": (2, {"schema_mismatch": 1}),
    "providers": (1, {}),
    "order_status_events": (2, {"orphan_event": 1}),
    "service_bookings": (1, {}),
}


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    pq.write_table(ORDERS, root / "orders.parquet")
    pq.write_table(STATUS_EVENTS, root / "order_status_events.parquet")
    pq.write_table(BOOKINGS, root / "service_bookings.parquet")
    (root / "order_lines.parquet").mkdir()
    pq.write_table(
        _lines("LN-0000000001", "ORD-000000001"), root / "order_lines.parquet/part-0.parquet"
    )
    pq.write_table(
        _lines("LN-0000000002", "ORD-000000002"), root / "order_lines.parquet/part-1.parquet"
    )
    return root


def test_read_ingest_and_reconcile_every_format(spark, input_dir):
    raw = read_sources(spark, input_dir)
    assert set(raw) == set(SOURCES)
    results = ingest_sources(raw)
    for source, (rows_read, reasons) in EXPECTED.items():
        counts = reconcile(raw[source], results[source])
        assert (counts.rows_read, counts.quarantine_reasons) == (rows_read, reasons), source
    ann = results["crm_customers"].loaded.where("crm_id = 'CRM-0000001'").first()
    assert ann is not None
    assert (ann.first_name, ann.last_name, ann.email) == ("Lee, Ann", 'O"Brien', "ann@x.com")
    assert (ann.phone, ann.postal_code) == ("+12125550134", "07301")
    events = {r.event_id: r.ts for r in results["app_events"].loaded.collect()}
    assert events == {"EV-1": datetime(2024, 3, 1, 12), "EV-2": datetime(2024, 3, 2, 12)}
    assert "dt" not in raw["app_events"].columns
