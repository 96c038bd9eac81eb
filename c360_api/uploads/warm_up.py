"""The warm-up upload: a small built-in sales export the runner processes on a freshly started
Spark Connect server while no upload waits, so the JVM has compiled the pipeline's paths before
a user's upload needs them (a server's second and third jobs ran 15-30% faster than its first
warm one, on this machine).

The file has what a real export has (returns, a product, a category, a quantity, two years of
days) so the warm-up runs every stage and model a real upload runs.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from c360_contract.uploads import UPLOAD_FILE, UploadSpec

CUSTOMERS = 300
DAYS = 730
START = date(2024, 1, 1)
COLUMNS = ["customer", "date", "invoice", "amount", "product", "category", "quantity"]
MAPPING = {
    "customer_id": "customer",
    "invoice_date": "date",
    "invoice_id": "invoice",
    "amount": "amount",
    "product": "product",
    "category": "category",
    "quantity": "quantity",
}


def write_warm_up_job(job_dir: Path) -> None:
    """The warm-up's job directory: its file and spec, the same every time (seeded)."""
    rng = random.Random(360)
    job_dir.mkdir(parents=True, exist_ok=True)
    lines = [",".join(COLUMNS)]
    for customer in range(CUSTOMERS):
        first = rng.randrange(DAYS)
        for invoice in range(1 + int(rng.expovariate(0.4))):
            day = START + timedelta(days=min(DAYS - 1, first + invoice * rng.randrange(5, 90)))
            for _ in range(rng.randint(1, 3)):
                product = rng.randrange(60)
                amount = rng.uniform(-30, 250) if rng.random() < 0.05 else rng.uniform(3, 250)
                lines.append(
                    f"C{customer:04d},{day.isoformat()},I{customer:04d}-{invoice},{amount:.2f},"
                    f"P{product:03d},G{product % 6},{rng.randint(1, 4)}"
                )
    (job_dir / UPLOAD_FILE).write_text("\n".join(lines) + "\n")
    UploadSpec(
        columns=COLUMNS,
        delimiter=",",
        encoding="utf-8",
        decimal_separator=".",
        mapping=MAPPING,
        date_format="%Y-%m-%d",
    ).write(job_dir)
