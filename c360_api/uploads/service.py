"""The one class the upload routes call: previews, accepted uploads, their jobs, results and
removal. Every job and workspace is looked up with its owner, so another user's is 404."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from c360_api.exceptions import ConflictError, InvalidParameterError
from c360_api.uploads.accept import settle
from c360_api.uploads.paths import StateLayout
from c360_api.uploads.receive import FILE_FIELD, receive_form
from c360_api.uploads.results import results
from c360_api.uploads.runner import UploadRunner
from c360_api.uploads.sniff import Analysis, analyse
from c360_api.uploads.states import FAILED, SUCCEEDED
from c360_api.workspaces.stores import WorkspaceStores
from c360_contract.uploads import UPLOAD_FILE

if TYPE_CHECKING:
    from c360_api.db.models import UploadJob  # SQLAlchemy: not imported at start
    from c360_api.uploads.store import JobStore


def new_id() -> str:
    return uuid.uuid4().hex


class JobNotReadyError(ConflictError):
    description = "The job has not succeeded (yet): see its state."


class UploadService:
    def __init__(
        self,
        runner: UploadRunner,
        layout: StateLayout,
        workspaces: WorkspaceStores,
        max_bytes: int,
    ) -> None:
        self.runner = runner
        self.layout = layout
        self.workspaces = workspaces
        self.max_bytes = max_bytes

    @property
    def jobs(self) -> JobStore:
        """The runner's job store (one per app, made on first use)."""
        return self.runner.jobs

    async def preview(self, request: Request, owner_id: str) -> Analysis:
        """Stream the file to the owner's preview directory, read it, remove it."""
        directory = self.layout.preview_dir(owner_id)
        name = new_id() + ".csv"
        try:
            form = await receive_form(request, directory, name, self.max_bytes)
            path = _require_file(form.path)
            return await run_in_threadpool(analyse, path)
        finally:
            (directory / name).unlink(missing_ok=True)

    async def upload(self, request: Request, owner_id: str) -> UploadJob:
        """Stream the file into a new job's directory, settle its spec, queue the job."""
        job_id, workspace_id = new_id(), new_id()
        job_dir = self.layout.upload_dir(owner_id, job_id)
        try:
            form = await receive_form(request, job_dir, UPLOAD_FILE, self.max_bytes)
            path = _require_file(form.path)
            analysis = await run_in_threadpool(analyse, path)
            spec = settle(analysis, form.fields)
            await run_in_threadpool(spec.write, job_dir)
            options = {
                "mapping": spec.mapping,
                "date_format": spec.date_format,
                "clustering_method": spec.clustering_method,
                "k": spec.k,
                "as_of": None if spec.as_of is None else spec.as_of.isoformat(),
                "delimiter": spec.delimiter,
                "encoding": spec.encoding,
                "decimal_separator": spec.decimal_separator,
            }
            job = await run_in_threadpool(
                self.jobs.create, job_id, workspace_id, owner_id, form.file_name, form.size, options
            )
        except BaseException:
            shutil.rmtree(job_dir, ignore_errors=True)
            raise
        self.runner.submit(job.id)
        return job

    def results(self, owner_id: str, job_id: str) -> dict[str, Any]:
        job = self.succeeded(owner_id, job_id)
        store = self.workspaces.get(owner_id, job.workspace_id)
        store.check()
        with store.lease() as snapshot:
            return results(snapshot, job.id, job.workspace_id)

    def succeeded(self, owner_id: str, job_id: str) -> UploadJob:
        job = self.jobs.owned(owner_id, job_id)
        if job.state != SUCCEEDED:
            raise JobNotReadyError(
                f"Job {job_id} is {job.state}" + (f": {job.error}" if job.error else ""),
                state=job.state,
            )
        return job

    def delete(self, owner_id: str, job_id: str) -> None:
        """The job, its upload, its workspace and every snapshot: off the disk and the database."""
        job = self.jobs.owned(owner_id, job_id)
        self.runner.cancel(job.id)
        self.runner.wait_idle(job.id)
        self.workspaces.forget(job.workspace_id)
        self.runner.remove_files(owner_id, job.id, job.workspace_id)
        self.jobs.delete(job)

    def resubmit(self, owner_id: str, job_id: str) -> UploadJob:
        """Queue a failed job again (its upload is still on disk)."""
        job = self.jobs.owned(owner_id, job_id)
        if job.state != FAILED:
            raise JobNotReadyError(f"Only a failed job can be resubmitted; {job_id} is {job.state}")
        self.jobs.requeue(job.id)
        self.runner.submit(job.id)
        return self.jobs.owned(owner_id, job_id)


def _require_file(path: Path | None) -> Path:
    if path is None:
        raise InvalidParameterError(
            f"No file: send it as the multipart field {FILE_FIELD!r}", parameter=FILE_FIELD
        )
    if path.stat().st_size == 0:
        raise InvalidParameterError("The file is empty", parameter=FILE_FIELD)
    return path
