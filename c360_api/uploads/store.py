"""The one class touching the workspaces and upload_jobs tables. Every read names its owner: a
job or workspace of another user is simply not found (404, never 403). It imports SQLAlchemy, which
the API's start leaves for later (`c360_api.db.engine`): nothing imported at start imports this
module (`c360_api.uploads.runner.UploadRunner.jobs` does, on first use)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from c360_api.db.engine import Database
from c360_api.db.models import UploadJob, Workspace, utc_now
from c360_api.exceptions import NotFoundError
from c360_api.uploads.states import FAILED, QUEUED, RUNNING, SUCCEEDED


class JobStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        job_id: str,
        workspace_id: str,
        owner_id: str,
        file_name: str,
        file_bytes: int,
        options: dict[str, Any],
    ) -> UploadJob:
        job = UploadJob(
            id=job_id,
            owner_id=owner_id,
            workspace_id=workspace_id,
            file_name=file_name,
            file_bytes=file_bytes,
            options=options,
            state=QUEUED,
            percentage=0,
            attempts=0,
        )
        with self._db.session() as session:
            session.add(Workspace(id=workspace_id, owner_id=owner_id))
            session.flush()
            session.add(job)
        return job

    def owned(self, owner_id: str, job_id: str) -> UploadJob:
        """The owner's job, else 404 (whoever else owns it)."""
        with self._db.session() as session:
            job = session.scalar(
                select(UploadJob).where(UploadJob.id == job_id, UploadJob.owner_id == owner_id)
            )
        if job is None:
            raise NotFoundError(f"No job {job_id}", job_id=job_id)
        return job

    def owned_workspace(self, owner_id: str, workspace_id: str) -> UploadJob:
        """The job of the owner's workspace, else 404."""
        with self._db.session() as session:
            job = session.scalar(
                select(UploadJob).where(
                    UploadJob.workspace_id == workspace_id, UploadJob.owner_id == owner_id
                )
            )
        if job is None:
            raise NotFoundError(f"No workspace {workspace_id}", workspace_id=workspace_id)
        return job

    def list(self, owner_id: str) -> Sequence[UploadJob]:
        with self._db.session() as session:
            return session.scalars(
                select(UploadJob)
                .where(UploadJob.owner_id == owner_id)
                .order_by(UploadJob.created_at.desc(), UploadJob.id)
            ).all()

    def get(self, job_id: str) -> UploadJob | None:
        with self._db.session() as session:
            return session.get(UploadJob, job_id)

    def in_state(self, state: str) -> Sequence[UploadJob]:
        with self._db.session() as session:
            return session.scalars(
                select(UploadJob).where(UploadJob.state == state).order_by(UploadJob.created_at)
            ).all()

    def started(self, job_id: str, pid: int) -> None:
        self._set(
            job_id, state=RUNNING, pid=pid, started_at=utc_now(), finished_at=None, error=None,
            stage=None, percentage=0, attempts=UploadJob.attempts + 1,
        )  # fmt: skip

    def progress(self, job_id: str, stage: str | None, percentage: int) -> None:
        self._set(job_id, stage=stage, percentage=percentage)

    def succeeded(self, job_id: str, snapshot_id: str, as_of: date | None) -> None:
        self._set(
            job_id, state=SUCCEEDED, snapshot_id=snapshot_id, as_of=as_of, percentage=100,
            stage=None, finished_at=utc_now(), pid=None,
        )  # fmt: skip

    def failed(self, job_id: str, error: str) -> None:
        self._set(job_id, state=FAILED, error=error, finished_at=utc_now(), pid=None)

    def requeue(self, job_id: str) -> None:
        self._set(
            job_id, state=QUEUED, error=None, stage=None, percentage=0, started_at=None,
            finished_at=None, pid=None,
        )  # fmt: skip

    def delete(self, job: UploadJob) -> None:
        with self._db.session() as session:
            session.execute(delete(UploadJob).where(UploadJob.id == job.id))
            session.execute(delete(Workspace).where(Workspace.id == job.workspace_id))

    def _set(self, job_id: str, **values: Any) -> None:
        with self._db.session() as session:
            session.execute(update(UploadJob).where(UploadJob.id == job_id).values(**values))
