"""The operations exports (stores, postal codes, services, providers, order status history,
bookings) follow docs/data_model.md section 1, and each order's history its final status."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from c360_mock_data import reference as ref
from c360_mock_data.generator import GenerationReport
from c360_mock_data.geography import haversine_km
from tests.c360_mock_data.conftest import read_accounts, read_csv

FUNNEL = ["placed", "paid", "packed", "shipped", "delivered"]


@pytest.fixture(scope="module")
def orders(clean_export: GenerationReport) -> pd.DataFrame:
    return pq.read_table(clean_export.out / "orders.parquet").to_pandas()


@pytest.fixture(scope="module")
def histories(clean_export: GenerationReport, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per order: its status events as a tuple in file order, with their instants."""
    events = pq.read_table(clean_export.out / "order_status_events.parquet").to_pandas()
    assert (events.groupby("order_id").ts.apply(lambda t: t.is_monotonic_increasing)).all()
    per_order = events.groupby("order_id", sort=False).agg(
        statuses=("status", tuple), ts=("ts", list)
    )
    return orders.set_index("order_id").join(per_order, how="left")


def test_reference_tables(clean_export: GenerationReport) -> None:
    out = clean_export.out
    postal = read_csv(out, "postal_codes.csv")
    assert list(postal.columns) == ["postal_code", "city", "state", "lat", "lon"]
    assert postal.postal_code.is_unique
    assert postal.postal_code.str.fullmatch(r"\d{5}").all()
    assert postal[["lat", "lon"]].apply(lambda c: c.str.fullmatch(r"-?\d+\.\d{6}")).all().all()
    # Every postal code a customer can have has a centroid near its city's centre.
    crm = read_csv(out, "crm_customers.csv")
    assert set(crm.postal_code) <= set(postal.postal_code)
    centre = dict(zip([c[0] + c[1] for c in ref.CITIES], ref.CITY_COORDINATES, strict=True))
    c = np.array(
        [centre[city + state] for city, state in zip(postal.city, postal.state, strict=True)]
    )
    distance = haversine_km(postal.lat.astype(float), postal.lon.astype(float), c[:, 0], c[:, 1])
    assert distance.max() <= 26.1
    stores = read_csv(out, "stores.csv")
    assert list(stores.columns) == [
        "store_id", "name", "city", "state", "postal_code", "lat", "lon", "opened_at",
    ]  # fmt: skip
    assert stores.store_id.str.fullmatch(r"ST-\d{4}").all()
    assert stores.store_id.is_unique
    at_postal = stores.merge(postal, on="postal_code", suffixes=("", "_p"))
    assert len(at_postal) == len(stores)
    assert (
        at_postal[["city", "state", "lat", "lon"]].values
        == at_postal[["city_p", "state_p", "lat_p", "lon_p"]].values
    ).all()
    assert set(stores.city) == {c[0] for c in ref.CITIES}, "every city has a store"
    services = read_csv(out, "services.csv")
    assert services.service_id.str.fullmatch(r"SV-\d{3}").all()
    assert set(services.category) == {"Installation", "Assembly", "Repair", "Tech Support"}
    assert services.base_price.str.fullmatch(r"\d+\.\d{2}").all()
    providers = read_csv(out, "providers.csv")
    assert providers.provider_id.str.fullmatch(r"PR-\d{5}").all()
    assert pd.to_datetime(providers.joined_at, format="%Y-%m-%d").notna().all()


def test_new_order_columns(orders: pd.DataFrame, clean_export: GenerationReport) -> None:
    stores = read_csv(clean_export.out, "stores.csv").set_index("store_id")
    crm = read_csv(clean_export.out, "crm_customers.csv")
    store = orders.channel == "store"
    assert orders.store_id.isin(stores.index).all()
    assert set(orders.fulfilment) == {"immediate", "scheduled"}
    assert (orders.loc[store, "fulfilment"] == "immediate").all()
    scheduled = orders.fulfilment == "scheduled"
    assert orders.scheduled_for.notna().eq(scheduled).all()
    assert (orders.scheduled_for[scheduled] > orders.order_ts[scheduled]).all()
    assert orders.loc[store, "ship_postal_code"].isna().all()
    assert orders.loc[~store, "ship_postal_code"].str.fullmatch(r"\d{5}").all()
    assert set(orders.ship_postal_code.dropna()) <= set(crm.postal_code) | set(
        read_csv(clean_export.out, "postal_codes.csv").postal_code
    )
    # A store order is sold in a store of the city it is shopped from; most shipped orders go
    # from a store of the ship-to city, a stock-out from another one.
    shipped_same_city = (
        orders.loc[~store, "ship_city"].values
        == stores.city.reindex(orders.loc[~store, "store_id"]).values
    ).mean()
    assert 0.8 < shipped_same_city < 0.95


def test_store_orders_keep_their_local_hours(
    orders: pd.DataFrame, clean_export: GenerationReport
) -> None:
    """Store orders fall between 08:00 and 22:00 on their store's clock."""
    stores = read_csv(clean_export.out, "stores.csv").set_index("store_id")
    zone = dict(zip([c[0] + c[1] for c in ref.CITIES], ref.CITY_TIMEZONES, strict=True))
    sold = orders[orders.channel == "store"].join(stores[["city", "state"]], on="store_id")
    hours = [
        ts.tz_convert(ZoneInfo(zone[c + s])).hour
        for ts, c, s in zip(sold.order_ts, sold.city, sold.state, strict=True)
    ]
    assert min(hours) >= 8
    assert max(hours) <= 21


def _history(row: pd.Series) -> tuple[str, ...]:
    return row.statuses if isinstance(row.statuses, tuple) else ()


