"""_truth/behaviour.csv tells who lapsed when and why; the orders agree (DuckDB over the exports)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from c360_mock_data.generator import GenerationReport
from c360_mock_data.population import (
    DROPOUT_BETA_A,
    DROPOUT_BETA_B,
    PURCHASE_RATE_SCALE_PER_YEAR,
    PURCHASE_RATE_SHAPE,
)
from c360_mock_data.reference import STATE_TIMEZONES


@pytest.fixture(scope="module")
def lapses(clean_export: GenerationReport) -> pd.DataFrame:
    """Each person's truth row with their first and last order day (any status) and order count.

    Days are the buyer's local ones, as the truth's: an order's clock is its store's zone for a
    store order and the shipping state's zone (the buyer's home) for a shipped one."""
    out = clean_export.out
    zones = pd.DataFrame({"state": list(STATE_TIMEZONES), "zone": list(STATE_TIMEZONES.values())})
    con = duckdb.connect()
    con.register("zones", zones)
    return con.execute(
        f"""
        with truth as (select * from read_csv('{out}/_truth/identity.csv', all_varchar=true)),
        stores as (select * from read_csv('{out}/stores.csv', all_varchar=true)),
        orders as (
            select coalesce(ta.person_id, tm.person_id) as person_id,
                timezone(z.zone, o.order_ts)::date as day
            from read_parquet('{out}/orders.parquet') o
            left join stores s on o.channel = 'store' and s.store_id = o.store_id
            left join zones z on z.state = coalesce(s.state, o.ship_state)
            left join truth ta on ta.source = 'ecommerce' and ta.source_record_id = o.account_id
            left join truth tm on tm.source = 'loyalty' and tm.source_record_id = o.member_id),
        per_person as (
            select person_id, count(*) as orders, count(day) as dated,
                min(day) as first_day, max(day) as last_day
            from orders group by person_id)
        select b.*, coalesce(p.orders, 0) as orders, coalesce(p.dated, 0) as dated,
            p.first_day, p.last_day
        from read_csv('{out}/_truth/behaviour.csv', all_varchar=true) b
        left join per_person p using (person_id)
        """
    ).df()


def test_one_row_per_person_with_every_cause(
    lapses: pd.DataFrame, clean_export: GenerationReport
) -> None:
    assert len(lapses) == clean_export.customers
    assert lapses.person_id.is_unique
    assert set(lapses.lapse_cause.dropna()) == {
        "dropout",
        "bad_ticket",
        "before_window",
        "never_bought",
    }
    assert (lapses.lapse_cause.isna() == lapses.lapsed_on.isna()).sum() == len(lapses) - (
        lapses.lapse_cause == "never_bought"
    ).sum()


def test_the_orders_agree_with_each_cause(lapses: pd.DataFrame) -> None:
    lapsed_on = pd.to_datetime(lapses.lapsed_on)
    last_day = pd.to_datetime(lapses.last_day)
    cause = lapses.lapse_cause
    # Every order has a local day (a store or a shipping state of a known zone).
    assert (lapses.dated == lapses.orders).all()
    # A drop-out stops right after their last purchase: the truth's day is that order's day.
    dropouts = cause == "dropout"
    assert (last_day[dropouts] == lapsed_on[dropouts]).all()
    # After a bad ticket nothing more is bought.
    tickets = cause == "bad_ticket"
    assert (last_day[tickets].isna() | (last_day[tickets] <= lapsed_on[tickets])).all()
    # Lapsed before the window or never a buyer: no order at all.
    assert (lapses.orders[cause.isin(["before_window", "never_bought"])] == 0).all()


def test_rates_follow_the_documented_distributions(lapses: pd.DataFrame) -> None:
    """Gamma and beta means, within sampling error of 3,000 persons."""
    rate = lapses.purchase_rate_per_year.astype(float)
    dropout = lapses.dropout_probability.astype(float)
    assert rate.mean() == pytest.approx(
        PURCHASE_RATE_SHAPE * PURCHASE_RATE_SCALE_PER_YEAR, rel=0.05
    )
    assert dropout.mean() == pytest.approx(
        DROPOUT_BETA_A / (DROPOUT_BETA_A + DROPOUT_BETA_B), rel=0.08
    )
