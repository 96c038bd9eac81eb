"""The API's own database: users, their workspaces and their upload jobs (SQLAlchemy 2, Alembic)."""
