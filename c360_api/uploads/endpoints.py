"""`/api/jobs`: preview and upload a sales export, follow its job, read its results and report,
delete it. Every route needs a signed-in user and sees only that user's jobs (another user's job
id is 404, like an id that never existed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from c360_api.accounts.deps import CurrentUser
from c360_api.accounts.session import CsrfError
from c360_api.exceptions import InvalidParameterError, NotFoundError, error_responses
from c360_api.uploads.receive import PayloadTooLargeError
from c360_api.uploads.schemas import JobAccepted, JobStatusOut, Preview, Results
from c360_api.uploads.service import JobNotReadyError, UploadService
from c360_api.uploads.sniff import NotCsvError
from c360_contract.vocabulary import CLUSTERING_METHODS

if TYPE_CHECKING:
    from c360_api.db.models import UploadJob  # SQLAlchemy: not imported at start

router = APIRouter(prefix="/api/jobs", tags=["uploads"])

JobId = Annotated[str, Path(description="The id POST /api/jobs/upload answered.")]
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The CSV."},
                        "mapping": {
                            "type": "string",
                            "description": 'JSON object target -> column, e.g. {"customer_id": '
                            '"Customer", "invoice_date": "Date", "invoice_id": "Invoice", '
                            '"amount": "Total"} (upload only).',
                        },
                        "date_format": {
                            "type": "string",
                            "description": "strftime layout of the date column; required when "
                            "the preview says it is ambiguous (upload only).",
                        },
                        "clustering_method": {
                            "type": "string",
                            "enum": list(CLUSTERING_METHODS),
                            "description": "Customer clustering (upload only; default kmeans).",
                        },
                        "k": {"type": "integer", "minimum": 2, "maximum": 12},
                        "as_of": {
                            "type": "string",
                            "format": "date",
                            "description": "End of the analysis (default: the latest "
                            "transaction date); later rows are counted as after_as_of.",
                        },
                    },
                }
            }
        },
    }
}
# A browser's cookie-signed call without its CSRF token is 403 (c360_api.accounts.session).
FILE_ERRORS = error_responses(InvalidParameterError, PayloadTooLargeError, NotCsvError, CsrfError)


async def get_service(request: Request) -> UploadService:
    service: UploadService = request.app.state.uploads
    return service


Service = Annotated[UploadService, Depends(get_service)]


def _owner(user: CurrentUser) -> str:
    assert user.user_id is not None
    return user.user_id


Owner = Annotated[str, Depends(_owner)]


def status_of(job: UploadJob) -> JobStatusOut:
    return JobStatusOut(
        job_id=job.id,
        workspace_id=job.workspace_id,
        file_name=job.file_name,
        file_bytes=job.file_bytes,
        state=job.state,
        stage=job.stage,
        percentage=job.percentage,
        error=job.error,
        snapshot_id=job.snapshot_id,
        as_of=job.as_of,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


@router.post(
    "/upload/preview", response_model=Preview, openapi_extra=UPLOAD_BODY, responses=FILE_ERRORS
)
async def preview_upload(request: Request, owner: Owner, service: Service) -> Preview:
    """What the file looks like: encoding, delimiter, decimal separator, header, the first 20
    rows, column types, the date formats that fit each date column (ambiguous when every value
    fits both day-first and month-first) and a suggested mapping. Nothing is kept."""
    analysis = await service.preview(request, owner)
    return Preview(
        encoding=analysis.encoding,
        delimiter=analysis.delimiter,
        decimal_separator=analysis.decimal_separator,
        has_header=analysis.has_header,
        row_count=analysis.row_count,
        columns=analysis.columns,  # type: ignore[arg-type]
        rows=analysis.rows,
        date_columns=[
            {  # type: ignore[misc]
                "column": d.column,
                "fitting": [vars(f) for f in d.fitting],
                "ambiguous": d.ambiguous,
                "suggested": d.suggested,
            }
            for d in analysis.date_columns
        ],
        suggested_mapping=analysis.mapping,
    )


@router.post(
    "/upload",
    response_model=JobAccepted,
    status_code=202,
    openapi_extra=UPLOAD_BODY,
    responses=FILE_ERRORS,
)
async def upload(request: Request, owner: Owner, service: Service) -> JobAccepted:
    """Upload the file with its mapping: a job processes it into a new workspace (202)."""
    job = await service.upload(request, owner)
    return JobAccepted(
        job_id=job.id,
        workspace_id=job.workspace_id,
        state=job.state,
        links={
            "status": f"/api/jobs/status/{job.id}",
            "results": f"/api/jobs/results/{job.id}",
            "report": f"/api/jobs/report/{job.id}",
            "catalog": f"/workspaces/{job.workspace_id}/catalog",
        },
    )


@router.get("/", response_model=list[JobStatusOut])
def list_jobs(owner: Owner, service: Service) -> list[JobStatusOut]:
    """The caller's jobs, newest first."""
    return [status_of(job) for job in service.jobs.list(owner)]


@router.get(
    "/status/{job_id}", response_model=JobStatusOut, responses=error_responses(NotFoundError)
)
def job_status(job_id: JobId, owner: Owner, service: Service) -> JobStatusOut:
    """State (queued, running, succeeded, failed), stage, percentage and error of a job."""
    return status_of(service.jobs.owned(owner, job_id))


@router.get(
    "/results/{job_id}",
    response_model=Results,
    responses=error_responses(NotFoundError, JobNotReadyError),
)
def job_results(job_id: JobId, owner: Owner, service: Service) -> Any:
    """Row accounting (read = loaded + quarantined, by reason, with samples; rows after as-of),
    KPIs, RFM segments with actions, clusters, CLV summary and links; 409 until it succeeded."""
    return service.results(owner, job_id)


@router.get(
    "/report/{job_id}",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        **error_responses(NotFoundError, JobNotReadyError),
    },
)
def job_report(job_id: JobId, owner: Owner, service: Service) -> Response:
    """A PDF: KPIs, the segment table with actions, the charts, the row accounting and the
    snapshot id."""
    from c360_api.uploads.report import job_report_pdf

    pdf = job_report_pdf(service, owner, job_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="c360-report-{job_id}.pdf"'},
    )


@router.delete("/{job_id}", status_code=204, responses=error_responses(NotFoundError, CsrfError))
def delete_job(job_id: JobId, owner: Owner, service: Service) -> Response:
    """Remove the job, its upload, its workspace and its snapshots from disk and the database."""
    service.delete(owner, job_id)
    return Response(status_code=204)


@router.post(
    "/{job_id}/resubmit",
    response_model=JobStatusOut,
    status_code=202,
    responses=error_responses(NotFoundError, JobNotReadyError, CsrfError),
)
def resubmit_job(job_id: JobId, owner: Owner, service: Service) -> JobStatusOut:
    """Queue a failed job again (e.g. one the API's restart interrupted)."""
    return status_of(service.resubmit(owner, job_id))
