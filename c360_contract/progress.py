"""The pipeline's progress events: one JSON log line each, which the API's refresh job parses.

The names and the stage list are a contract between the pipeline (which logs them) and every
reader of its output (the refresh job, the terminal progress display).
"""

from __future__ import annotations

STAGES: tuple[str, ...] = ("ingest", "identity", "facts", "profile", "marts", "publish")

STAGE_STARTED = "stage_started"
STAGE_FINISHED = "stage_finished"
PIPELINE_STARTED = "pipeline_started"
PIPELINE_FINISHED = "pipeline_finished"
PIPELINE_FAILED = "pipeline_failed"
