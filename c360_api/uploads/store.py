"""The one class touching the workspaces and upload_jobs tables. Every read names its owner: a
job or workspace of another user is simply not found (404, never 403). SQLAlchemy and the models are
imported where used, so the API starts without them (see `c360_api.db.engine`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from c360_api.db.engine import Database
from c360_api.exceptions import NotFoundError

if TYPE_CHECKING:
    from c360_api.db.models import UploadJob

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"


def new_id() -> str:
    return uuid.uuid4().hex


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
        from c360_api.db.models import UploadJob, Workspace

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
        from sqlalchemy import select

        from c360_api.db.models import UploadJob

        with self._db.session() as session:
            job = session.scalar(
                select(UploadJob).where(UploadJob.id == job_id, UploadJob.owner_id == owner_id)
            )
        if job is None:
            raise NotFoundError(f"No job {job_id}", job_id=job_id)
        return job

    def owned_workspace(self, owner_id: str, workspace_id: str) -> UploadJob:
        """The job of the owner's workspace, else 404."""
        from sqlalchemy import select

        from c360_api.db.models import UploadJob

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
        from sqlalchemy import select

        from c360_api.db.models import UploadJob

        with self._db.session() as session:
            return session.scalars(
                select(UploadJob)
                .where(UploadJob.owner_id == owner_id)
                .order_by(UploadJob.created_at.desc(), UploadJob.id)
            ).all()

    def get(self, job_id: str) -> UploadJob | None:
        from c360_api.db.models import UploadJob

        with self._db.session() as session:
            return session.get(UploadJob, job_id)

    def in_state(self, state: str) -> Sequence[UploadJob]:
        from sqlalchemy import select

        from c360_api.db.models import UploadJob

        with self._db.session() as session:
            return session.scalars(
                select(UploadJob).where(UploadJob.state == state).order_by(UploadJob.created_at)
            ).all()

    def started(self, job_id: str, pid: int) -> None:
        from c360_api.db.models import UploadJob, utc_now

        self._set(
            job_id, state=RUNNING, pid=pid, started_at=utc_now(), finished_at=None, error=None,
            stage=None, percentage=0, attempts=UploadJob.attempts + 1,
        )  # fmt: skip

    def progress(self, job_id: str, stage: str | None, percentage: int) -> None:
        self._set(job_id, stage=stage, percentage=percentage)

    def succeeded(self, job_id: str, snapshot_id: str, as_of: date | None) -> None:
        from c360_api.db.models import utc_now

        self._set(
            job_id, state=SUCCEEDED, snapshot_id=snapshot_id, as_of=as_of, percentage=100,
            stage=None, finished_at=utc_now(), pid=None,
        )  # fmt: skip

    def failed(self, job_id: str, error: str) -> None:
        from c360_api.db.models import utc_now

        self._set(job_id, state=FAILED, error=error, finished_at=utc_now(), pid=None)

    def requeue(self, job_id: str) -> None:
        self._set(
            job_id, state=QUEUED, error=None, stage=None, percentage=0, started_at=None,
            finished_at=None, pid=None,
        )  # fmt: skip

    def delete(self, job: UploadJob) -> None:
        from sqlalchemy import delete

        from c360_api.db.models import UploadJob, Workspace

        with self._db.session() as session:
            session.execute(delete(UploadJob).where(UploadJob.id == job.id))
            session.execute(delete(Workspace).where(Workspace.id == job.workspace_id))

    def _set(self, job_id: str, **values: Any) -> None:
        from sqlalchemy import update

        from c360_api.db.models import UploadJob

        with self._db.session() as session:
            session.execute(update(UploadJob).where(UploadJob.id == job_id).values(**values))
