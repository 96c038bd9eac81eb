"""One SnapshotStore per open workspace warehouse, opened on first use and forgotten on delete."""

from __future__ import annotations

import threading
from collections import OrderedDict

from c360_api.snapshots import SnapshotStore
from c360_api.uploads.paths import StateLayout

KEEP_OPEN = 32


class WorkspaceStores:
    def __init__(self, layout: StateLayout) -> None:
        self._layout = layout
        self._stores: OrderedDict[str, SnapshotStore] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, owner_id: str, workspace_id: str) -> SnapshotStore:
        """The workspace's store (its views over Parquet; uploads are small), newest first kept."""
        with self._lock:
            store = self._stores.get(workspace_id)
            if store is None:
                store = SnapshotStore(self._layout.workspace_dir(owner_id, workspace_id), False)
                self._stores[workspace_id] = store
            self._stores.move_to_end(workspace_id)
            while len(self._stores) > KEEP_OPEN:
                _, old = self._stores.popitem(last=False)
                old.close()
        return store

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            store = self._stores.pop(workspace_id, None)
        if store is not None:
            store.close()

    def published(self, workspace_id: str) -> None:
        """A job published into the workspace: an open store switches at once."""
        with self._lock:
            store = self._stores.get(workspace_id)
        if store is not None:
            store.check()

    def close(self) -> None:
        with self._lock:
            stores, self._stores = list(self._stores.values()), OrderedDict()
        for store in stores:
            store.close()
