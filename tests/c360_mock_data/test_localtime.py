"""Local clock times to UTC: the vectorised conversion against zoneinfo row by row, DST days
included, and the zone of every city."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from c360_mock_data import reference as ref
from c360_mock_data.config import SECONDS_PER_DAY, GeneratorConfig
from c360_mock_data.localtime import into_window, local_to_utc

CONFIG = GeneratorConfig(
    customers=1, seed=0, out=Path("unused"), start=date(2023, 1, 1), end=date(2025, 12, 31)
)
CITY_OF_ZONE = {zone: ref.CITY_TIMEZONES.index(zone) for zone in ref.CITY_TIMEZONES}


def _epoch(moment: datetime) -> int:
    """Seconds since 1970 of a naive datetime read as if it were UTC (a wall clock)."""
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def _zoneinfo_utc(wall: datetime, zone: str) -> int:
    """The independent answer: zoneinfo on one datetime (fold=0, as documented)."""
    aware = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return _epoch(aware.replace(tzinfo=None))


def _convert(wall: datetime, zone: str) -> int:
    local = np.array([_epoch(wall)], dtype=np.int64)
    return int(local_to_utc(local, np.array([CITY_OF_ZONE[zone]]), CONFIG)[0])


@pytest.mark.parametrize(
    ("zone", "wall", "utc"),
    [
        ("America/New_York", "2025-01-15 10:00:00", "2025-01-15 15:00:00"),  # EST, -5
        ("America/New_York", "2025-07-15 10:00:00", "2025-07-15 14:00:00"),  # EDT, -4
        ("America/New_York", "2025-03-09 01:59:59", "2025-03-09 06:59:59"),  # before the change
        ("America/New_York", "2025-03-09 02:30:00", "2025-03-09 07:30:00"),  # skipped: read as EST
        ("America/New_York", "2025-03-09 03:00:00", "2025-03-09 07:00:00"),  # EDT from 03:00
        ("America/New_York", "2025-11-02 01:30:00", "2025-11-02 05:30:00"),  # repeated: first (EDT)
        ("America/New_York", "2025-11-02 02:00:00", "2025-11-02 07:00:00"),  # EST again
        ("America/Los_Angeles", "2024-12-31 21:00:00", "2025-01-01 05:00:00"),  # into next year
        ("America/Phoenix", "2025-07-15 10:00:00", "2025-07-15 17:00:00"),  # no DST
        ("Pacific/Honolulu", "2025-12-31 21:59:59", "2026-01-01 07:59:59"),  # past the window
        ("America/Anchorage", "2023-01-01 00:00:00", "2023-01-01 09:00:00"),  # first window day
    ],
)
def test_known_conversions(zone: str, wall: str, utc: str) -> None:
    expected = _epoch(datetime.fromisoformat(utc))
    assert _zoneinfo_utc(datetime.fromisoformat(wall), zone) == expected
    assert _convert(datetime.fromisoformat(wall), zone) == expected


def test_every_quarter_hour_of_every_clock_change_day_matches_zoneinfo() -> None:
    """All zones, each day of the window whose offset changes, every 15 minutes."""
    walls, cities, expected = [], [], []
    for zone, city in CITY_OF_ZONE.items():
        info = ZoneInfo(zone)
        for n in range(CONFIG.n_days):
            day = datetime(2023, 1, 1) + timedelta(days=n)
            before = day.replace(tzinfo=info).utcoffset()
            after = (day + timedelta(days=1)).replace(tzinfo=info).utcoffset()
            if before == after:
                continue
            for quarter in range(96):
                wall = day + timedelta(minutes=15 * quarter)
                walls.append(_epoch(wall))
                cities.append(city)
                expected.append(_zoneinfo_utc(wall, zone))
    assert len(walls) == 8 * 6 * 96  # 8 zones with DST, two changes a year, three years
    got = local_to_utc(np.array(walls), np.array(cities), CONFIG)
    assert got.tolist() == expected


def test_random_times_in_every_city_match_zoneinfo() -> None:
    rng = np.random.default_rng(1)
    local = CONFIG.start_second + rng.integers(0, CONFIG.n_days * SECONDS_PER_DAY, 2000)
    city = rng.integers(0, len(ref.CITIES), 2000)
    expected = [
        _zoneinfo_utc(datetime(1970, 1, 1) + timedelta(seconds=int(s)), ref.CITY_TIMEZONES[c])
        for s, c in zip(local, city, strict=True)
    ]
    assert local_to_utc(local, city, CONFIG).tolist() == expected


def test_into_window_moves_only_instants_past_the_end() -> None:
    end = CONFIG.end_second
    ts = np.array([CONFIG.start_second, end - 1, end, end + 1, end + 4 * 3600], dtype=np.int64)
    assert into_window(ts, CONFIG).tolist() == [
        CONFIG.start_second,
        end - 1,
        end,
        end + 1 - SECONDS_PER_DAY,
        end + 4 * 3600 - SECONDS_PER_DAY,
    ]


def test_every_city_has_its_states_zone() -> None:
    assert len(ref.CITY_TIMEZONES) == len(ref.CITIES)
    for (city, state, _, _), zone in zip(ref.CITIES, ref.CITY_TIMEZONES, strict=True):
        assert zone == ref.STATE_TIMEZONES[state], city
    assert len(ref.STATE_TIMEZONES) == 51  # 50 states and DC
    for zone in set(ref.STATE_TIMEZONES.values()):
        ZoneInfo(zone)  # every name is one zoneinfo knows
    # Split states take their most populous zone.
    assert ref.STATE_TIMEZONES["TX"] == "America/Chicago"
    assert ref.STATE_TIMEZONES["FL"] == "America/New_York"
    assert ref.STATE_TIMEZONES["TN"] == "America/Chicago"
    assert ref.STATE_TIMEZONES["ID"] == "America/Boise"
