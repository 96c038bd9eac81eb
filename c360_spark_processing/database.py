"""Sources in a PostgreSQL database (c360_contract.database), before Spark: the driver jar, the
tables' presence, the input fingerprint and size. Like the file checks, they answer before a JVM
starts; the read itself is `extract.read_sources`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from c360_contract.database import ID_COLUMNS, DatabaseUrl
from c360_contract.vocabulary import SOURCES
from c360_spark_processing.inputs import MissingSourceError


class DriverMissingError(RuntimeError):
    """The PostgreSQL JDBC driver jar is not where `jdbc_driver_jar` says."""


def driver_conf(jar: Path) -> dict[str, str]:
    """Spark configuration that puts the driver jar on the classpath (set before Spark starts)."""
    if not jar.is_file():
        raise DriverMissingError(
            f"PostgreSQL JDBC driver not found at {jar}: install it (Debian/Ubuntu: "
            "`apt-get install -y libpostgresql-jdbc-java`) or set C360_PIPELINE_JDBC_DRIVER_JAR"
        )
    return {"spark.jars": str(jar)}


def _connect(url: DatabaseUrl) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(url.conninfo)


def check_tables(url: DatabaseUrl) -> None:
    """Every source has its table (a missing one is refused like a missing export)."""
    with _connect(url) as con:
        present = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        }
    for source in SOURCES:
        if source not in present:
            raise MissingSourceError(f"{source}: no table {source} in {url.redacted}")


def database_fingerprint(url: DatabaseUrl) -> str:
    """Hash of every source table's row count and largest id (or timestamp): a new, removed or
    re-keyed row changes it, without reading the tables' contents."""
    digest = hashlib.sha256()
    with _connect(url) as con:
        for source in SOURCES:
            query = sql.SQL("SELECT count(*), max({})::text FROM {}").format(
                sql.Identifier(ID_COLUMNS[source]), sql.Identifier(source)
            )
            row = con.execute(query).fetchone()
            digest.update(f"{source}\0{row}\n".encode())
    return digest.hexdigest()


def database_bytes(url: DatabaseUrl) -> int:
    """Size on disk of the source tables, to size shuffle partitions as for files."""
    with _connect(url) as con:
        row = con.execute(
            "SELECT coalesce(sum(pg_total_relation_size(quote_ident(t))), 0) "
            "FROM unnest(%s::text[]) AS t",
            [list(SOURCES)],
        ).fetchone()
    return int(row[0]) if row else 0
