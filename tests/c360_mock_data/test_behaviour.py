"""Behavioural realism the API's numbers rely on, checked with real thresholds (pandas, DuckDB)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from c360_mock_data import reference as ref
from c360_mock_data.generator import GenerationReport
from tests.c360_mock_data.conftest import read_csv, read_events

WINDOW_END = pd.Timestamp("2025-12-31 23:59:59", tz="UTC")


@pytest.fixture(scope="module")
def buyers(clean_export: GenerationReport) -> pd.DataFrame:
    """Orders with their true person, net amount and the person's birth year (DuckDB)."""
    out = clean_export.out
    return duckdb.execute(
        f"""
        with truth as (select * from read_csv('{out}/_truth/identity.csv', all_varchar=true)),
        amounts as (
            select order_id, sum(quantity * unit_price - discount) as amount
            from read_parquet('{out}/order_lines.parquet') group by order_id),
        births as (
            select t.person_id, year(strptime(c.birth_date, '%Y-%m-%d')) as birth_year,
                   c.state as home_state
            from read_csv('{out}/crm_customers.csv', all_varchar=true) c
            join truth t on t.source = 'crm' and t.source_record_id = c.crm_id)
        select o.order_id, o.channel, o.status, o.order_ts, a.amount,
               coalesce(ta.person_id, tm.person_id) as person_id, b.birth_year, b.home_state
        from read_parquet('{out}/orders.parquet') o
        join amounts a using (order_id)
        left join truth ta on ta.source = 'ecommerce' and ta.source_record_id = o.account_id
        left join truth tm on tm.source = 'loyalty' and tm.source_record_id = o.member_id
        left join births b on b.person_id = coalesce(ta.person_id, tm.person_id)
        """
    ).df()


def _net(buyers: pd.DataFrame) -> pd.Series:
    completed = buyers[buyers.status == "completed"]
    return completed.groupby("person_id").amount.sum()


def test_volume_per_person(clean_export: GenerationReport) -> None:
    n = clean_export.customers
    assert 5 <= clean_export.rows["orders"] / n <= 7
    assert 17 <= clean_export.rows["order_lines"] / n <= 23
    assert 10 <= clean_export.rows["app_events"] / n <= 20


def test_status_mix(buyers: pd.DataFrame) -> None:
    mix = buyers.status.value_counts(normalize=True)
    expected = {"completed": 0.88, "cancelled": 0.05, "refunded": 0.04, "payment_failed": 0.03}
    for status, share in expected.items():
        assert mix[status] == pytest.approx(share, abs=0.015)


