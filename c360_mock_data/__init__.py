"""Deterministic mock exports of a mid-size US retailer's source systems (`c360 generate`).

`generate(GeneratorConfig(...))` writes the files of docs/data_model.md section 1 plus `_truth/`.
"""

from c360_mock_data.config import GeneratorConfig, GeneratorConfigError
from c360_mock_data.generator import GenerationReport, generate

__all__ = ["GenerationReport", "GeneratorConfig", "GeneratorConfigError", "generate"]