def test_histories_follow_final_status_and_channel(histories: pd.DataFrame) -> None:
    seen = set()
    for _, row in histories.iterrows():
        events, ts = _history(row), row.ts
        cod = row.payment_method == "cash_on_delivery"
        store = row.channel == "store"
        assert events[0] == "placed"
        assert ts[0] == row.order_ts
        kind = (row.status, row.channel == "store", cod)
        seen.add(kind)
        if store:
            chains = {
                "completed": ("placed", "paid", "delivered"),
                "refunded": ("placed", "paid", "delivered", "refunded"),
                "cancelled": ("placed", "paid", "cancelled"),
                "payment_failed": ("placed", "payment_failed"),
            }
            assert events == chains[row.status]
            if row.status != "payment_failed":
                assert ts[1] == ts[0]
            if "delivered" in events:
                assert ts[2] == ts[0], "placed, paid and delivered at once"
            continue
        full = ("placed", "packed", "shipped", "delivered", "paid") if cod else tuple(FUNNEL)
        if row.status == "completed":
            assert full[: len(events)] == events
            delivered = "delivered" in events
            assert row.payment_status == ("captured" if delivered or not cod else "pending")
            assert len(events) >= 3 or not delivered
        elif row.status == "refunded":
            assert events == (*full, "refunded")
            assert row.payment_status == "refunded"
        elif row.status == "cancelled":
            assert events == (("placed", "cancelled") if cod else ("placed", "paid", "cancelled"))
            assert row.payment_status == ("failed" if cod else "refunded")
        else:
            want = (
                ("placed", "packed", "shipped", "payment_failed")
                if cod
                else ("placed", "payment_failed")
            )
            assert events == want
            assert row.payment_status == "failed"
    assert len(seen) >= 10


def test_cash_on_delivery_is_pending_until_delivered(histories: pd.DataFrame) -> None:
    cod = histories[
        (histories.payment_method == "cash_on_delivery") & (histories.status == "completed")
    ]
    delivered = cod.statuses.map(lambda e: "delivered" in e)
    assert ((cod.payment_status == "pending") == ~delivered).all()
    end = pd.Timestamp("2025-12-31 23:59:59", tz="UTC")
    late = histories.ts.map(lambda t: max(t) > end if isinstance(t, list) else False)
    assert not late.any(), "no event after the window"


def test_deliveries_take_longer_further_away(
    histories: pd.DataFrame, clean_export: GenerationReport
) -> None:
    postal = read_csv(clean_export.out, "postal_codes.csv").set_index("postal_code")
    stores = read_csv(clean_export.out, "stores.csv").set_index("store_id")
    shipped = histories[(histories.channel != "store") & (histories.fulfilment == "immediate")]
    done = shipped[shipped.statuses.map(lambda e: isinstance(e, tuple) and "delivered" in e)]
    hours = [
        (t[e.index("delivered")] - t[0]).total_seconds() / 3600
        for e, t in zip(done.statuses, done.ts, strict=True)
    ]
    to = postal.reindex(done.ship_postal_code)
    frm = stores.reindex(done.store_id)
    km = haversine_km(
        frm.lat.astype(float).values, frm.lon.astype(float).values,
        to.lat.astype(float).values, to.lon.astype(float).values,
    )  # fmt: skip
    frame = pd.DataFrame({"km": km, "hours": hours})
    near, far = frame[frame.km < 5].hours.mean(), frame[frame.km >= 30].hours.mean()
    assert far > near + 12
    assert frame.km.lt(5).any()
    assert frame.km.ge(30).any()


def test_bookings(clean_export: GenerationReport) -> None:
    out = clean_export.out
    bookings = pq.read_table(out / "service_bookings.parquet")
    assert [f.name for f in bookings.schema] == [
        "booking_id", "account_id", "member_id", "service_id", "provider_id", "booked_at",
        "scheduled_for", "status", "price", "city", "state", "postal_code", "rating",
    ]  # fmt: skip
    b = bookings.to_pandas()
    assert b.booking_id.str.fullmatch(r"BK-\d{9}").all()
    assert b.booking_id.is_unique
    assert (b.account_id.notna() | b.member_id.notna()).all()
    assert b.account_id.dropna().isin(set(read_accounts(out).account_id)).all()
    service_name = read_csv(out, "services.csv").set_index("service_id").name
    assert b.service_id.isin(set(service_name.index)).all()
    # Popular services are booked more: TV wall mounting (weight 10 of 91) against fitting a water
    # heater (2 of 91), and the five most popular together against the five least.
    booked = b.service_id.map(service_name).value_counts().reindex(service_name, fill_value=0)
    assert booked["TV Wall Mounting"] > 3 * booked["Water Heater Installation"]
    popularity = pd.Series({s[1]: s[4] for s in ref.SERVICES}).sort_values(kind="stable")
    by_popularity = booked[popularity.index]
    assert by_popularity.iloc[-5:].sum() > 2 * by_popularity.iloc[:5].sum()
    assert b.provider_id.isin(set(read_csv(out, "providers.csv").provider_id)).all()
    assert set(b.status) == {"completed", "cancelled", "no_show"}
    assert (b.scheduled_for > b.booked_at).all()
    assert b.scheduled_for.max() <= pd.Timestamp("2025-12-31 23:59:59", tz="UTC")
    assert b.rating.dropna().between(1, 5).all()
    assert b.rating.isna().any()
    assert b.loc[b.status != "completed", "rating"].isna().all()
    assert (b.price > 0).all()
    assert (b.price.round(2) == b.price).all()
    postal = read_csv(out, "postal_codes.csv").set_index("postal_code")
    assert (postal.reindex(b.postal_code).city.values == b.city.values).all()