def test_top_decile_of_buyers_brings_over_a_third_of_revenue(buyers: pd.DataFrame) -> None:
    spend = _net(buyers).sort_values(ascending=False)
    top = spend.iloc[: max(1, len(spend) // 10)]
    assert top.sum() / spend.sum() >= 0.35


def test_november_and_december_peak(buyers: pd.DataFrame) -> None:
    ts = buyers.order_ts
    monthly = buyers.groupby([ts.dt.year, ts.dt.month]).size()
    for year in (2023, 2024, 2025):
        months = monthly.loc[year]
        assert months[11] > months.mean()
        assert months[12] > months.mean()
        assert months[12] > 1.2 * months[[1, 2, 3]].mean()


def _local_hours(ts: pd.Series, states: pd.Series) -> pd.Series:
    """Hour of each UTC instant on the clock of its state's zone (pandas, zone by zone)."""
    zones = states.map(ref.STATE_TIMEZONES)
    hours = pd.Series(-1, index=ts.index)
    for zone, rows in ts.groupby(zones):
        hours[rows.index] = rows.dt.tz_convert(str(zone)).dt.hour
    return hours


def test_hours_follow_the_buyers_local_clock(buyers: pd.DataFrame) -> None:
    """Store hours are 08-21 and online peaks in the evening on the clock of the buyer's home
    city (persons with a CRM record, whose city is known), while in UTC they spread out."""
    known = buyers.dropna(subset=["home_state"])
    hour = _local_hours(known.order_ts, known.home_state)
    store = known.channel == "store"
    assert hour[store].between(8, 21).all()
    online = hour[~store].value_counts()
    assert online[20] > 3 * online[4]
    utc_hour = known.order_ts.dt.tz_convert("UTC").dt.hour
    assert not utc_hour[store].between(8, 21).all()


def test_browsing_follows_the_local_clock(clean_export: GenerationReport) -> None:
    """Sessions start at online hours of the account holder's home city: 20:00 local is busy,
    04:00 quiet."""
    out = clean_export.out
    truth = read_csv(out / "_truth", "identity.csv")
    person = truth[truth.source == "ecommerce"].set_index("source_record_id").person_id
    crm = read_csv(out, "crm_customers.csv").merge(
        truth[truth.source == "crm"], left_on="crm_id", right_on="source_record_id"
    )
    state = crm.groupby("person_id").state.first()
    events = read_events(out)
    starts = events[events.event_type == "session_start"]
    home = starts.account_id.map(person).map(state)
    known = home.notna()
    ts = pd.to_datetime(starts.ts[known], utc=True)
    hours = _local_hours(ts, home[known]).value_counts()
    assert hours[20] > 3 * hours[4]


def test_younger_persons_use_the_app_more(
    buyers: pd.DataFrame, clean_export: GenerationReport
) -> None:
    app = buyers.channel == "app"
    young = app[buyers.birth_year >= 1981].mean()
    old = app[buyers.birth_year < 1965].mean()
    assert young > 2 * old
    events = read_events(clean_export.out)
    truth = read_csv(clean_export.out / "_truth", "identity.csv")
    owner = truth[truth.source == "ecommerce"].set_index("source_record_id").person_id
    birth = buyers.dropna(subset=["birth_year"]).groupby("person_id").birth_year.first()
    event_year = events.account_id.map(owner).map(birth)
    in_app = events.platform.isin(["ios", "android"])
    assert in_app[event_year >= 1981].mean() > 2 * in_app[event_year < 1965].mean()


def test_loyalty_tier_follows_trailing_spend(
    buyers: pd.DataFrame, clean_export: GenerationReport
) -> None:
    recent = buyers[
        (buyers.status == "completed") & (buyers.order_ts > WINDOW_END - pd.Timedelta(days=365))
    ]
    trailing = recent.groupby("person_id").amount.sum()
    out = clean_export.out
    truth = read_csv(out / "_truth", "identity.csv")
    members = read_csv(out, "loyalty_members.csv").merge(
        truth[truth.source == "loyalty"], left_on="member_id", right_on="source_record_id"
    )
    spend = members.person_id.map(trailing).fillna(0.0)
    means = spend.groupby(members.tier).mean()
    assert means["Bronze"] < means["Silver"] < means["Gold"] < means["Platinum"]
    assert spend[members.tier == "Gold"].median() >= 1500 > spend[members.tier == "Silver"].median()


def test_crm_segment_follows_spend(buyers: pd.DataFrame, clean_export: GenerationReport) -> None:
    truth = read_csv(clean_export.out / "_truth", "identity.csv")
    crm = read_csv(clean_export.out, "crm_customers.csv").merge(
        truth[truth.source == "crm"], left_on="crm_id", right_on="source_record_id"
    )
    means = crm.person_id.map(_net(buyers)).fillna(0.0).groupby(crm.customer_segment).mean()
    assert means["Basic"] < means["Standard"] < means["Premium"]


def _lapsed(buyers: pd.DataFrame, persons: pd.Index) -> pd.Series:
    """Per person: no order at all in the final 270 days of the window."""
    last = buyers.groupby("person_id").order_ts.max()
    cutoff = WINDOW_END - pd.Timedelta(days=270)
    return ~pd.Series(persons, index=persons).map(last).gt(cutoff)


def test_some_customers_churn(buyers: pd.DataFrame, clean_export: GenerationReport) -> None:
    persons = pd.Index(read_csv(clean_export.out / "_truth", "identity.csv").person_id.unique())
    assert 0.15 <= _lapsed(buyers, persons).mean() <= 0.60


def test_low_csat_precedes_churn(buyers: pd.DataFrame, clean_export: GenerationReport) -> None:
    out = clean_export.out
    truth = read_csv(out / "_truth", "identity.csv")
    tickets = read_csv(out, "support_tickets.csv").merge(
        truth[truth.source == "support"], left_on="ticket_id", right_on="source_record_id"
    )
    low = (tickets.csat.astype(float) <= 2).groupby(tickets.person_id).any()
    lapsed = _lapsed(buyers, pd.Index(low.index))
    assert lapsed[low].mean() > lapsed[~low].mean() + 0.1


def test_nobody_signs_up_before_16(clean_export: GenerationReport) -> None:
    """Every CRM signup, account opening and loyalty enrolment of a person with a CRM birth date
    happens at 16 or older (completed years, DuckDB)."""
    out = clean_export.out
    ages = duckdb.execute(
        f"""
        with truth as (select * from read_csv('{out}/_truth/identity.csv', all_varchar=true)),
        crm as (select * from read_csv('{out}/crm_customers.csv', all_varchar=true)),
        births as (
            select t.person_id, strptime(c.birth_date, '%Y-%m-%d')::date as birth
            from crm c join truth t on t.source = 'crm' and t.source_record_id = c.crm_id),
        signups as (
            select t.source, t.person_id, strptime(c.signup_date, '%Y-%m-%d')::date as day
            from crm c join truth t on t.source = 'crm' and t.source_record_id = c.crm_id
            union all
            select t.source, t.person_id, strptime(a.created_at, '%Y-%m-%dT%H:%M:%SZ')::date
            from read_json('{out}/ecommerce_accounts.jsonl',
                           columns={{account_id: 'VARCHAR', created_at: 'VARCHAR'}}) a
            join truth t on t.source = 'ecommerce' and t.source_record_id = a.account_id
            union all
            select t.source, t.person_id, strptime(l.enrolled_at, '%Y-%m-%d')::date
            from read_csv('{out}/loyalty_members.csv', all_varchar=true) l
            join truth t on t.source = 'loyalty' and t.source_record_id = l.member_id)
        select s.source, year(s.day) - year(b.birth)
               - (strftime(s.day, '%m%d') < strftime(b.birth, '%m%d'))::int as age
        from signups s join births b using (person_id)
        """
    ).df()
    assert set(ages.source) == {"crm", "ecommerce", "loyalty"}
    assert ages.age.min() == 16, ages.age.min()
