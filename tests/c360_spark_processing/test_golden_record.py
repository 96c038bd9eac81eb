from __future__ import annotations

from datetime import date, datetime

import pytest
from pyspark.sql import functions as F

from c360_spark_processing.golden_record import GOLDEN_RECORD_COLUMNS, build_golden_record
from c360_spark_processing.schemas import LOADED_SCHEMAS

pytestmark = pytest.mark.spark

D, T = date, datetime
CRM = [
    # crm_id, first, last, email, phone, birth, gender, city, state, country, postal, signup, acq, seg
    (
        "CRM-1",
        "Ann",
        "Lee",
        "crm1@x.com",
        "+12125550001",
        D(1990, 1, 1),
        "F",
        "Austin",
        "TX",
        "US",
        "73301",
        D(2024, 1, 1),
        "referral",
        "Premium",
    ),
    # most recent CRM record of customer A: wins the CRM attributes, but has no email
    (
        "CRM-2",
        "Anna",
        "Lee",
        None,
        None,
        D(1990, 1, 2),
        "F",
        "Dallas",
        "TX",
        "US",
        "75001",
        D(2024, 6, 1),
        "social",
        "Basic",
    ),
    # customer E: two CRM records signed up the same day -> smallest crm_id wins
    (
        "CRM-4",
        "Zed",
        "Zulu",
        None,
        None,
        None,
        "M",
        "Reno",
        "NV",
        "US",
        "89501",
        D(2024, 1, 1),
        "email",
        "Standard",
    ),
    (
        "CRM-3",
        "Cher",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "US",
        None,
        D(2024, 1, 1),
        None,
        None,
    ),
]
ACCOUNTS = [
    ("ACC-1", "acc1@x.com", "+12125550011", T(2023, 12, 1, 10), "web"),
    ("ACC-2", "acc2@x.com", None, T(2024, 2, 1, 10), "ios"),
    ("ACC-3", "old@x.com", "+12125550033", T(2024, 1, 1, 23, 59, 59), "web"),
    ("ACC-4", "new@x.com", None, T(2024, 5, 1, 8), "android"),
]
MEMBERS = [
    ("LOY-1", "loy1@x.com", "+14155550001", "Gold", 1, 2, D(2023, 11, 15)),
    ("LOY-2", "loy2@x.com", None, "Bronze", 1, 2, D(2024, 3, 3)),
    ("LOY-3", "loy3@x.com", "+14155550003", "Silver", 1, 2, D(2024, 4, 4)),
]
TICKETS = [
    ("TCK-1", "t@x.com", T(2024, 7, 1), None, None, "chat", "billing", "low", "open", None),
    ("TCK-2", "ann.tix@x.com", T(2024, 7, 1), None, None, "chat", "billing", "low", "open", None),
]
CROSSWALK = [
    ("crm", "CRM-1", "CA"),
    ("crm", "CRM-2", "CA"),
    ("ecommerce", "ACC-1", "CA"),
    ("ecommerce", "ACC-2", "CA"),
    ("loyalty", "LOY-1", "CA"),
    ("support", "TCK-2", "CA"),
    ("ecommerce", "ACC-3", "CB"),
    ("ecommerce", "ACC-4", "CB"),
    ("loyalty", "LOY-2", "CB"),
    ("loyalty", "LOY-3", "CC"),
    ("support", "TCK-1", "CD"),
    ("crm", "CRM-3", "CE"),
    ("crm", "CRM-4", "CE"),
]

