"""Uploads: preview a sales export, accept it with a column mapping, run it as a job into the
owner's workspace, report the results (docs/uploads.md)."""
