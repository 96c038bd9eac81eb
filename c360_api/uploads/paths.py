"""Where an owner's uploads and workspaces live under the state directory. Every path is built
from ids the server made (uuid hex), checked to be such, never from anything the client named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ID = re.compile(r"^[0-9a-f]{32}$")


def checked(identifier: str) -> str:
    if not _ID.fullmatch(identifier):
        raise ValueError(f"not a server-made id: {identifier!r}")
    return identifier


@dataclass(frozen=True)
class StateLayout:
    root: Path

    def upload_dir(self, owner_id: str, job_id: str) -> Path:
        return self.root / "uploads" / checked(owner_id) / checked(job_id)

    def preview_dir(self, owner_id: str) -> Path:
        return self.root / "uploads" / checked(owner_id) / "previews"

    def workspace_dir(self, owner_id: str, workspace_id: str) -> Path:
        return self.root / "workspaces" / checked(owner_id) / checked(workspace_id)

    @property
    def warm_up_dir(self) -> Path:
        """The warm-up job's scratch space (its file and warehouse, removed after each run)."""
        return self.root / "warm-up"

    @property
    def spark_connect_dir(self) -> Path:
        return self.root / "spark-connect"