NO_CRM = dict.fromkeys(
    [
        "first_name",
        "last_name",
        "customer_name",
        "birth_date",
        "gender",
        "city",
        "state",
        "country",
        "postal_code",
        "acquisition_channel",
        "name_source",
        "address_source",
    ]
)
EXPECTED = {
    "CA": {
        "first_name": "Anna",
        "last_name": "Lee",
        "customer_name": "Anna Lee",
        "email": "crm1@x.com",
        "phone": "+12125550001",
        "birth_date": D(1990, 1, 2),
        "gender": "F",
        "city": "Dallas",
        "state": "TX",
        "country": "US",
        "postal_code": "75001",
        "signup_date": D(2023, 11, 15),
        "acquisition_channel": "social",
        "customer_segment": "Basic",
        "email_source": "crm",
        "phone_source": "crm",
        "name_source": "crm",
        "address_source": "crm",
    },
    "CB": {
        **NO_CRM,
        "email": "new@x.com",
        "phone": "+12125550033",
        "signup_date": D(2024, 1, 1),
        "customer_segment": "Unassigned",
        "email_source": "ecommerce",
        "phone_source": "ecommerce",
    },
    "CC": {
        **NO_CRM,
        "email": "loy3@x.com",
        "phone": "+14155550003",
        "signup_date": D(2024, 4, 4),
        "customer_segment": "Unassigned",
        "email_source": "loyalty",
        "phone_source": "loyalty",
    },
    "CD": {
        **NO_CRM,
        "email": "t@x.com",
        "phone": None,
        "signup_date": None,
        "customer_segment": "Unassigned",
        "email_source": "support",
        "phone_source": None,
    },
    "CE": {
        **NO_CRM,
        "first_name": "Cher",
        "customer_name": "Cher",
        "country": "US",
        "email": None,
        "phone": None,
        "signup_date": D(2024, 1, 1),
        "customer_segment": "Unassigned",
        "email_source": None,
        "phone_source": None,
        "name_source": "crm",
    },
}


@pytest.fixture(scope="module")
def frames(spark):
    def frame(rows, source):
        return spark.createDataFrame(rows, LOADED_SCHEMAS[source])

    return {
        "crosswalk": spark.createDataFrame(
            CROSSWALK, "source string, source_record_id string, customer_id string"
        ),
        "crm": frame(CRM, "crm_customers"),
        "accounts": frame(ACCOUNTS, "ecommerce_accounts"),
        "members": frame(MEMBERS, "loyalty_members"),
        "tickets": frame(TICKETS, "support_tickets"),
    }


def _golden(frames, with_tickets: bool = True):
    df = build_golden_record(
        frames["crosswalk"],
        frames["crm"],
        frames["accounts"],
        frames["members"],
        tickets=frames["tickets"] if with_tickets else None,
    )
    assert tuple(df.columns) == GOLDEN_RECORD_COLUMNS
    rows = df.collect()
    assert len(rows) == len({r.customer_id for r in rows})
    return {
        r.customer_id: {k: v for k, v in r.asDict().items() if k != "customer_id"} for r in rows
    }


def test_survivorship_rules(frames):
    assert _golden(frames) == EXPECTED


def test_phone_falls_back_to_loyalty_before_accounts(frames):
    # Customer A without CRM phones: loyalty LOY-1 beats the accounts' phones.
    crm = frames["crm"].withColumn("phone", F.lit(None).cast("string"))
    golden = _golden({**frames, "crm": crm})
    assert (golden["CA"]["phone"], golden["CA"]["phone_source"]) == ("+14155550001", "loyalty")


def test_email_falls_back_to_most_recent_account_then_loyalty(frames):
    crm = frames["crm"].replace("crm1@x.com", None, subset=["email"])
    golden = _golden({**frames, "crm": crm})
    assert (golden["CA"]["email"], golden["CA"]["email_source"]) == ("acc2@x.com", "ecommerce")
    accounts = frames["accounts"].replace(["acc1@x.com", "acc2@x.com"], None, subset=["email"])
    golden = _golden({**frames, "crm": crm, "accounts": accounts})
    assert (golden["CA"]["email"], golden["CA"]["email_source"]) == ("loy1@x.com", "loyalty")


def test_without_tickets_support_only_customer_has_no_email(frames):
    golden = _golden(frames, with_tickets=False)
    assert set(golden) == set(EXPECTED)
    assert (golden["CD"]["email"], golden["CD"]["email_source"]) == (None, None)
