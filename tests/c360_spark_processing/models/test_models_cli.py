"""`c360 models clv`: conventions on a hand-made file, the CDNOW fit through the CSV reader, and
refusals that happen before Spark starts (nothing written)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from pyspark.sql import SparkSession

from c360_cli import main
from c360_spark_processing.models.cli import clv_report
from c360_spark_processing.models.transactions_file import inspect_source
from tests.c360_spark_processing.models.cdnow import cdnow_pandas

HAND_MADE = """buyer,when,paid,note
A,2024-01-01,10.00,first
A,2024-01-01,5.00,same day merges with the first
A,2024-01-11,20.00,repeat
A,2024-01-31,40.00,repeat
B,2024-01-21,7.50,only purchase
C,2024-02-05,9.00,after the as-of date: ignored
A,2024-02-02,99.00,after the as-of date: ignored
D,not a date,1.00,unparseable
E,2024-01-05,abc,unparseable
"""


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tx.csv"
    path.write_text(text)
    return path


@pytest.mark.spark
def test_conventions_on_a_hand_made_file(spark: SparkSession, tmp_path: Path) -> None:
    source = inspect_source(_csv(tmp_path, HAND_MADE), "buyer", "when", "paid")
    scores = tmp_path / "scores.parquet"
    report = clv_report(spark, source, date(2024, 1, 31), "day", 0.1, scores)
    assert report["rows"] == {"read": 9, "unparseable": 2, "after_as_of": 2, "used": 5}
    assert report["as_of"] == "2024-01-31"
    rows = duckdb.execute(
        f"select customer_id, x, t_x, T, monetary from '{scores}' order by customer_id"
    ).fetchall()
    # A: days 01-01 (15.00), 01-11, 01-31 -> 2 repeats, last 30 days after the first, mean 30.
    assert rows == [("A", 2, 30.0, 30.0, 30.0), ("B", 0, 0.0, 10.0, None)]
    names = [d[0] for d in duckdb.execute(f"select * from '{scores}' limit 0").description]
    assert {"p_alive", "expected_purchases_90d", "predicted_clv_12m"} <= set(names)


@pytest.mark.spark
def test_default_as_of_is_the_latest_purchase_and_weeks_divide_days(
    spark: SparkSession, tmp_path: Path
) -> None:
    source = inspect_source(_csv(tmp_path, HAND_MADE), "buyer", "when", "paid")
    scores = tmp_path / "scores.parquet"
    report = clv_report(spark, source, None, "week", 0.1, scores)
    assert report["as_of"] == "2024-02-05"
    assert report["rows"]["after_as_of"] == 0
    got = duckdb.execute(f"select t_x, T from '{scores}' where customer_id = 'A'").fetchall()[0]
    assert got == pytest.approx((32 / 7, 35 / 7))


@pytest.mark.spark
def test_cdnow_through_the_csv_reader_gives_the_papers_fit(
    spark: SparkSession, tmp_path: Path
) -> None:
    frame = cdnow_pandas()
    frame["purchase_date"] = [d.strftime("%Y%m%d") for d in frame["purchase_date"]]
    path = tmp_path / "cdnow.csv"
    frame.to_csv(path, index=False)
    source = inspect_source(path, "customer_id", "purchase_date", "amount", "yyyyMMdd")
    report = clv_report(spark, source, date(1997, 9, 30), "week", 0.1)
    assert report["customers"] == 2357
    assert report["bgnbd"]["r"] == pytest.approx(0.243, rel=0.01)
    assert report["gamma_gamma"]["p"] == pytest.approx(6.25, rel=0.01)
    assert report["problem"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer-col", "client"], "no column --customer-col client"),
        (["--date-col", "day", "--amount-col", "value"], "--date-col day, --amount-col value"),
    ],
)
def test_missing_columns_are_a_clear_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    source = _csv(tmp_path, "customer_id,date,amount\nA,2024-01-01,1.0\n")
    out, scores = tmp_path / "report.json", tmp_path / "scores.parquet"
    argv = ["models", "clv", "--transactions", str(source), "--out", str(out)]
    code = main([*argv, "--scores", str(scores), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "its columns are customer_id, date, amount" in err
    assert not out.exists()
    assert not scores.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tx.txt", "a b c\n", "unknown format '.txt'"),
        ("tx.csv", "", "is empty"),
        ("tx.parquet", "not parquet", "is not readable Parquet"),
    ],
)
def test_unreadable_files_are_refused_before_spark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    code = main(["models", "clv", "--transactions", str(path), "--out", str(tmp_path / "r.json")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
