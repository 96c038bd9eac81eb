"""The documentation derived from the catalogue is the catalogue: docs/metrics.md's metric tables
and the README's route list are regenerated and compared, so they never drift; the README's table
of representations names each one the API serves, with its media type."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360_api.catalog.docs import SECTIONS, rewritten
from c360_api.catalog.registry import CATALOG
from c360_api.render.negotiate import MEDIA_TYPES, Representation
from c360_contract.catalog import Metric


@pytest.mark.parametrize(("path", "name", "body"), SECTIONS, ids=[s[1] for s in SECTIONS])
def test_generated_section_is_up_to_date(path: Path, name: str, body: object) -> None:
    text = path.read_text()
    assert callable(body)
    assert text == rewritten(text, name, body()), f"run `make docs` ({path.name}, {name})"


@pytest.mark.parametrize("metric", CATALOG, ids=[m.id for m in CATALOG])
def test_every_metric_is_documented_with_its_formula(metric: Metric) -> None:
    text = SECTIONS[0][0].read_text()
    assert f"| `{metric.path}` |" in text
    assert metric.formula.replace("|", "\\\\|") in text


@pytest.mark.parametrize("representation", list(Representation), ids=str)
def test_the_readme_documents_catalog_and_each_representation(
    representation: Representation,
) -> None:
    readme = SECTIONS[1][0].read_text()
    assert "`GET /catalog`" in readme
    assert f"| `{representation.value}` | `{MEDIA_TYPES[representation]}` |" in readme
