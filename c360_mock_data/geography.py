"""Where things are: a centroid for every postal code, the retailer's stores and the service
providers, and the distances between them.

Postal codes are reference data: the same for every seed (drawn from a fixed stream), spread
around their city's centre so that deliveries from the city's stores fall in every distance band.
Stores and providers belong to the retailer and are drawn from the seed's operations stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from c360_mock_data import reference as ref
from c360_mock_data.config import GeneratorConfig
from c360_mock_data.formatting import (
    FloatArray,
    IntArray,
    date_strings,
    degree_strings,
    make_ids,
    pick,
    zero_pad,
)

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = EARTH_RADIUS_KM * np.pi / 180.0
POSTAL_CODES_PER_CITY = 99
"""Codes `<zip3>01` .. `<zip3>99` (population.make_persons draws the same range)."""
POSTAL_SPREAD_KM = 26.0
GEOGRAPHY_SEED = 20_240_611
"""Fixed: postal-code centroids are the same for every seed, like a gazetteer."""
STORES_PER_WEIGHT = 1.5
PROVIDERS_PER_WEIGHT = 3.0
STORE_ID_WIDTH = 4
PROVIDER_ID_WIDTH = 5
SERVICE_ID_WIDTH = 3
POSTAL_CODE_COLUMNS: tuple[str, ...] = ("postal_code", "city", "state", "lat", "lon")
STORE_COLUMNS: tuple[str, ...] = (
    "store_id",
    "name",
    "city",
    "state",
    "postal_code",
    "lat",
    "lon",
    "opened_at",
)
SERVICE_COLUMNS: tuple[str, ...] = (
    "service_id",
    "name",
    "category",
    "base_price",
    "duration_minutes",
)
PROVIDER_COLUMNS: tuple[str, ...] = (
    "provider_id",
    "name",
    "city",
    "state",
    "lat",
    "lon",
    "joined_at",
)


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance on a sphere of EARTH_RADIUS_KM (the pipeline's formula)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)), dtype=np.float64)


def _micro(degrees: FloatArray) -> IntArray:
    """Degrees to whole micro-degrees: the 6 decimals the exports carry, used everywhere after."""
    return np.round(degrees * 1_000_000).astype(np.int64)


@dataclass(frozen=True)
class PostalCodes:
    """Every postal code of every city: row `city * 99 + (code % 100 - 1)`."""

    code: IntArray
    city: IntArray
    lat: FloatArray
    lon: FloatArray

    def row(self, postal_code: IntArray) -> IntArray:
        """Row of each postal code as population.make_persons draws them."""
        city_of_zip3 = np.full(1000, -1, dtype=np.int64)
        city_of_zip3[[c[2] for c in ref.CITIES]] = np.arange(len(ref.CITIES))
        city = city_of_zip3[postal_code // 100]
        return np.asarray(city * POSTAL_CODES_PER_CITY + postal_code % 100 - 1, dtype=np.int64)

    def table(self) -> pa.Table:
        return pa.table(
            {
                "postal_code": zero_pad(self.code, 5),
                "city": pick([c[0] for c in ref.CITIES], self.city),
                "state": pick([c[1] for c in ref.CITIES], self.city),
                "lat": degree_strings(_micro(self.lat)),
                "lon": degree_strings(_micro(self.lon)),
            }
        )


def _around(
    rng: np.random.Generator, lat: FloatArray, lon: FloatArray, spread_km: float
) -> tuple[FloatArray, FloatArray]:
    """Points within `spread_km` of each centre, denser near it, at 6-decimal precision."""
    n = len(lat)
    r = spread_km * rng.random(n) ** 0.8
    theta = rng.uniform(0, 2 * np.pi, n)
    dlat = r * np.cos(theta) / KM_PER_DEGREE
    dlon = r * np.sin(theta) / (KM_PER_DEGREE * np.cos(np.radians(lat)))
    return _micro(lat + dlat) / 1e6, _micro(lon + dlon) / 1e6


def make_postal_codes() -> PostalCodes:
    rng = np.random.default_rng(GEOGRAPHY_SEED)
    city = np.repeat(np.arange(len(ref.CITIES)), POSTAL_CODES_PER_CITY)
    zip3 = np.array([c[2] for c in ref.CITIES])[city]
    code = zip3 * 100 + np.tile(np.arange(1, POSTAL_CODES_PER_CITY + 1), len(ref.CITIES))
    centre = np.array(ref.CITY_COORDINATES)[city]
    lat, lon = _around(rng, centre[:, 0], centre[:, 1], POSTAL_SPREAD_KM)
    return PostalCodes(code=code.astype(np.int64), city=city, lat=lat, lon=lon)


@dataclass(frozen=True)
class Sites:
    """Stores or providers: each at a postal code of its city (a store at its centroid)."""

    city: IntArray
    postal_row: IntArray
    lat: FloatArray
    lon: FloatArray

    @property
    def size(self) -> int:
        return len(self.city)


def _per_city(weight_factor: float, minimum: int) -> IntArray:
    weights = np.array([c[3] for c in ref.CITIES])
    return np.maximum(np.round(weights * weight_factor), minimum).astype(np.int64)


def _sites(
    counts: IntArray, postal: PostalCodes, rng: np.random.Generator, jitter_km: float
) -> Sites:
    city = np.repeat(np.arange(len(counts)), counts)
    # Distinct postal codes within each city.
    order = np.argsort(rng.random((len(counts), POSTAL_CODES_PER_CITY)), axis=1)
    rank = np.arange(len(city)) - np.repeat(np.cumsum(counts) - counts, counts)
    postal_row = city * POSTAL_CODES_PER_CITY + order[city, rank]
    lat, lon = postal.lat[postal_row], postal.lon[postal_row]
    if jitter_km > 0:
        lat, lon = _around(rng, lat, lon, jitter_km)
    return Sites(city=city, postal_row=postal_row.astype(np.int64), lat=lat, lon=lon)


@dataclass(frozen=True)
class Operations:
    """The seed's stores, providers and services, and which store serves each postal code."""

    postal: PostalCodes
    stores: Sites
    providers: Sites
    provider_quality: FloatArray
    """Per provider: mean rating its customers give (1-5)."""
    provider_no_show: FloatArray
    """Per provider: chance a booking ends as a no-show."""
    nearest_store: IntArray
    """Per postal code: the nearest store."""
    other_city_store: IntArray
    """Per postal code: the nearest store in another city (a stock-out's fallback)."""
    store_city_start: IntArray
    """Per city: its first store (stores are grouped by city); `store_city_count` of them."""
    store_city_count: IntArray
    nearest_provider: IntArray
    other_city_provider: IntArray
    provider_city_start: IntArray
    provider_city_count: IntArray
    tables: dict[str, pa.Table]


