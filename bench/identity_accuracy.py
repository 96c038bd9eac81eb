"""Identity resolution measured against the generator's truth (`_truth/identity.csv`).

Not a benchmark of speed but of accuracy, run by hand on an export and the snapshot built from it:
`python -m bench.identity_accuracy --input RAW --warehouse WH` prints persons, profiles, persons
lost, split persons by cause, merges and every split person's fragments; docs/metrics.md quotes
it. The pipeline tests run `account` on the suite's snapshot.

Independent of the pipeline's code: contacts are normalised here from the documented rules
(docs/data_model.md §3), the loaded records are grouped by shared email or phone with a union-find,
and each split is attributed to what caused it:
- `quarantined_bridge`: a record that linked the person's other records was quarantined (with it
  back, the person's records connect further);
- `malformed_email:<source>`: a loaded record of the person lost its email at ingest (malformed)
  and no other record of the person carries its phone, so it stands alone;
- `unexplained`: anything else (a matcher defect).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from c360_contract.warehouse import QUARANTINE_DIR, current_snapshot_id, snapshot_path

EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[a-z]{2,}$")
NANP = re.compile(r"^[2-9]\d{2}[2-9]\d{6}$")
# Source -> (export reader SQL over RAW, quarantine table, id column).
SOURCES: dict[str, tuple[str, str, str]] = {
    "crm": (
        "SELECT DISTINCT crm_id AS id, email, phone "
        "FROM read_csv('{raw}/crm_customers.csv', all_varchar=true)",
        "crm_customers",
        "crm_id",
    ),
    "ecommerce": (
        "SELECT account_id AS id, email, phone FROM read_json('{raw}/ecommerce_accounts.jsonl', "
        "columns={{account_id: 'VARCHAR', email: 'VARCHAR', phone: 'VARCHAR'}})",
        "ecommerce_accounts",
        "account_id",
    ),
    "loyalty": (
        "SELECT member_id AS id, email, phone "
        "FROM read_csv('{raw}/loyalty_members.csv', all_varchar=true)",
        "loyalty_members",
        "member_id",
    ),
    "support": (
        "SELECT ticket_id AS id, email, NULL AS phone "
        "FROM read_csv('{raw}/support_tickets.csv', all_varchar=true)",
        "support_tickets",
        "ticket_id",
    ),
}


def normal_email(value: object) -> str | None:
    """Trimmed, lower-cased `local@domain.tld`, else None."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    return email if EMAIL.match(email) else None


def normal_phone(value: object) -> str | None:
    """+1 and ten NANP digits (formatting and a leading 1 dropped), else None."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return "+1" + digits if NANP.match(digits) else None


def components(keys: list[tuple[str | None, str | None]]) -> list[int]:
    """Connected components of records (given by their email and phone) sharing either key."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, pair in enumerate(keys):
        for key in pair:
            if key is None:
                continue
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    return [find(i) for i in range(len(keys))]


@dataclass(frozen=True)
class IdentityAccount:
    persons: int
    profiles: int
    lost_persons: dict[str, int]
    """Persons none of whose records was loaded, by `<source>:<quarantine reason>`."""
    split_persons: dict[str, int]
    """Persons whose records became several customers, by cause (module docstring)."""
    extra_profiles: int
    """Profiles beyond one per person, from the splits."""
    merged_customers: int
    """Customers holding records of more than one person."""
    same_grouping: bool
    """Whether the published crosswalk groups the loaded records exactly as the union-find."""
    splits: list[dict[str, object]]
    """Each split person: cause and fragments (its records, per customer)."""


