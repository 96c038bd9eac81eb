"""How much memory the local Spark driver gets when nobody says: sized from the machine.

Spark's own default (1 GiB) spills at 1M customers and more than doubles ingest time, so a user
running `c360 pipeline` without flags would not get the benchmarked speed. In local mode the driver
JVM is the whole cluster; it gets a share of the RAM left after a reserve for the API serving
beside it, within a floor and a cap. `c360 pipeline` (and so `make run`, the admin refresh and the
pipeline benchmark, which all run it) takes its driver memory from `driver_memory` here.
"""

from __future__ import annotations

from pathlib import Path

import psutil

from c360_spark_processing.settings import PipelineSettings

GIB = 2**30
MIB = 2**20
CGROUP_LIMITS: tuple[Path, ...] = (
    Path("/sys/fs/cgroup/memory.max"),  # cgroup v2
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),  # cgroup v1
)


def machine_memory_bytes(limits: tuple[Path, ...] = CGROUP_LIMITS) -> int:
    """Physical RAM, or the container's memory limit when that is lower."""
    total = int(psutil.virtual_memory().total)
    for path in limits:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def sized_driver_memory(total_bytes: int, settings: PipelineSettings) -> str:
    """`driver_memory_fraction` of the RAM beyond `driver_memory_reserve_gib`, within the floor
    and cap, in whole MiB (Spark's `m` unit)."""
    usable = total_bytes - settings.driver_memory_reserve_gib * GIB
    wanted = usable * settings.driver_memory_fraction
    bounded = min(
        settings.driver_memory_max_gib * GIB, max(settings.driver_memory_min_gib * GIB, wanted)
    )
    return f"{int(bounded // MIB)}m"


def driver_memory(requested: str | None, settings: PipelineSettings, local: bool) -> str | None:
    """`--driver-memory`, else the `driver_memory` setting, else sized from the machine when the
    master is local; None leaves it to spark-submit or the cluster's defaults."""
    if requested:
        return requested
    if settings.driver_memory:
        return settings.driver_memory
    return sized_driver_memory(machine_memory_bytes(), settings) if local else None
