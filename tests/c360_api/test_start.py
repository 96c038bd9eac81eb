"""What the API's start leaves for later: the accounts database (SQLAlchemy, Alembic, the
migration), the dashboard's chart bundle, and no route analysed again on a first request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from c360_api import main
from c360_api.catalog.registry import CATALOG
from c360_api.main import create_app
from tests.c360_api.conftest import headers, make_settings

BUILD_AND_LIST_MODULES = """
import json, sys
from pathlib import Path
from c360_api.core.config import Settings
from c360_api.main import create_app
create_app(Settings(_env_file=None, warehouse=Path(sys.argv[1]), state_dir=Path(sys.argv[2])))
print(json.dumps(sorted(m for m in ("sqlalchemy", "alembic") if m in sys.modules)))
"""


def test_building_the_app_imports_no_sqlalchemy_and_opens_no_database(tmp_path: Path) -> None:
    state = tmp_path / "state"
    done = subprocess.run(
        [sys.executable, "-c", BUILD_AND_LIST_MODULES, str(tmp_path / "warehouse"), str(state)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert not list(state.glob("c360.db*"))


def test_the_lifespan_opens_the_database_and_starts_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundles: list[None] = []
    monkeypatch.setattr(main, "build_bundle_in_background", lambda: bundles.append(None))
    settings = make_settings(tmp_path / "warehouse")
    app = create_app(settings)
    assert bundles == []
    with TestClient(app):
        app.state.db.open()  # waits for the lifespan's opening when it is under way
        assert bundles == [None]
    assert (settings.state_dir / "c360.db").exists()


def test_the_first_metric_request_analyses_no_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI analyses an included router's routes again on the first request that reaches them;
    the catalogue's routes are analysed once, while the app is built."""
    app = create_app(make_settings(tmp_path / "warehouse"))
    analysed: list[str] = []
    handler = APIRoute.get_route_handler

    def counting(route: APIRoute) -> object:
        analysed.append(route.name)
        return handler(route)

    monkeypatch.setattr(APIRoute, "get_route_handler", counting)
    with TestClient(app) as client:
        for metric in CATALOG[:3]:
            # no snapshot is published here: 503, after the route was matched and run
            assert client.get(metric.path, headers=headers("all")).status_code == 503
        workspace = client.get(f"/workspaces/w1{CATALOG[0].path}", headers=headers("all"))
        assert workspace.status_code == 401  # a workspace answers signed-in users
    metric_routes = {m.id for m in CATALOG} | {f"workspace_{m.id}" for m in CATALOG}
    assert metric_routes.isdisjoint(analysed)
