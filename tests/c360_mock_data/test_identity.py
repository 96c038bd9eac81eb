"""The truth file, contact uniqueness and resolvability of identities."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from c360_mock_data.generator import GenerationReport
from tests.c360_mock_data.conftest import normal_email, normal_phone, read_accounts, read_csv


def _records(out: Path) -> pd.DataFrame:
    """source, source_record_id, email, phone of every written record of the four person sources."""
    crm = read_csv(out, "crm_customers.csv").drop_duplicates()
    accounts = read_accounts(out)
    loyalty = read_csv(out, "loyalty_members.csv")
    tickets = read_csv(out, "support_tickets.csv")
    parts = [
        pd.DataFrame(
            {
                "source": "crm",
                "source_record_id": crm.crm_id,
                "email": crm.email,
                "phone": crm.phone,
            }
        ),
        pd.DataFrame(
            {
                "source": "ecommerce",
                "source_record_id": accounts.account_id,
                "email": accounts.email,
                "phone": accounts.phone,
            }
        ),
        pd.DataFrame(
            {
                "source": "loyalty",
                "source_record_id": loyalty.member_id,
                "email": loyalty.email,
                "phone": loyalty.phone,
            }
        ),
        pd.DataFrame(
            {
                "source": "support",
                "source_record_id": tickets.ticket_id,
                "email": tickets.email,
                "phone": None,
            }
        ),
    ]
    records = pd.concat(parts, ignore_index=True)
    records["email"] = records.email.map(normal_email)
    records["phone"] = records.phone.map(normal_phone)
    return records


def _truth(out: Path) -> pd.DataFrame:
    return read_csv(out / "_truth", "identity.csv")


def _clusters(records: pd.DataFrame) -> list[int]:
    """Connected components of records sharing a normalised email or phone (union-find)."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, (email, phone) in enumerate(zip(records.email, records.phone, strict=True)):
        for key in (email, phone):
            if key is None:
                continue
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    return [find(i) for i in range(len(records))]


def _pairs(sizes: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


@pytest.mark.parametrize("export", ["clean_export", "dirty_export"])
def test_truth_covers_every_record_once(export: str, request: pytest.FixtureRequest) -> None:
    report: GenerationReport = request.getfixturevalue(export)
    truth = _truth(report.out)
    records = _records(report.out)
    assert not truth.duplicated(["source", "source_record_id"]).any()
    assert Counter(zip(truth.source, truth.source_record_id, strict=True)) == Counter(
        zip(records.source, records.source_record_id, strict=True)
    )
    assert truth.person_id.str.fullmatch(r"PER-\d{7}").all()
    assert truth.person_id.nunique() == report.customers


def test_persons_never_share_an_email_or_phone(clean_export: GenerationReport) -> None:
    merged = _records(clean_export.out).merge(
        _truth(clean_export.out), on=["source", "source_record_id"]
    )
    for key in ("email", "phone"):
        owners = merged.dropna(subset=[key]).groupby(key).person_id.nunique()
        assert (owners == 1).all(), f"{key} shared by several persons"
    # One personal email and one phone per person; only second (work) accounts add an email.
    assert merged.groupby("person_id").phone.nunique().max() == 1
    assert merged.groupby("person_id").email.nunique().max() <= 2


def test_pairwise_precision_and_recall(dirty_export: GenerationReport) -> None:
    records = _records(dirty_export.out).merge(
        _truth(dirty_export.out), on=["source", "source_record_id"]
    )
    records["cluster"] = _clusters(records)
    together = _pairs(Counter(zip(records.cluster, records.person_id, strict=True)))
    precision = together / _pairs(Counter(records.cluster))
    recall = together / _pairs(Counter(records.person_id))
    assert precision >= 0.99, precision
    assert recall >= 0.99, recall


def test_source_coverage_of_persons(clean_export: GenerationReport) -> None:
    truth = _truth(clean_export.out)
    n = clean_export.customers
    persons = truth.groupby("source").person_id.nunique() / n
    assert persons["crm"] == pytest.approx(0.85, abs=0.04)
    assert persons["ecommerce"] == pytest.approx(0.75, abs=0.04)
    assert persons["loyalty"] == pytest.approx(0.45, abs=0.04)
    core = truth[truth.source != "support"]
    assert core.person_id.nunique() == n, "every person has a CRM, account or loyalty record"
    accounts = truth[truth.source == "ecommerce"].groupby("person_id").size()
    assert (accounts == 2).mean() == pytest.approx(0.08, abs=0.03)
    assert accounts.max() == 2
    no_crm = set(truth.person_id) - set(truth.person_id[truth.source == "crm"])
    assert no_crm & set(truth.person_id[truth.source == "ecommerce"]), (
        "some accounts have no CRM record"
    )
    ticket_persons = set(truth.person_id[truth.source == "support"])
    with_contact = set(truth.person_id[truth.source.isin(["crm", "ecommerce"])])
    assert ticket_persons
    assert ticket_persons <= with_contact
