"""The metric catalogue: every metric C360 serves, each declared once in its area's module
(`marketing`, `kpi`, `cohorts`, ...) and listed in `registry`. Routes, OpenAPI operations,
representations, `GET /catalog`, the metric tables of docs/metrics.md and the API benchmark's route
list are all generated from the declarations."""
