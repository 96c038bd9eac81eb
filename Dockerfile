# C360 image: the API (DuckDB, no JVM in its process) plus Java 17 so the admin refresh can run the
# Spark pipeline as a child process. Not built in this repository's CI (no Docker engine there).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    SPARK_LOCAL_IP=127.0.0.1 \
    C360_WAREHOUSE=/app/warehouse \
    C360_DATA_DIR=/app/data

RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY c360_api ./c360_api
COPY c360_spark_processing ./c360_spark_processing
COPY c360_mock_data ./c360_mock_data
COPY c360_cli ./c360_cli
COPY c360_contract ./c360_contract
RUN uv sync --frozen --no-dev

RUN useradd --create-home c360 && mkdir -p /app/warehouse /app/data && chown -R c360 /app
USER c360
EXPOSE 8000
# Inside a container the server must listen on all interfaces for the port mapping to work.
CMD ["uv", "run", "--no-sync", "c360", "serve", "--host", "0.0.0.0", "--port", "8000"]
