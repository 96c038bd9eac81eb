"""Local wall-clock times in the persons' cities, turned into true UTC instants.

Shopping hours are drawn as local clock times (10:00 in the buyer's city), and the exports hold UTC
instants, so every drawn time is converted with its city's IANA zone (`reference.CITY_TIMEZONES`),
daylight saving included. zoneinfo is asked once per zone and day (and per hour on the days a
clock changes); the rows then convert with one table lookup each, so millions of rows stay fast.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.formatting import IntArray

SECONDS_PER_HOUR = 3600
ZONES: tuple[str, ...] = tuple(sorted(set(ref.CITY_TIMEZONES)))
CITY_ZONE: IntArray = np.array([ZONES.index(z) for z in ref.CITY_TIMEZONES], dtype=np.int64)
"""Per city of `reference.CITIES`: its zone's position in ZONES."""
_MARGIN_DAYS = 1
"""Local days the tables cover on either side of the window."""


def utc_offset(zone: ZoneInfo, local: datetime) -> int:
    """Seconds to add to UTC to get the wall clock `local` (naive) in `zone`.

    zoneinfo's reading (fold=0): a time a spring-forward skips takes the offset before the change
    (02:30 becomes 03:30 daylight time), a time a fall-back repeats its first occurrence.
    """
    offset = local.replace(tzinfo=zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


@lru_cache(maxsize=4)
def offset_table(first_day: int, n_days: int) -> IntArray:
    """UTC offset (seconds) of every zone (rows, ZONES order) for each local hour from
    `first_day` 00:00 (columns, n_days * 24).

    Offsets are constant within a local hour: every zone of the reference data changes its clock
    on the hour. Days whose two midnights share an offset are filled at once.
    """
    start = datetime(1970, 1, 1) + timedelta(days=first_day)
    table = np.empty((len(ZONES), n_days * 24), dtype=np.int64)
    for row, name in enumerate(ZONES):
        zone = ZoneInfo(name)
        midnights = [utc_offset(zone, start + timedelta(days=d)) for d in range(n_days + 1)]
        for day in range(n_days):
            hours = slice(day * 24, day * 24 + 24)
            if midnights[day] == midnights[day + 1]:
                table[row, hours] = midnights[day]
            else:
                moment = start + timedelta(days=day)
                table[row, hours] = [
                    utc_offset(zone, moment + timedelta(hours=h)) for h in range(24)
                ]
    table.flags.writeable = False
    return table


def local_to_utc(
    local: IntArray, city: IntArray, config: GeneratorConfig, margin_days: int = _MARGIN_DAYS
) -> IntArray:
    """UTC epoch seconds of wall-clock times `local` (epoch seconds read as the local clock) in
    each row's city. Local times must lie within `margin_days` of the window."""
    first_day = config.start_day - margin_days
    table = offset_table(first_day, config.n_days + 2 * margin_days)
    hour = local // SECONDS_PER_HOUR - first_day * 24
    return np.asarray(local - table[CITY_ZONE[city], hour], dtype=np.int64)


def utc_to_local(
    ts: IntArray, city: IntArray, config: GeneratorConfig, margin_days: int = _MARGIN_DAYS
) -> IntArray:
    """The wall clock (epoch seconds read as the local clock) of UTC instants `ts` in each row's
    city: the offset of the local hour the instant falls in, found in two lookups (the first,
    at the UTC hour, is off only where the clock changes between the two)."""
    first_day = config.start_day - margin_days
    table = offset_table(first_day, config.n_days + 2 * margin_days)
    zone = CITY_ZONE[city]
    last = table.shape[1] - 1
    guess = ts + table[zone, np.clip(ts // SECONDS_PER_HOUR - first_day * 24, 0, last)]
    hour = np.clip(guess // SECONDS_PER_HOUR - first_day * 24, 0, last)
    return np.asarray(ts + table[zone, hour], dtype=np.int64)


def local_instants(
    day: IntArray, hour: IntArray, city: IntArray, config: GeneratorConfig, rng: np.random.Generator
) -> IntArray:
    """UTC instants of local clock times: epoch day `day` at `hour`, a uniform second within it,
    in each row's city."""
    second = rng.integers(0, SECONDS_PER_HOUR, len(day))
    return local_to_utc(day * SECONDS_PER_DAY + hour * SECONDS_PER_HOUR + second, city, config)


def into_window(ts: IntArray, config: GeneratorConfig) -> IntArray:
    """Instants that conversion moved past the window's end, a day earlier.

    Every US zone is behind UTC, so local times only ever convert to later instants: the last
    local evening of the window lands after its end (19:00 in New York on the last day is 00:00Z
    the day after). Those few move to the day before, keeping their local clock time.
    """
    late = ts > config.end_second
    return np.asarray(ts - late * SECONDS_PER_DAY, dtype=np.int64)
