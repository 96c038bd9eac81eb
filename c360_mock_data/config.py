"""Generator parameters and the calendar window they describe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

SECONDS_PER_DAY = 86_400
_EPOCH = date(1970, 1, 1)


class GeneratorConfigError(ValueError):
    """Raised for generator parameters that cannot describe a data set."""


def epoch_day(d: date) -> int:
    """Days since 1970-01-01, the unit every generated date is computed in."""
    return (d - _EPOCH).days


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything the output depends on: equal configs give byte-identical files.

    `chunk_size` is part of that key because each chunk of persons draws from its own random stream.
    """

    customers: int
    seed: int
    out: Path
    dirty_rate: float = 0.01
    start: date = date(2023, 1, 1)
    end: date = date(2025, 12, 31)
    chunk_size: int = 50_000

    def __post_init__(self) -> None:
        if self.customers < 1:
            raise GeneratorConfigError(f"customers must be >= 1, got {self.customers}")
        if self.seed < 0:
            raise GeneratorConfigError(f"seed must be >= 0, got {self.seed}")
        if not 0.0 <= self.dirty_rate <= 0.2:
            raise GeneratorConfigError(f"dirty_rate must be within [0, 0.2], got {self.dirty_rate}")
        if (self.end - self.start).days < 90:
            raise GeneratorConfigError(
                f"window {self.start}..{self.end} must span at least 90 days"
            )
        if self.chunk_size < 100:
            raise GeneratorConfigError(f"chunk_size must be >= 100, got {self.chunk_size}")

    @property
    def start_day(self) -> int:
        return epoch_day(self.start)

    @property
    def n_days(self) -> int:
        """Days in the window, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def start_second(self) -> int:
        return self.start_day * SECONDS_PER_DAY

    @property
    def end_second(self) -> int:
        """Last second of the window (23:59:59 on the end date)."""
        return (self.start_day + self.n_days) * SECONDS_PER_DAY - 1

    def chunk_bounds(self) -> list[tuple[int, int]]:
        """[first, last) person numbers (0-based) of every chunk, in write order."""
        starts = range(0, self.customers, self.chunk_size)
        return [(s, min(s + self.chunk_size, self.customers)) for s in starts]

    def chunk_rng(self, chunk_index: int) -> np.random.Generator:
        """Independent stream per chunk, derived from the seed alone (never from time or order)."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(1, chunk_index)))

    def catalogue_rng(self) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(0,)))

    def operations_rng(self, chunk_index: int | None = None) -> np.random.Generator:
        """Operations data (stores, providers, fulfilment, bookings) draw from streams of their
        own, so adding them left every earlier export byte-identical; without a chunk, the
        seed's stores and providers."""
        key = (3,) if chunk_index is None else (3, chunk_index)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def operations_defect_rng(self, chunk_index: int | None = None) -> np.random.Generator:
        """Defects of the operations exports, apart from the others' for the same reason
        (without a chunk: of the reference tables written once)."""
        key = (4,) if chunk_index is None else (4, chunk_index)
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))

    def defect_rng(self, chunk_index: int) -> np.random.Generator:
        """Defects draw from their own stream, so the dirty rate never changes the clean data."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2, chunk_index)))
