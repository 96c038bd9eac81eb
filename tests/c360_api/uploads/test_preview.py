"""POST /api/jobs/upload/preview: layout, rows, types, date formats (day-first settled from the
data, ambiguous when every value fits both), suggested mapping; 415 and 422 refusals."""

from __future__ import annotations

import pytest

from tests.c360_api.accounts import app_client, sign_up
from tests.c360_api.helpers import error
from tests.c360_api.uploads.conftest import preview
from tests.upload_data import HEADER, make_sales


class TestPreview:
    def test_reads_a_european_export(self, make_settings, sqlite_url: str) -> None:
        sales = make_sales()
        with app_client(make_settings(sqlite_url)) as client:
            body = preview(client, sign_up(client, "a@b.example"), sales.text).json()
        assert (body["encoding"], body["delimiter"], body["decimal_separator"]) == (
            "utf-8",
            ";",
            ",",
        )
        assert body["has_header"] is True
        assert [c["name"] for c in body["columns"]] == HEADER
        assert len(body["rows"]) == 20
        first = sales.text.splitlines()[1].split(";")
        assert list(body["rows"][0].values()) == first
        (dates,) = body["date_columns"]
        assert dates["column"] == "Datum"
        assert dates["ambiguous"] is False
        assert dates["suggested"] == "%d/%m/%Y"
        assert [f["format"] for f in dates["fitting"]] == ["%d/%m/%Y"]
        # the two broken dates are the only values it cannot read
        assert dates["fitting"][0]["unparsed"] == 2
        assert body["suggested_mapping"]["invoice_date"] == "Datum"

    def test_every_value_fitting_both_orders_is_ambiguous(
        self, make_settings, sqlite_url: str
    ) -> None:
        text = "CustomerID,InvoiceDate,InvoiceNo,Amount\nC1,01/02/2024,I1,3.5\nC2,03/04/2024,I2,4\n"
        with app_client(make_settings(sqlite_url)) as client:
            body = preview(client, sign_up(client, "a@b.example"), text).json()
        (dates,) = body["date_columns"]
        assert dates["ambiguous"] is True
        assert dates["suggested"] is None
        assert {f["format"] for f in dates["fitting"]} == {"%d/%m/%Y", "%m/%d/%Y"}
        assert body["decimal_separator"] == "."
        assert body["suggested_mapping"] == {
            "customer_id": "CustomerID",
            "invoice_date": "InvoiceDate",
            "invoice_id": "InvoiceNo",
            "amount": "Amount",
            "product": None,
            "category": None,
            "quantity": None,
        }

    def test_month_first_with_times_is_settled_by_a_day_above_12(
        self, make_settings, sqlite_url: str
    ) -> None:
        text = "c,d,i,a\nC1,12/1/2010 8:26,I1,1\nC2,12/13/2010 10:05,I2,2\n"
        with app_client(make_settings(sqlite_url)) as client:
            body = preview(client, sign_up(client, "a@b.example"), text).json()
        assert body["date_columns"][0]["suggested"] == "%m/%d/%Y %H:%M"
        assert body["columns"][1]["type"] == "TIMESTAMP"

    def test_latin_1_text_is_detected(self, make_settings, sqlite_url: str) -> None:
        text = "Kunde;Datum;Rechnung;Betrag\nMüller;13/01/2024;R1;5,00\n".encode("latin-1")
        with app_client(make_settings(sqlite_url)) as client:
            body = preview(client, sign_up(client, "a@b.example"), text).json()
        assert body["encoding"] == "latin-1"
        assert body["rows"][0]["Kunde"] == "Müller"

    @pytest.mark.parametrize(
        "content",
        [b"\x89PNG\r\n\x1a\n" + bytes(200), b"PK\x03\x04" + bytes(100), b"a,b\n\x00\x01\x02\x03"],
    )
    def test_binary_files_are_415(self, make_settings, sqlite_url: str, content: bytes) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            error(preview(client, sign_up(client, "a@b.example"), content), 415)

    @pytest.mark.parametrize(
        ("content", "message"),
        [(b"", "The file is empty"), (b"a,b,c\n", "The file has a header but no rows")],
    )
    def test_empty_files_are_422(
        self, make_settings, sqlite_url: str, content: bytes, message: str
    ) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            body = error(preview(client, sign_up(client, "a@b.example"), content), 422)
        assert body["error_message"] == message

    def test_keeps_nothing(self, make_settings, sqlite_url: str, tmp_path) -> None:
        settings = make_settings(sqlite_url)
        with app_client(settings) as client:
            preview(client, sign_up(client, "a@b.example"), make_sales(20).text)
        assert not [p for p in (settings.state_dir / "uploads").rglob("*") if p.is_file()]

    def test_needs_a_user(self, make_settings, sqlite_url: str) -> None:
        with app_client(make_settings(sqlite_url)) as client:
            error(
                client.post("/api/jobs/upload/preview", files={"file": ("f.csv", b"a\n1\n")}), 401
            )
