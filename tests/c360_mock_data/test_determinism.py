"""Same arguments, same bytes; another seed, other data; bad parameters are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from c360_cli import main
from c360_mock_data.config import GeneratorConfig, GeneratorConfigError


def _contents(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, bytes]]:
    runs = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        out = tmp_path_factory.mktemp(name)
        argv = [
            "generate",
            "--customers",
            "400",
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--chunk-size",
            "150",
        ]
        assert main(argv) == 0
        runs.append(_contents(out))
    return runs


def test_same_arguments_give_identical_bytes(three_runs: list[dict[str, bytes]]) -> None:
    first, second, _ = three_runs
    assert first.keys() == second.keys()
    assert first == second
    assert "orders.parquet" in first
    assert any(k.startswith("app_events/dt=") for k in first)


def test_another_seed_gives_other_data(three_runs: list[dict[str, bytes]]) -> None:
    first, _, other = three_runs
    for name in (
        "crm_customers.csv",
        "orders.parquet",
        "order_lines.parquet",
        "support_tickets.csv",
    ):
        assert first[name] != other[name]


def test_regenerating_into_the_same_directory_replaces_files(tmp_path: Path) -> None:
    argv = [
        "generate",
        "--customers",
        "200",
        "--seed",
        "1",
        "--out",
        str(tmp_path),
        "--chunk-size",
        "100",
    ]
    assert main(argv) == 0
    before = _contents(tmp_path)
    assert main(argv) == 0
    assert _contents(tmp_path) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customers", 0),
        ("seed", -1),
        ("dirty_rate", 0.5),
        ("end", date(2023, 1, 31)),
        ("chunk_size", 10),
    ],
)
def test_bad_parameters_are_refused(field: str, value: object, tmp_path: Path) -> None:
    kwargs: dict[str, object] = {"customers": 10, "seed": 1, "out": tmp_path, field: value}
    with pytest.raises(GeneratorConfigError):
        GeneratorConfig(**kwargs)  # type: ignore[arg-type]


def test_cli_reports_bad_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--customers", "0", "--out", str(tmp_path)]) == 2
    assert "customers must be >= 1" in capsys.readouterr().err
