from __future__ import annotations

import hashlib

import pytest
from pyspark.sql import DataFrame

from c360_spark_processing.identity import IdentityNotConvergedError, resolve_identities
from c360_spark_processing.settings import PipelineSettings

pytestmark = pytest.mark.spark

CONTACT = "id string, email string, phone string"

CRM = [
    ("CRM-0000001", "ann@x.com", None),
    ("CRM-0000009", None, None),  # isolated, no contact at all
    ("CRM-0000005", "bob@x.com", "+12125550005"),
    ("CRM-0000004", "bob@x.com", None),  # same email as CRM-5: the smaller crm_id anchors
]
ACCOUNTS = [
    ("ACC-0000001", "ann@x.com", "+12125550001"),  # ann by email
    ("ACC-0000030", "e30@x.com", "+12125550030"),
    ("ACC-0000031", "e31@x.com", "+12125550031"),
    ("ACC-0000032", "e32@x.com", "+12125550032"),
    ("ACC-0000002", None, "+12125550033"),  # far end of the chain, smallest account id
    ("ACC-0000040", "solo@x.com", None),  # isolated
]
MEMBERS = [
    ("LOY-0000001", None, "+12125550001"),  # ann through ACC-1's phone (transitive)
    ("LOY-0000020", "e0@x.com", "+12125550030"),
    ("LOY-0000021", "e30@x.com", "+12125550031"),
    ("LOY-0000022", "e31@x.com", "+12125550032"),
    ("LOY-0000023", "e32@x.com", "+12125550033"),
]
TICKETS = [
    ("TCK-0000001", "e0@x.com"),  # one end of the chain
    ("TCK-0000002", "ann@x.com"),
    ("TCK-0000003", "typo@x.com"),  # isolated
]

CHAIN = [  # each record shares one key with the next
    ("support", "TCK-0000001"),
    ("loyalty", "LOY-0000020"),
    ("ecommerce", "ACC-0000030"),
    ("loyalty", "LOY-0000021"),
    ("ecommerce", "ACC-0000031"),
    ("loyalty", "LOY-0000022"),
    ("ecommerce", "ACC-0000032"),
    ("loyalty", "LOY-0000023"),
    ("ecommerce", "ACC-0000002"),
]


def _cid(anchor: str) -> str:
    """Independent computation of the documented id: C + 12 hex of sha256('<source>:<id>')."""
    return "C" + hashlib.sha256(anchor.encode()).hexdigest()[:12]


ANN = _cid("crm:CRM-0000001")
EXPECTED = {
    ("crm", "CRM-0000001"): ANN,
    ("ecommerce", "ACC-0000001"): ANN,
    ("loyalty", "LOY-0000001"): ANN,
    ("support", "TCK-0000002"): ANN,
    ("crm", "CRM-0000009"): _cid("crm:CRM-0000009"),
    ("crm", "CRM-0000005"): _cid("crm:CRM-0000004"),
    ("crm", "CRM-0000004"): _cid("crm:CRM-0000004"),
    ("ecommerce", "ACC-0000040"): _cid("ecommerce:ACC-0000040"),
    ("support", "TCK-0000003"): _cid("support:TCK-0000003"),
    **{record: _cid("ecommerce:ACC-0000002") for record in CHAIN},
}


def _frames(spark, order: slice = slice(None)) -> tuple[DataFrame, DataFrame, DataFrame, DataFrame]:
    def frame(rows, id_column, schema=CONTACT):
        df = spark.createDataFrame(rows[order], schema)
        return df.withColumnRenamed("id", id_column).repartition(2)

    return (
        frame(CRM, "crm_id"),
        frame(ACCOUNTS, "account_id"),
        frame(MEMBERS, "member_id"),
        frame(TICKETS, "ticket_id", "id string, email string"),
    )


def _crosswalk(result) -> dict[tuple[str, str], str]:
    rows = result.crosswalk.collect()
    mapping = {(r.source, r.source_record_id): r.customer_id for r in rows}
    assert len(mapping) == len(rows), "a record appears more than once"
    return mapping


@pytest.fixture(scope="module")
def resolved(spark):
    return resolve_identities(*_frames(spark), PipelineSettings())


def test_crosswalk_links_transitively_and_keeps_isolated_records(resolved):
    assert resolved.crosswalk.columns == ["source", "source_record_id", "customer_id"]
    assert _crosswalk(resolved) == EXPECTED


def test_long_chain_needs_several_iterations(resolved):
    # 9 records in a line: a label moves two hops per round, so at least 4 rounds + 1 quiet round.
    assert 5 <= resolved.iterations <= PipelineSettings().max_identity_iterations


def test_ids_stable_across_input_order(spark, resolved):
    again = resolve_identities(*_frames(spark, slice(None, None, -1)), PipelineSettings())
    assert _crosswalk(again) == _crosswalk(resolved)


def test_not_converged_raises(spark):
    with pytest.raises(IdentityNotConvergedError):
        resolve_identities(*_frames(spark), PipelineSettings(max_identity_iterations=2))
