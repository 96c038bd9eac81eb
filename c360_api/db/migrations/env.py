"""Alembic environment: runs on the engine the API hands over (`config.attributes["engine"]`),
or on `sqlalchemy.url` when run from the `alembic` command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from c360_api.db.models import Base

config = context.config
engine: Engine = config.attributes.get("engine") or create_engine(
    config.get_main_option("sqlalchemy.url") or "sqlite:///state/c360.db"
)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