def _records(raw: Path, snapshot: Path) -> pd.DataFrame:
    """source, source_record_id, person_id, raw and normalised contacts, the customer_id it was
    published under (null when not loaded) and its quarantine reason (null when loaded)."""
    con = duckdb.connect()
    crosswalk = con.execute(
        f"SELECT * FROM read_parquet('{snapshot}/identity_crosswalk/*.parquet')"
    ).df()
    frames = []
    for source, (sql, table, id_column) in SOURCES.items():
        frame = con.execute(sql.format(raw=raw)).df()
        frame["source"] = source
        quarantine = con.execute(
            f"SELECT {id_column} AS id, min(reason) AS reason FROM "
            f"read_parquet('{snapshot}/{QUARANTINE_DIR}/{table}/*.parquet') GROUP BY 1"
        ).df()
        frames.append(frame.merge(quarantine, on="id", how="left"))
    records = pd.concat(frames, ignore_index=True).rename(columns={"id": "source_record_id"})
    truth = pd.read_csv(raw / "_truth" / "identity.csv", dtype=str)
    records = records.merge(truth, on=["source", "source_record_id"], validate="one_to_one")
    records = records.merge(crosswalk, on=["source", "source_record_id"], how="left")
    records["email_key"] = records.email.map(normal_email)
    records["phone_key"] = records.phone.map(normal_phone)
    records.loc[records.customer_id.notna(), "reason"] = None  # a kept duplicate is loaded
    return records


def _keys(frame: pd.DataFrame) -> list[tuple[str | None, str | None]]:
    return list(zip(frame.email_key, frame.phone_key, strict=True))


def split_cause(records: pd.DataFrame) -> str:
    """Why one person's records split (records: all of the person's records)."""
    loaded = records[records.customer_id.notna()]
    if len(set(components(_keys(records)))) < len(set(components(_keys(loaded)))):
        return "quarantined_bridge"
    malformed = loaded[loaded.email.notna() & loaded.email_key.isna()]
    return f"malformed_email:{malformed.source.iloc[0]}" if len(malformed) else "unexplained"


def account(raw: Path, warehouse: Path) -> IdentityAccount:
    """Identity resolution of the snapshot CURRENT names, against the export's truth."""
    snapshot_id = current_snapshot_id(warehouse)
    if snapshot_id is None:
        raise FileNotFoundError(f"no snapshot published in {warehouse}")
    snapshot = snapshot_path(warehouse, snapshot_id)
    records = _records(raw, snapshot)
    loaded = records[records.customer_id.notna()].copy()
    loaded["component"] = components(_keys(loaded))
    pairs = loaded[["component", "customer_id"]].drop_duplicates()
    same = len(pairs) == loaded.component.nunique() == loaded.customer_id.nunique()

    customers_per_person = loaded.groupby("person_id").customer_id.nunique()
    lost = records[~records.person_id.isin(loaded.person_id)]
    splits = []
    for person in sorted(customers_per_person[customers_per_person > 1].index):
        mine = records[records.person_id == person]
        fragments = (
            mine[mine.customer_id.notna()]
            .groupby("customer_id")
            .apply(lambda f: sorted(f.source + ":" + f.source_record_id), include_groups=False)
        )
        splits.append(
            {
                "person_id": person,
                "cause": split_cause(mine),
                "fragments": sorted(fragments.tolist()),
            }
        )
    profiles = duckdb.execute(
        f"SELECT count(*) FROM read_parquet('{snapshot}/customer_profile/*.parquet')"
    ).fetchone()
    return IdentityAccount(
        persons=records.person_id.nunique(),
        profiles=int(profiles[0]) if profiles else 0,
        lost_persons=dict(
            Counter(lost.groupby("person_id").apply(_lost_reason, include_groups=False))
        ),
        split_persons=dict(Counter(str(s["cause"]) for s in splits)),
        extra_profiles=int((customers_per_person - 1).sum()),
        merged_customers=int((loaded.groupby("customer_id").person_id.nunique() > 1).sum()),
        same_grouping=same,
        splits=splits,
    )


def _lost_reason(records: pd.DataFrame) -> str:
    """`<source>:<reason>` of the quarantined records of a person none of whose records loaded."""
    return ", ".join(sorted(set(records.source + ":" + records.reason)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True, help="the generated export")
    parser.add_argument("--warehouse", type=Path, required=True, help="built from that export")
    args = parser.parse_args()
    print(json.dumps(asdict(account(args.input, args.warehouse)), indent=1))


if __name__ == "__main__":
    main()
