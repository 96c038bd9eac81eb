"""Predictive models: BG/NBD + Gamma-Gamma lifetime value, churn propensity, clustering.

The numeric cores (`bgnbd`, `gamma_gamma`) are plain numpy/scipy over weighted summaries, so
the same code fits on the driver, scores inside a pandas UDF and is checked against the papers.
Spark only ever hands the driver aggregates: distinct summary tuples with their counts.
"""
