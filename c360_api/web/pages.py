"""The web app's routes: the dashboard at `/`, the owner's pages under `/app` and the static
files (not API operations).

The page itself carries no data, so it needs no key; the data routes it calls check the caller
as they check any client (`make run` opens the data scopes to callers without a key).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from c360_api.api.answers import accepts_gzip
from c360_api.api.deps import StoreDep
from c360_api.api.params import IsoDate
from c360_api.catalog.registry import AREAS, CATALOG
from c360_api.web.assets import BUNDLE_PATH, vega_bundle
from c360_api.web.dashboard import render_dashboard
from c360_api.web.owner import install_pages

STATIC = Path(__file__).with_name("static")
router = APIRouter(include_in_schema=False)

StartDate = Annotated[IsoDate | None, Query(description="First day of the window.")]
EndDate = Annotated[IsoDate | None, Query(description="Last day of the window.")]


@router.get("/", response_class=HTMLResponse)
def get_dashboard(store: StoreDep, start: StartDate = None, end: EndDate = None) -> HTMLResponse:
    """The dashboard over the current snapshot (a plain def: it may open a new snapshot)."""
    return HTMLResponse(render_dashboard(store, CATALOG, AREAS, start=start, end=end))


@router.get(BUNDLE_PATH)
def get_vega_bundle(request: Request) -> Response:
    """Vega, Vega-Lite and Vega-Embed as vl-convert bundles them (built once, then kept)."""
    asset = vega_bundle()
    headers = {
        "ETag": asset.etag,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if accepts_gzip(request):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="text/javascript", headers=headers)


def install(app: FastAPI) -> None:
    """Add the pages and static files to `app` (its lifespan starts building the chart bundle)."""
    app.include_router(router)
    install_pages(app)  # the owner's pages: sign in, upload, jobs, results, workspace dashboard
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
