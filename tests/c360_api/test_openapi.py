"""The OpenAPI document as clients use it: documented statuses and the error envelope, 405's
`Allow`, docs pages that work offline, and a client generated from /openapi.json parsing every
operation's success and error answers."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from c360_api.catalog.registry import CATALOG
from c360_api.main import create_app
from tests.c360_api.conftest import KEYS, Expect, build_test_warehouse, headers, make_settings
from tests.c360_api.helpers import error

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
DATA = {"200", "401", "403", "422", "429", "503"}
# Every catalogue metric is a data route; so are the profile list and the catalogue itself.
DATA_PATHS = (*(m.path for m in CATALOG), "/analytics/customer-profiles", "/catalog")
# A signed-in user's routes: no token (401), bad parameters (422), the rate limit (429).
USER = {"401", "422", "429"}
# A user route that changes something, called with the browser's session cookie but without the
# CSRF token: 403.
CHANGES = {"403"}
# A workspace's metrics and catalog: 404 for anyone but its owner, 503 before its job succeeded.
WORKSPACE = {"200", "401", "404", "422", "429", "503"}
USER_PREFIXES = ("/api/", "/workspaces/")
# What each operation can answer (written from the routes' behaviour, not read from the app).
EXPECTED_STATUSES: dict[tuple[str, str], set[str]] = {
    ("GET", "/ping"): {"200"},
    ("GET", "/health"): {"200", "503"},
    **{("GET", path): DATA for path in DATA_PATHS},
    ("GET", "/customers/lookup"): DATA | {"404"},
    ("GET", "/customers/{customer_id}"): DATA | {"404"},
    ("POST", "/admin/refresh-data"): {"202", "401", "403", "409", "422", "429"},
    ("GET", "/admin/jobs/{job_id}"): {"200", "401", "403", "404", "422", "429"},
    ("GET", "/admin/metrics"): {"200", "401", "403", "429"},
    ("POST", "/api/auth/register"): {"201", "409", "422", "429"},
    ("POST", "/api/auth/login"): {"200", "401", "422", "429"},
    ("POST", "/api/auth/login/json"): {"200", "401", "422", "429"},
    ("GET", "/api/auth/me"): {"200", "401", "404", "422", "429"},
    ("POST", "/api/jobs/upload/preview"): USER | CHANGES | {"200", "413", "415"},
    ("POST", "/api/jobs/upload"): USER | CHANGES | {"202", "413", "415"},
    ("GET", "/api/jobs/"): USER | {"200"},
    ("GET", "/api/jobs/status/{job_id}"): USER | {"200", "404"},
    ("GET", "/api/jobs/results/{job_id}"): USER | {"200", "404", "409"},
    ("GET", "/api/jobs/report/{job_id}"): USER | {"200", "404", "409"},
    ("DELETE", "/api/jobs/{job_id}"): USER | CHANGES | {"204", "404"},
    ("POST", "/api/jobs/{job_id}/resubmit"): USER | CHANGES | {"202", "404", "409"},
    **{
        ("GET", f"/workspaces/{{workspace_id}}{path}"): WORKSPACE
        for path in DATA_PATHS
        if path != "/analytics/customer-profiles"
    },
}


def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


class TestDocumentedErrors:
    def test_every_operation_documents_what_it_can_answer(self, client: TestClient) -> None:
        documented = {
            (method.upper(), path): set(operation["responses"])
            for path, methods in spec(client)["paths"].items()
            for method, operation in methods.items()
        }
        assert documented == EXPECTED_STATUSES

    def test_errors_are_documented_as_the_envelope_the_server_sends(
        self, client: TestClient
    ) -> None:
        document = spec(client)
        for methods in document["paths"].values():
            for operation in methods.values():
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")):
                        schema = response["content"]["application/json"]["schema"]
                        assert schema == {"$ref": ENVELOPE_REF}, (operation["operationId"], status)
                        assert response["description"]
        schemas = document["components"]["schemas"]
        assert "HTTPValidationError" not in schemas
        envelope = schemas["ErrorEnvelope"]
        assert set(envelope["required"]) == {
            "error_type",
            "error_message",
            "timestamp",
            "error_details",
        }
        assert schemas["ErrorDetails"]["required"] == ["status_code"]

    def test_an_answer_matches_the_documented_envelope(self, client: TestClient) -> None:
        body = error(
            client.get("/analytics/customer-profiles?limit=0", headers=headers("all")), 422
        )
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", body["timestamp"])
        assert body["error_type"] == "validation_error"


class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("POST", "/marketing/customer-health-overview", {"GET"}),
            ("DELETE", "/analytics/customer-profiles", {"GET"}),
            ("GET", "/admin/refresh-data", {"POST"}),
            ("PUT", "/health", {"GET"}),
        ],
    )
    def test_405_carries_allow_and_the_envelope(
        self, client: TestClient, method: str, path: str, allowed: set[str]
    ) -> None:
        response = client.request(method, path, headers=headers("all"))
        body = error(response, 405)
        assert body["error_type"] == "method_not_allowed"
        assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
        for method in allowed:  # what Allow lists is allowed
            assert client.request(method, path, headers=headers("all")).status_code != 405


class TestOfflineDocs:
    ASSET = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")
    TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "json"}

    @pytest.mark.parametrize("page", ["/docs", "/redoc"])
    def test_pages_load_only_local_assets(self, client: TestClient, page: str) -> None:
        html = client.get(page)
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        urls = {a or b for a, b in self.ASSET.findall(html.text)}
        assert "/openapi.json" in urls
        assert any(u.endswith(".js") for u in urls)
        assert not re.search(r"https?://|//cdn|fonts\.googleapis", html.text)
        for url in urls:
            assert url.startswith("/"), url
            asset = client.get(url)
            assert asset.status_code == 200, url
            suffix = Path(url).suffix
            assert self.TYPES[suffix] in asset.headers["content-type"], url
            assert len(asset.content) > 100, url

    def test_swagger_ui_and_redoc_are_the_real_bundles(self, client: TestClient) -> None:
        swagger = client.get("/docs").text
        redoc = client.get("/redoc").text
        assert "SwaggerUIBundle" in swagger
        assert "<redoc" in redoc
        bundle = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', swagger)
        assert bundle is not None
        assert "SwaggerUIBundle" in client.get(bundle.group(1)).text


# --- a client generated from the spec -------------------------------------------------------


def generate_client(document: dict[str, Any], directory: Path) -> ModuleType:
    """Run openapi-python-client (offline) on `document` and import the package it writes."""
    (directory / "spec.json").write_text(json.dumps(document))
    (directory / "config.json").write_text(json.dumps({"post_hooks": []}))
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(directory / "spec.json"),
            "--config",
            str(directory / "config.json"),
            "--output-path",
            str(directory / "c360_client"),
            "--meta",
            "none",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module("c360_client")
    finally:
        sys.path.remove(str(directory))


def endpoint_modules(package: ModuleType) -> Iterator[ModuleType]:
    api = Path(package.__file__ or "").parent / "api"
    for module in sorted(api.glob("*/*.py")):
        if module.name != "__init__.py":
            yield importlib.import_module(
                f"{package.__name__}.api.{module.parent.name}.{module.stem}"
            )


def operations_by_id(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (method, path); the generator names each endpoint module after its id (runs
    of underscores squeezed)."""
    return {
        re.sub("_+", "_", operation["operationId"]): (method.upper(), path)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


class Apps:
    """The apps a scenario needs: normal, limited to one request a minute, without a snapshot."""

    def __init__(self, pipeline_warehouse: Path, tmp: Path) -> None:
        self.warehouse = build_test_warehouse(pipeline_warehouse, tmp / "normal")
        self.normal = create_app(make_settings(self.warehouse, snapshot_in_memory=False))
        limited = build_test_warehouse(pipeline_warehouse, tmp / "limited")
        self.limited = create_app(
            make_settings(limited, snapshot_in_memory=False, rate_limit_per_minute=1)
        )
        self.empty = create_app(make_settings(tmp / "empty" / "warehouse"))


class TestGeneratedClient:
    def test_every_operation_parses_its_success_and_error_answers(
        self, pipeline_warehouse: Path, tmp_path: Path
    ) -> None:
        apps = Apps(pipeline_warehouse, tmp_path)
        document = spec(TestClient(apps.normal))
        package = generate_client(document, tmp_path)
        operation_of = {
            module: operations_by_id(document)[module.__name__.rsplit(".", 1)[1]]
            for module in endpoint_modules(package)
        }
        client_module = importlib.import_module(f"{package.__name__}.client")
        envelope_model = importlib.import_module(
            f"{package.__name__}.models.error_envelope"
        ).ErrorEnvelope
        expect = Expect(apps.warehouse)
        customer = expect.df("SELECT min(customer_id) c FROM customer_profile")["c"][0]
        member = expect.df(
            "SELECT min(source_record_id) i FROM identity_crosswalk WHERE source = 'loyalty'"
        )["i"][0]
        control = apps.warehouse.parent / "control.json"

        def client(app: FastAPI, role: str | None, **httpx_args: Any) -> Any:
            transport = httpx.ASGITransport(app=app)
            args = {
                "base_url": "http://testserver",
                "httpx_args": {"transport": transport, **httpx_args},
            }
            if role is None:
                return client_module.Client(**args)
            return client_module.AuthenticatedClient(
                token=KEYS[role][0], prefix="", auth_header_name="X-API-Key", **args
            )

        def call(module: ModuleType, api_client: Any, found: bool = True) -> Any:
            values: dict[str, Any] = {}
            for name, parameter in inspect.signature(module.asyncio_detailed).parameters.items():
                if name == "client" or parameter.default is not parameter.empty:
                    continue
                if name == "customer_id":
                    values[name] = customer if found else "no-such-customer"
                elif name == "job_id":
                    values[name] = job_id if found else "no-such-job"
                elif name == "source":
                    values[name] = parameter.annotation("loyalty")
                elif name == "id":
                    values[name] = member if found else "LOY-none"
                else:
                    raise AssertionError(f"no value for {name}")
            return asyncio.run(module.asyncio_detailed(client=api_client, **values))

        def parsed_error(response: Any, status: int) -> None:
            assert response.status_code == status
            assert isinstance(response.parsed, envelope_model), response.content
            assert response.parsed.success is False
            assert response.parsed.error_details.status_code == status
            assert response.parsed.error_message

        # The user routes (bearer tokens, uploads, workspaces) are driven status by status by
        # tests/c360_api/uploads; a client generated from the same document parses them there.
        modules = [m for m in operation_of if not operation_of[m][1].startswith(USER_PREFIXES)]
        refresh = next(m for m in modules if operation_of[m] == ("POST", "/admin/refresh-data"))
        control.write_text(json.dumps({"mode": "wait"}))
        with TestClient(apps.normal), TestClient(apps.limited), TestClient(apps.empty):
            started = call(refresh, client(apps.normal, "all"))
            job_id = started.parsed.data.job_id
            scenarios: dict[str, Callable[[ModuleType], Any]] = {
                "401": lambda m: call(m, client(apps.normal, None)),
                "403": lambda m: call(
                    m, client(apps.normal, "marketing" if "admin" in m.__name__ else "admin")
                ),
                "404": lambda m: call(m, client(apps.normal, "all"), found=False),
                "409": lambda m: call(m, client(apps.normal, "all")),
                "422": lambda m: call(
                    m, client(apps.normal, "all", params={"not_a_parameter": "1"})
                ),
                "429": lambda m: [call(m, client(apps.limited, "admin")) for _ in range(2)][-1],
                "503": lambda m: call(m, client(apps.empty, "all")),
            }
            covered: dict[tuple[str, str], set[str]] = {}
            for module in modules:
                operation = operation_of[module]
                statuses = EXPECTED_STATUSES[operation]
                success = next(s for s in statuses if s.startswith("2"))
                answer = started if module is refresh else call(module, client(apps.normal, "all"))
                assert answer.status_code == int(success), (operation, answer.content)
                assert answer.parsed is not None
                assert not isinstance(answer.parsed, envelope_model)
                assert answer.parsed.to_dict(), operation
                for status in sorted(statuses - {success}):
                    parsed_error(scenarios[status](module), int(status))
                covered[operation] = statuses
            control.write_text(json.dumps({"mode": "fail"}))
        assert covered == {
            op: statuses
            for op, statuses in EXPECTED_STATUSES.items()
            if not op[1].startswith(USER_PREFIXES)
        }
