"""The contract shared by the generator, the pipeline and the API: vocabularies, the warehouse
layout, the pipeline's progress events, logging, the personal-data classification and the units of
the published numbers. It imports neither Spark nor FastAPI, so every package (and a tool that only
reads a warehouse) can depend on it cheaply."""
