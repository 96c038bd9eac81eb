"""Every threshold, weight and knob of the pipeline, with the defaults `docs/metrics.md` documents.

Transforms receive a `PipelineSettings` (and the as-of date) as arguments and never read globals,
so a test can fix any threshold and an operator can override one through the environment
(`C360_PIPELINE_<FIELD>`, JSON for lists and dicts).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sized
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from c360_contract.vocabulary import CLUSTERING_METHODS, GENERATIONS, LOYALTY_TIERS, SOURCES

_EXPECTED_SIZES: dict[str, int] = {
    "churn_probability_thresholds": 3,
    "recency_score_days": 4,
    "frequency_score_orders": 4,
    "monetary_score_amounts": 4,
    "engagement_session_thresholds": 5,
    "churn_risk_thresholds": 3,
    "health_weights": 5,
    "churn_weights": 4,
}
_WEIGHT_KEYS: dict[str, set[str]] = {
    "health_weights": {"recency", "frequency", "monetary", "engagement", "support"},
    "churn_weights": {"recency", "engagement", "support", "single_order"},
}


def _ascending(values: list[float], name: str) -> list[float]:
    if not values or any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"{name} must be a non-empty, strictly ascending list, got {values}")
    return values


class PipelineSettings(BaseSettings):
    """Metric definitions and run knobs. Defaults are the documented business rules."""

    model_config = SettingsConfigDict(env_prefix="C360_PIPELINE_", env_file=".env", extra="ignore")

    # --- calendar ---
    business_timezone: str = Field(
        default="America/New_York",
        description="IANA time zone whose clock defines business days and hours: order_date, "
        "session and ticket days, the as-of cut and every 'last N days' window.",
    )

    # --- RFM: score = 1 + number of thresholds met (see docs/metrics.md) ---
    recency_score_days: list[float] = Field(
        default=[365, 180, 90, 30],
        description="R = 1 + count of these day limits that recency_days is at or under.",
    )
    frequency_score_orders: list[float] = Field(
        default=[2, 3, 5, 8],
        description="F = 1 + count of these order counts that frequency reaches.",
    )
    monetary_score_amounts: list[float] = Field(
        default=[250, 600, 1200, 2500],
        description="M = 1 + count of these net-revenue amounts that monetary reaches.",
    )

    # --- customer_status ---
    new_customer_days: int = Field(
        default=60, description="First order at most this many days ago -> New."
    )
    active_max_recency_days: int = Field(
        default=120, description="Last order at most this many days ago -> Active."
    )
    at_risk_max_recency_days: int = Field(
        default=270, description="Beyond active and up to this -> At Risk; beyond -> Churned."
    )

    # --- lifecycle ---
    mature_min_orders: int = Field(
        default=5, description="Active customers with at least this many orders are Mature."
    )

    # --- engagement and support sub-scores (0-5) ---
    engagement_window_days: int = Field(
        default=90, description="Digital sessions counted over this trailing window."
    )
    engagement_session_thresholds: list[float] = Field(
        default=[1, 3, 6, 10, 15],
        description="Engagement score = count of these session counts reached in the window (0-5).",
    )
    support_window_days: int = Field(
        default=365, description="Tickets counted over this trailing window."
    )
    support_score_no_csat: float = Field(
        default=3.0, description="Support score when tickets exist but none was rated."
    )
    low_csat_max: int = Field(
        default=2, ge=1, le=5, description="A ticket rated at or below this csat is low-csat."
    )

    # --- health score (0-5): weighted mean of sub-scores; weights must sum to 1 ---
    health_weights: dict[str, float] = Field(
        default={
            "recency": 0.30,
            "frequency": 0.20,
            "monetary": 0.20,
            "engagement": 0.15,
            "support": 0.15,
        },
    )

    # --- churn risk (0-1) ---
    churn_weights: dict[str, float] = Field(
        default={"recency": 0.55, "engagement": 0.20, "support": 0.15, "single_order": 0.10},
    )
    churn_risk_thresholds: list[float] = Field(
        default=[0.30, 0.55, 0.75],
        description="risk_status: below first -> Low, below second -> Medium, below third -> High, else Critical.",
    )

    # --- CLV ---
    clv_horizon_days: int = Field(default=365, description="Horizon of the predicted CLV.")
    clv_min_tenure_days: int = Field(
        default=90, description="Tenure floor so one recent order is not annualised wildly."
    )
    clv_annual_discount_rate: float = Field(
        default=0.10,
        ge=0,
        lt=1,
        description="Annual discount rate of the model's predicted_clv_12m, compounded monthly.",
    )
    clv_holdout_days: int = Field(
        default=182,
        ge=7,
        description="The CLV model's holdout check refits on data up to as_of minus these days "
        "and predicts the repeat purchases of the days after.",
    )

    # --- churn propensity model (docs/metrics.md "Churn propensity") ---
    churn_cutoff_days: int = Field(
        default=90,
        ge=7,
        description="Training cut-off d0 = as_of minus these days; a customer who bought by d0 "
        "and not after it is a churner. Also the horizon of the BG/NBD baseline.",
    )
    churn_test_share: float = Field(
        default=0.2, gt=0, lt=1, description="Share of customers held out to test the model."
    )
    churn_seed: int = Field(default=42, description="Seed of the customers' train/test split.")
    churn_reg_param: float = Field(
        default=0.01, ge=0, description="L2 regularisation of the logistic regression."
    )
    churn_sample_size: int = Field(
        default=50_000,
        ge=100,
        le=200_000,
        description="Training customers sampled (seeded) to fit the logistic regression on the "
        "driver: about 20 doubles each, collected once; every customer is scored in Spark.",
    )
    churn_probability_thresholds: list[float] = Field(
        default=[0.25, 0.50, 0.75],
        description="risk_status from churn_probability: below first Low, below second Medium, "
        "below third High, else Critical (churn_risk_thresholds apply when there is no model).",
    )

    # --- clustering (docs/metrics.md "Clusters") ---
    cluster_method: str = Field(
        default=CLUSTERING_METHODS[0],
        description="The method whose clusters label the profile: "
        + " | ".join(CLUSTERING_METHODS)
        + ".",
    )
    cluster_k_min: int = Field(default=2, ge=2, description="Fewest clusters tried.")
    cluster_k_max: int = Field(default=8, ge=2, description="Most clusters tried.")
    cluster_sample_size: int = Field(
        default=10_000,
        ge=100,
        le=50_000,
        description="Buyers sampled (seeded) to fit and to choose k by silhouette: 21 fits on "
        "50,000 took two thirds of the models' time at 100k customers, 10,000 keeps the "
        "clusters and their silhouettes.",
    )
    cluster_min_share: float = Field(
        default=0.03,
        gt=0,
        lt=0.5,
        description="A k is eligible only when each of its clusters holds at least this share.",
    )
    cluster_seed: int = Field(default=42, description="Seed of the sample and the fits.")

    # --- loyalty: trailing-12-month net spend needed for each tier ---
    loyalty_tier_spend: dict[str, float] = Field(
        default={"Bronze": 0.0, "Silver": 500.0, "Gold": 1500.0, "Platinum": 4000.0},
    )
    loyalty_spend_window_days: int = Field(
        default=365, ge=1, description="Trailing window of spend_last_365d (tier progress)."
    )

    # --- demographics: first birth year of each generation, youngest first ---
    generation_first_birth_year: dict[str, int] = Field(
        default=dict(zip(GENERATIONS, (2013, 1997, 1981, 1965, 1946), strict=False)),
        description="Born in or after the year -> that generation; before the last -> Silent.",
    )

    # --- operations: deliveries (docs/metrics.md "Operations") ---
    delivery_promise_hours: float = Field(
        default=72.0,
        gt=0,
        description="An immediate shipped order is on time when delivered within this many hours "
        "of being placed.",
    )
    delivery_slot_hours: float = Field(
        default=2.0,
        gt=0,
        description="A scheduled order is on time when delivered before the start of its slot "
        "(scheduled_for) plus this many hours.",
    )
    distance_band_edges_km: list[float] = Field(
        default=[5.0, 15.0, 30.0],
        description="Distance bands from the fulfilling store (and of bookings from their "
        "provider), lower edge inclusive: 0-5, 5-15, 15-30, 30+ km.",
    )
    earth_radius_km: float = Field(
        default=6371.0, gt=0, description="Sphere radius of the haversine distances."
    )

    # --- sources in PostgreSQL (`c360 pipeline --input postgresql://...`) ---
    jdbc_driver_jar: Path = Field(
        default=Path("/usr/share/java/postgresql.jar"),
        description="The PostgreSQL JDBC driver jar (Debian: libpostgresql-jdbc-java); put on "
        "Spark's classpath when the input is a database.",
    )
    jdbc_partitions: int | None = Field(
        default=None,
        ge=1,
        description="Partitions the large source tables are read in (split on their id's hash). "
        "Unset: one per core Spark runs tasks on, at most 8; each partition scans the table.",
    )

    # --- demand forecast (docs/metrics.md "Demand forecast") ---
    forecast_horizon_days: int = Field(
        default=28, ge=7, le=28, description="Days after as-of the demand forecast covers."
    )
    forecast_backtest_weeks: int = Field(
        default=8,
        ge=1,
        description="Weeks before as-of the rolling-origin backtest evaluates (one origin a week).",
    )
    forecast_intermittent_share: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="A series with at least this share of zero days is intermittent: forecast "
        "with TSB instead of ETS.",
    )
    forecast_buckets: int = Field(
        default=16,
        ge=1,
        description="Hash buckets of series the forecast runs in (one pandas task per bucket).",
    )

    # --- publish gates (docs/metrics.md "Publish gates"): checked per source right after ingest ---
    max_quarantined_share: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="A source passes when at most this share of its rows read is quarantined "
        "(order_lines: not counting orphan_line, which has its own ceiling).",
    )
    max_quarantined_share_by_source: dict[str, float] = Field(
        default_factory=dict,
        description="Per-source ceilings that replace max_quarantined_share, e.g. "
        '{"app_events": 0.1}.',
    )
    max_orphan_line_share: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="order_lines (order_status_events) passes when at most this share of its rows "
        "read are orphan_line (orphan_event): lines (status events) of quarantined or missing "
        "orders.",
    )
    min_rows_loaded_ratio: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A source passes when it loads at least this share of the rows it loaded in "
        "the current snapshot (waived by --accept-shrink).",
    )
    required_sources: list[str] = Field(
        default_factory=lambda: list(SOURCES),
        description="Sources that must load at least one row.",
    )

    # --- run knobs ---
    keep_snapshots: int = Field(
        default=5, ge=1, description="Snapshots kept; older ones are pruned after a publish."
    )
    keep_rejected: int = Field(
        default=3,
        ge=1,
        description="Rejected runs kept under WH/.rejected for inspection; older ones are pruned.",
    )
    driver_memory: str | None = Field(
        default=None,
        pattern=r"^[0-9]+[kmgtKMGT]$",
        description="spark.driver.memory, e.g. 8g. Default: sized from the machine in local mode "
        "(see driver_memory_*); --driver-memory overrides.",
    )
    driver_memory_reserve_gib: float = Field(
        default=4.0,
        ge=0,
        description="RAM left to others before sizing the local driver: the API (about 2 GiB at 1M "
        "customers), the OS and the Python driver.",
    )
    driver_memory_fraction: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of the remaining RAM given to the driver heap; the rest covers the "
        "JVM's off-heap memory and the page cache.",
    )
    driver_memory_min_gib: float = Field(default=1.0, gt=0, description="Floor of the sizing.")
    driver_memory_max_gib: float = Field(
        default=8.0,
        gt=0,
        description="Cap of the sizing: 8 GiB ran 1M customers within the benchmark's targets.",
    )
    bytes_per_shuffle_partition: int = Field(
        default=64 * 1024 * 1024,
        ge=1,
        description="Shuffle partitions are sized to the input: one per this many input bytes.",
    )
    min_shuffle_partitions: int = Field(default=2, ge=1)
    max_shuffle_partitions: int = Field(default=400, ge=1)
    max_identity_iterations: int = Field(default=30, ge=1)

    @field_validator("business_timezone")
    @classmethod
    def _iana_zone(cls, v: str) -> str:
        """A zone name zoneinfo knows, checked when the settings load: Spark would refuse a typo
        only minutes into a run, and takes a fixed offset like `+05:00`, which never observes
        daylight saving."""
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"business_timezone must be an IANA zone name, got {v!r}") from exc
        return v

    @field_validator("cluster_method")
    @classmethod
    def _known_method(cls, v: str) -> str:
        if v not in CLUSTERING_METHODS:
            raise ValueError(f"cluster_method must be one of {', '.join(CLUSTERING_METHODS)}")
        return v

    @field_validator("recency_score_days")
    @classmethod
    def _recency_descending(cls, v: list[float]) -> list[float]:
        _ascending(list(reversed(v)), "recency_score_days (descending)")
        return v

    @field_validator(
        "frequency_score_orders",
        "monetary_score_amounts",
        "engagement_session_thresholds",
        "churn_risk_thresholds",
        "distance_band_edges_km",
        "churn_probability_thresholds",
    )
    @classmethod
    def _ascending_lists(cls, v: list[float]) -> list[float]:
        return _ascending(v, "thresholds")

    @field_validator("health_weights", "churn_weights")
    @classmethod
    def _weights_sum_to_one(cls, v: dict[str, float]) -> dict[str, float]:
        if abs(sum(v.values()) - 1.0) > 1e-9:
            raise ValueError(f"weights must sum to 1, got {sum(v.values())}")
        return v

    @field_validator(
        "recency_score_days",
        "frequency_score_orders",
        "monetary_score_amounts",
        "engagement_session_thresholds",
        "churn_risk_thresholds",
        "churn_probability_thresholds",
        "health_weights",
        "churn_weights",
    )
    @classmethod
    def _expected_size(cls, v: Sized, info: ValidationInfo) -> Sized:
        """Scores are 1-5 (0-5 for engagement) and risk has four levels, so the sizes are fixed."""
        expected = _EXPECTED_SIZES[str(info.field_name)]
        if len(v) != expected:
            raise ValueError(f"{info.field_name} needs {expected} entries, got {len(v)}")
        return v

    @field_validator("health_weights", "churn_weights")
    @classmethod
    def _weight_keys(cls, v: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        expected = _WEIGHT_KEYS[str(info.field_name)]
        if set(v) != expected:
            raise ValueError(f"{info.field_name} keys must be {sorted(expected)}, got {sorted(v)}")
        return v

    @field_validator("loyalty_tier_spend")
    @classmethod
    def _tier_spend(cls, v: dict[str, float]) -> dict[str, float]:
        if list(v) != list(LOYALTY_TIERS):
            raise ValueError(f"loyalty_tier_spend keys must be {list(LOYALTY_TIERS)} in order")
        _ascending(list(v.values()), "loyalty_tier_spend")
        return v

    @field_validator("max_quarantined_share_by_source", "required_sources")
    @classmethod
    def _known_sources(cls, v: Collection[str], info: ValidationInfo) -> Collection[str]:
        unknown = sorted(set(v) - set(SOURCES))
        if unknown:
            raise ValueError(
                f"{info.field_name}: unknown sources {unknown}; known: {list(SOURCES)}"
            )
        return v

    @field_validator("max_quarantined_share_by_source")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        if any(not 0 <= share <= 1 for share in v.values()):
            raise ValueError(f"shares must lie within [0, 1], got {v}")
        return v

    @field_validator("generation_first_birth_year")
    @classmethod
    def _generations(cls, v: dict[str, int]) -> dict[str, int]:
        _ascending([float(y) for y in reversed(v.values())], "generation_first_birth_year")
        return v

    @model_validator(mode="after")
    def _cluster_range(self) -> PipelineSettings:
        if self.cluster_k_min > self.cluster_k_max:
            raise ValueError(
                f"cluster_k_min ({self.cluster_k_min}) exceeds cluster_k_max ({self.cluster_k_max})"
            )
        return self


def default_settings() -> PipelineSettings:
    """Settings from the environment (and `.env`) over the documented defaults."""
    return PipelineSettings()


def code_version() -> str:
    """Package version, stamped into every manifest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("c360")
    except PackageNotFoundError:  # running from a source tree without install
        return "0.0.0+" + Path(__file__).resolve().parent.name
