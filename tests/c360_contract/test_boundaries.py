"""Package boundaries: the contract and the generator never pull in their consumers' frameworks."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after_import(package: str) -> set[str]:
    code = f"import sys, {package}, pkgutil, importlib\n" + (
        f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return {name.split(".")[0] for name in out.split()}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("c360_contract", {"pyspark", "fastapi", "starlette", "c360_spark_processing", "c360_api"}),
        ("c360_mock_data", {"pyspark", "fastapi", "c360_spark_processing", "c360_api"}),
    ],
)
def test_package_does_not_import(package: str, forbidden: set[str]) -> None:
    assert _modules_after_import(package) & forbidden == set()
