"""`c360 upload-job` loads the models stage's scikit-learn and SciPy in a thread while its first
stages run on the server: the upload pipeline must not import them itself, and the module the
thread loads must be the one that does."""

from __future__ import annotations

import json
import subprocess
import sys

from c360_spark_processing.transactions.cli import MODELS_MODULE


def test_the_models_stage_imports_load_apart() -> None:
    code = (
        "import json, sys, importlib\n"
        "import c360_spark_processing.transactions.pipeline\n"
        "before = sorted({'sklearn', 'scipy'} & set(sys.modules))\n"
        f"importlib.import_module({MODELS_MODULE!r})\n"
        "print(json.dumps([before, sorted({'sklearn', 'scipy'} & set(sys.modules))]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == [[], ["scipy", "sklearn"]]
