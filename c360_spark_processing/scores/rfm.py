"""RFM: recency, frequency and monetary scores (1-5), the R x FM segment grid and its action."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from c360_spark_processing.scores.thresholds import thresholds_met
from c360_spark_processing.settings import PipelineSettings

RFM_ACTIONS: dict[str, str] = {
    "Champions": "Reward them; early access, ask for reviews",
    "Loyal Customers": "Upsell higher-value products; enrol in the loyalty programme",
    "Potential Loyalists": "Offer membership or loyalty perks; recommend related products",
    "New Customers": "Onboard well; welcome series and a second-purchase incentive",
    "Promising": "Build brand awareness; free trials and small offers",
    "Need Attention": "Limited-time offers based on past purchases; reactivate",
    "About to Sleep": "Share popular products and renewal discounts; reconnect",
    "At Risk": "Personalised win-back emails and offers; ask for feedback",
    "Hibernating": "Relevant offers at a low cost; recreate brand value",
    "Lost": "Revive with a strong offer or ignore",
}
"""The recommended action for each rfm_segment: the one place to edit the playbook."""


def recency_score(recency_days: Column, settings: PipelineSettings) -> Column:
    """R = 1 + number of day limits the recency is at or under."""
    return 1 + thresholds_met(recency_days, settings.recency_score_days, at_most=True)


def frequency_score(frequency: Column, settings: PipelineSettings) -> Column:
    """F = 1 + number of order-count thresholds reached."""
    return 1 + thresholds_met(frequency, settings.frequency_score_orders)


def monetary_score(monetary: Column, settings: PipelineSettings) -> Column:
    """M = 1 + number of net-revenue thresholds reached."""
    return 1 + thresholds_met(monetary, settings.monetary_score_amounts)


def fm_score(f: Column, m: Column) -> Column:
    """Mean of F and M, halves rounded up, so the segment grid is two-dimensional (R x FM)."""
    return F.floor((f + m) / 2 + 0.5).cast("int")


def rfm_score(r: Column, f: Column, m: Column) -> Column:
    """The three digits as a string, e.g. `545`."""
    return F.concat(r.cast("string"), f.cast("string"), m.cast("string"))


def rfm_segment(r: Column, fm: Column) -> Column:
    """Segment of the (R, FM) cell; every cell with both scores set maps to exactly one segment."""
    return (
        F.when(r.isNull() | fm.isNull(), None)
        .when((r == 5) & (fm >= 4), "Champions")
        .when(r.isin(3, 4) & (fm >= 4), "Loyal Customers")
        .when(r.isin(4, 5) & fm.isin(2, 3), "Potential Loyalists")
        .when((r == 5) & (fm == 1), "New Customers")
        .when((r == 4) & (fm == 1), "Promising")
        .when((r == 3) & (fm == 3), "Need Attention")
        .when((r == 3) & (fm <= 2), "About to Sleep")
        .when((r <= 2) & (fm >= 3), "At Risk")
        .when((r == 1) & (fm == 1), "Lost")
        .otherwise("Hibernating")
    )


def rfm_action(segment: Column) -> Column:
    """Recommended action of a segment, from `RFM_ACTIONS`."""
    mapping = F.create_map(*[F.lit(x) for kv in RFM_ACTIONS.items() for x in kv])
    return F.try_element_at(mapping, segment)
