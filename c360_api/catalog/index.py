"""`GET /catalog`: every metric the API serves, how to ask for it, and the names analysts know it
by in the tools C360 replaces. Generated from the declarations, like the routes themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from c360_api.analytics.endpoints import FORMAT_DESCRIPTION, TABLE_REPRESENTATIONS, TableFormat
from c360_api.api.answers import request_urls
from c360_api.api.deps import AnyDataCtx
from c360_api.api.responses import Envelope
from c360_api.catalog.openapi import representation_responses
from c360_api.catalog.registry import AREAS, CATALOG
from c360_api.catalog.routes import all_params
from c360_api.render.answer import Answer, AnswerTable, Grouping
from c360_api.render.negotiate import ALL_REPRESENTATIONS
from c360_api.render.report import URI_REFERENCE
from c360_contract.catalog import Metric, Param, RowModel, example

router = APIRouter(tags=["catalog"])


class CatalogParam(RowModel):
    name: str = Field(description="Query parameter name.")
    type: str = Field(description="integer, number, string, date or boolean.")
    description: str = Field(description="What the parameter does.")
    default: Any = Field(description="Value when the parameter is absent (null: none).")
    minimum: float | None = Field(description="Smallest allowed value.")
    maximum: float | None = Field(description="Largest allowed value.")
    choices: list[str] | None = Field(description="Allowed values, when enumerated.")
    repeatable: bool = Field(description="Whether the parameter may be given several times.")


class CatalogEntry(RowModel):
    model_config = example(
        id="kpi_summary",
        path="/kpi/summary",
        area="kpi",
        title="KPI summary",
        description="Revenue, orders, completion, buyers and average order value of the window.",
        formula="total_revenue = net amount of completed orders; ...",
        scopes=["customer_success", "finance", "marketing", "product"],
        aliases=["kpi/summary", "basic_stats"],
        tables=["rows"],
        parameters=[],
        examples={"json": "/kpi/summary?format=json"},
    )
    id: str = Field(description="Metric id; its operationId is get_<id>.")
    path: str = Field(description="Route of the metric.")
    area: str = Field(description="Group of related metrics (an OpenAPI tag).")
    title: str = Field(description="Short name.")
    description: str = Field(description="What the metric answers.")
    formula: str = Field(description="How every number is computed.")
    scopes: list[str] = Field(description="Any one of these scopes opens the metric.")
    aliases: list[str] = Field(description="Names analysts know the metric by in other tools.")
    tables: list[str] = Field(description="The tables of the answer (CSV takes `table=`).")
    parameters: list[CatalogParam] = Field(description="Every query parameter but `format`.")
    examples: dict[str, str] = Field(description="An example URL per representation.")


def _type(param: Param) -> str:
    names = {int: "integer", float: "number", str: "string", bool: "boolean"}
    return names.get(param.type, "date")


def _param(param: Param) -> dict[str, Any]:
    return {
        "name": param.name,
        "type": _type(param),
        "description": param.description,
        "default": param.default,
        "minimum": param.ge,
        "maximum": param.le,
        "choices": list(param.choices) if param.choices else None,
        "repeatable": param.repeat,
    }


def entries(catalog: Sequence[Metric], prefix: str = "") -> list[dict[str, Any]]:
    """One entry per metric, its routes under `prefix`."""
    return [
        {
            "id": m.id,
            "path": prefix + m.path,
            "area": m.area,
            "title": m.title,
            "description": m.description,
            "formula": m.formula,
            "scopes": sorted(s.value for s in m.scopes),
            "aliases": list(m.aliases),
            "tables": [t.name for t in m.tables],
            "parameters": [_param(p) for p in all_params(m) if p.name != "format"],
            "examples": {
                r.value: f"{prefix}{m.path}?format={r.value}" for r in ALL_REPRESENTATIONS
            },
        }
        for m in catalog
    ]


class CatalogRow(RowModel):
    """The catalogue as one flat table (CSV)."""

    id: str = Field(description="Metric id.")
    path: str = Field(
        description="Route of the metric (a link in the HTML report).",
        json_schema_extra=URI_REFERENCE,
    )
    area: str = Field(description="Group of related metrics.")
    title: str = Field(description="Short name.")
    description: str = Field(description="What the metric answers.")
    formula: str = Field(description="How every number is computed.")
    scopes: list[str] = Field(description="Any one of these scopes opens the metric.")
    aliases: list[str] = Field(description="Names analysts know the metric by in other tools.")
    parameters: list[str] = Field(description="Query parameter names.")


@router.get(
    "/catalog",
    response_model=Envelope[list[CatalogEntry]],
    responses=representation_responses(
        TABLE_REPRESENTATIONS,
        "The catalogue: JSON (default), CSV (one row per metric) or an HTML report.",
    ),
    operation_id="get_catalog",
)
async def get_catalog(
    ctx: AnyDataCtx,
    format: Annotated[TableFormat | None, Query(description=FORMAT_DESCRIPTION)] = None,
) -> Response:
    """Every metric with its parameters, scopes, aliases and an example URL per representation."""
    listed = entries(CATALOG)

    def build() -> Answer:
        flat = [{**e, "parameters": [p["name"] for p in e["parameters"]]} for e in listed]
        return Answer(
            title="Metric catalogue",
            description="Every metric the API serves and how to ask for it, by area. A metric's "
            "path opens its report; add ?format=json, csv, png or vega for the others.",
            message=f"{len(listed)} metrics",
            tables=(AnswerTable("metrics", CatalogRow, flat, grouping=Grouping("area", AREAS)),),
            count=len(listed),
            snapshot_id=ctx.snapshot.snapshot_id,
            as_of=ctx.snapshot.as_of,
            urls=request_urls(ctx.request, TABLE_REPRESENTATIONS),
            document=(list[CatalogEntry], listed),
        )

    return await ctx.answer(build, TABLE_REPRESENTATIONS)