def _nearest(postal: PostalCodes, sites: Sites, same_city: bool) -> IntArray:
    """Per postal code, the nearest site (in its own city, or in any other city)."""
    d = haversine_km(
        postal.lat[:, None], postal.lon[:, None], sites.lat[None, :], sites.lon[None, :]
    )
    same = postal.city[:, None] == sites.city[None, :]
    d = np.where(same if same_city else ~same, d, np.inf)
    return np.asarray(np.argmin(d, axis=1), dtype=np.int64)


def _first_of_city(counts: IntArray) -> IntArray:
    """First site of each city (sites are grouped by city, `counts` per city)."""
    return np.asarray(np.cumsum(counts) - counts, dtype=np.int64)


def make_operations(config: GeneratorConfig) -> Operations:
    rng = config.operations_rng()
    postal = make_postal_codes()
    store_counts = _per_city(STORES_PER_WEIGHT, 1)
    provider_counts = _per_city(PROVIDERS_PER_WEIGHT, 2)
    stores = _sites(store_counts, postal, rng, 0.0)
    providers = _sites(provider_counts, postal, rng, 2.0)
    store_start = _first_of_city(store_counts)
    provider_start = _first_of_city(provider_counts)
    cities = [c[0] for c in ref.CITIES]
    states = [c[1] for c in ref.CITIES]

    area = np.arange(stores.size) - store_start[stores.city]
    areas = np.array(ref.STORE_AREAS)[area % len(ref.STORE_AREAS)]
    suffix = [
        f" {a // len(ref.STORE_AREAS) + 1}" if a >= len(ref.STORE_AREAS) else "" for a in area
    ]
    opened = config.start_day - rng.integers(30, 15 * 365, stores.size)
    store_table = pa.table(
        {
            "store_id": make_ids("ST-", np.arange(1, stores.size + 1), STORE_ID_WIDTH),
            "name": pa.array(
                [
                    f"C360 {cities[c]} {a}{s}"
                    for c, a, s in zip(stores.city, areas, suffix, strict=True)
                ]
            ),
            "city": pick(cities, stores.city),
            "state": pick(states, stores.city),
            "postal_code": zero_pad(postal.code[stores.postal_row], 5),
            "lat": degree_strings(_micro(stores.lat)),
            "lon": degree_strings(_micro(stores.lon)),
            "opened_at": date_strings(opened.astype(np.int64)),
        }
    )
    last = rng.integers(0, len(ref.LAST_NAMES), providers.size)
    kind = rng.integers(0, len(ref.PROVIDER_SUFFIXES), providers.size)
    joined = config.start_day - rng.integers(1, 6 * 365, providers.size)
    provider_table = pa.table(
        {
            "provider_id": make_ids("PR-", np.arange(1, providers.size + 1), PROVIDER_ID_WIDTH),
            "name": pa.array(
                [
                    f"{ref.LAST_NAMES[n]} {ref.PROVIDER_SUFFIXES[k]}"
                    for n, k in zip(last, kind, strict=True)
                ]
            ),
            "city": pick(cities, providers.city),
            "state": pick(states, providers.city),
            "lat": degree_strings(_micro(providers.lat)),
            "lon": degree_strings(_micro(providers.lon)),
            "joined_at": date_strings(joined.astype(np.int64)),
        }
    )
    service_table = pa.table(
        {
            "service_id": make_ids("SV-", np.arange(1, len(ref.SERVICES) + 1), SERVICE_ID_WIDTH),
            "name": pa.array([s[1] for s in ref.SERVICES]),
            "category": pa.array([s[0] for s in ref.SERVICES]),
            "base_price": pa.array([f"{s[2]:.2f}" for s in ref.SERVICES]),
            "duration_minutes": pa.array([str(s[3]) for s in ref.SERVICES]),
        }
    )
    return Operations(
        postal=postal,
        stores=stores,
        providers=providers,
        provider_quality=np.clip(rng.normal(4.2, 0.45, providers.size), 2.5, 4.9),
        provider_no_show=rng.beta(1.0, 22.0, providers.size),
        nearest_store=_nearest(postal, stores, same_city=True),
        other_city_store=_nearest(postal, stores, same_city=False),
        store_city_start=store_start,
        store_city_count=store_counts,
        nearest_provider=_nearest(postal, providers, same_city=True),
        other_city_provider=_nearest(postal, providers, same_city=False),
        provider_city_start=provider_start,
        provider_city_count=provider_counts,
        tables={
            "postal_codes": postal.table(),
            "stores": store_table,
            "services": service_table,
            "providers": provider_table,
        },
    )
