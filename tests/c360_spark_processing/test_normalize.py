from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from c360_spark_processing.normalize import clean_string, normalize_email, normalize_phone

pytestmark = pytest.mark.spark

EMAILS = [
    ("  John.Doe@Example.COM ", "john.doe@example.com"),
    ("a+tag@mail.example.co.uk", "a+tag@mail.example.co.uk"),
    ("x_y-z@sub-domain.io", "x_y-z@sub-domain.io"),
    ("john.doe@@example.com", None),
    ("john.doe example.com", None),
    ("john.doe@example", None),
    ("john.doe@example.c", None),
    ("john..doe@example.com", None),
    (".john@example.com", None),
    ("john@-example.com", None),
    ("john@example..com", None),
    ("@example.com", None),
    ("", None),
    (None, None),
]

PHONES = [
    ("(212) 555-0134", "+12125550134"),
    ("212.555.0134", "+12125550134"),
    ("+1 212-555-0134", "+12125550134"),
    ("12125550134", "+12125550134"),
    ("2125550134", "+12125550134"),
    ("212555013", None),  # 9 digits
    ("212555013411", None),  # 12 digits
    ("22125550134", None),  # 11 digits not starting with 1
    ("1125550134", None),  # area code starts with 1
    ("0125550134", None),  # area code starts with 0
    ("2121550134", None),  # exchange starts with 1
    ("2120550134", None),  # exchange starts with 0
    ("9999999999", "+19999999999"),  # upper bound of each digit
    ("2002000000", "+12002000000"),  # lowest valid area code and exchange
    ("phone", None),
    ("", None),
    (None, None),
]


def _apply(spark, func, cases):
    df = spark.createDataFrame(cases, "value string, expected string")
    return df.select("value", "expected", func(F.col("value")).alias("got")).collect()


def test_normalize_email(spark):
    rows = _apply(spark, normalize_email, EMAILS)
    assert [(r.value, r.got) for r in rows] == [(v, e) for v, e in EMAILS]


def test_normalize_phone(spark):
    rows = _apply(spark, normalize_phone, PHONES)
    assert [(r.value, r.got) for r in rows] == [(v, e) for v, e in PHONES]


def test_clean_string_blank_is_null(spark):
    cases = [(" a b ", "a b"), ("   ", None), ("", None), (None, None)]
    rows = _apply(spark, clean_string, cases)
    assert [(r.value, r.got) for r in rows] == cases
