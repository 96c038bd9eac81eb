"""The sources in a PostgreSQL database instead of files: how the input is named and laid out.

One table per source, named after it (`orders`, `app_events`, ...), with the export's columns
(docs/data_model.md, "Sources in PostgreSQL"). `c360 generate --out postgresql://...` writes
them and `c360 pipeline --input postgresql://...` reads them; both go through this module, so
the layout has one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

SCHEMES: tuple[str, ...] = ("postgresql", "postgres")
DEFAULT_PORT = 5432
# The column each table's rows are told apart by: the partitioned read splits on its hash and
# the input fingerprint takes its maximum (a timestamp for status events, which have no id).
ID_COLUMNS: dict[str, str] = {
    "crm_customers": "crm_id",
    "ecommerce_accounts": "account_id",
    "loyalty_members": "member_id",
    "products": "product_id",
    "orders": "order_id",
    "order_lines": "line_id",
    "app_events": "event_id",
    "support_tickets": "ticket_id",
    "postal_codes": "postal_code",
    "stores": "store_id",
    "services": "service_id",
    "providers": "provider_id",
    "order_status_events": "ts",
    "service_bookings": "booking_id",
}
# The large tables, read in several JDBC partitions; the others are read in one.
PARTITIONED: frozenset[str] = frozenset(
    {"orders", "order_lines", "app_events", "order_status_events", "service_bookings"}
)


def is_database_url(value: str) -> bool:
    return urlsplit(value).scheme in SCHEMES


@dataclass(frozen=True)
class DatabaseUrl:
    """A `postgresql://user:password@host:port/database` URL, parsed."""

    host: str
    port: int
    database: str
    user: str | None
    password: str | None = field(repr=False)

    @classmethod
    def parse(cls, value: str) -> DatabaseUrl:
        parts = urlsplit(value)
        if parts.scheme not in SCHEMES or not parts.hostname or len(parts.path) < 2:
            raise ValueError(
                f"not a postgresql://[user[:password]@]host[:port]/database URL: {value}"
            )
        return cls(
            host=parts.hostname,
            port=parts.port or DEFAULT_PORT,
            database=unquote(parts.path[1:]),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @property
    def jdbc(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.database}"

    @property
    def redacted(self) -> str:
        """The URL without its password: what a manifest or a log may show."""
        user = f"{self.user}@" if self.user else ""
        return f"postgresql://{user}{self.host}:{self.port}/{self.database}"

    @property
    def conninfo(self) -> str:
        """The libpq connection string (`psycopg.connect(url.conninfo)`)."""
        pairs = {"host": self.host, "port": str(self.port), "dbname": self.database,
                 "user": self.user, "password": self.password}  # fmt: skip
        return " ".join(f"{k}={_quoted(v)}" for k, v in pairs.items() if v)


def _quoted(value: str) -> str:
    """A libpq keyword value: single-quoted, backslashes and quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
