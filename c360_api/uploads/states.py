"""An upload job's states (the `upload_jobs.state` column). Apart from the job store: the routes
and pages that test a job's state are imported at the API's start, the store (SQLAlchemy) is not."""

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
