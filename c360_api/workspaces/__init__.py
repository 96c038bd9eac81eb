"""Workspaces: each upload's own warehouse, served by the same metric catalogue as the retailer's
snapshot, under `/workspaces/{workspace_id}`, to its owner only."""
