"""Every vocabulary of the data model: the one definition of each enum value.

The source systems' values (docs/data_model.md §1) are what the generator writes and ingest
accepts; the derived ones (segments, statuses, stages, generations, risk levels) are what the
pipeline computes and the API filters on. Plain Python, so every package imports it cheaply.
"""

from __future__ import annotations

GENDERS: tuple[str, ...] = ("F", "M", "X")
ACQUISITION_CHANNELS: tuple[str, ...] = (
    "organic_search",
    "paid_search",
    "social",
    "referral",
    "email",
    "store",
    "affiliate",
)
CUSTOMER_SEGMENTS: tuple[str, ...] = ("Premium", "Standard", "Basic")
ACCOUNT_PLATFORMS: tuple[str, ...] = ("web", "ios", "android")
LOYALTY_TIERS: tuple[str, ...] = ("Bronze", "Silver", "Gold", "Platinum")
CHANNELS: tuple[str, ...] = ("online", "app", "store")
ORDER_STATUSES: tuple[str, ...] = ("completed", "cancelled", "refunded", "payment_failed")
PAYMENT_METHODS: tuple[str, ...] = ("card", "cash", "wallet", "cash_on_delivery")
TRAFFIC_SOURCES: tuple[str, ...] = (
    "direct",
    "organic_search",
    "paid_search",
    "social",
    "email",
    "referral",
)
EVENT_TYPES: tuple[str, ...] = (
    "session_start",
    "product_view",
    "add_to_cart",
    "checkout_start",
    "purchase",
)
TICKET_CHANNELS: tuple[str, ...] = ("email", "chat", "phone")
TICKET_CATEGORIES: tuple[str, ...] = (
    "delivery",
    "returns",
    "billing",
    "product_quality",
    "account",
    "app_issue",
)
TICKET_PRIORITIES: tuple[str, ...] = ("low", "medium", "high", "urgent")
TICKET_STATUSES: tuple[str, ...] = ("open", "pending", "resolved", "closed")
# Operations (docs/data_model.md §1): how an order is fulfilled and paid, the statuses its history
# passes through, and the outcome of a service booking.
FULFILMENT_TYPES: tuple[str, ...] = ("immediate", "scheduled")
PAYMENT_STATUSES: tuple[str, ...] = ("captured", "failed", "refunded", "pending")
ORDER_EVENT_STATUSES: tuple[str, ...] = (
    "placed",
    "paid",
    "packed",
    "shipped",
    "delivered",
    "cancelled",
    "payment_failed",
    "refunded",
)
# The fulfilment funnel of a shipped order, in order (a store order is placed, paid and delivered
# at once).
FUNNEL_STEPS: tuple[str, ...] = ("placed", "paid", "packed", "shipped", "delivered")
# Payment methods whose money arrives as cash (at the till or at the door), and the online ones.
CASH_METHODS: tuple[str, ...] = ("cash", "cash_on_delivery")
ONLINE_METHODS: tuple[str, ...] = ("card", "wallet")
BOOKING_STATUSES: tuple[str, ...] = ("completed", "cancelled", "no_show")
SERVICE_CATEGORIES: tuple[str, ...] = ("Installation", "Assembly", "Repair", "Tech Support")

# The pipeline's sources, in the order ingest validates them.
SOURCES: tuple[str, ...] = (
    "crm_customers",
    "ecommerce_accounts",
    "loyalty_members",
    "products",
    "orders",
    "order_lines",
    "app_events",
    "support_tickets",
    "postal_codes",
    "stores",
    "services",
    "providers",
    "order_status_events",
    "service_bookings",
)

# --- derived vocabularies (docs/metrics.md) ---------------------------------------------------
RFM_SEGMENTS: tuple[str, ...] = (
    "Champions",
    "Loyal Customers",
    "Potential Loyalists",
    "New Customers",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Hibernating",
    "Lost",
)
CUSTOMER_STATUSES: tuple[str, ...] = ("New", "Active", "At Risk", "Churned", "Prospect")
LIFECYCLE_STAGES: tuple[str, ...] = (
    "Prospect",
    "Onboarding",
    "Developing",
    "Mature",
    "Declining",
    "Lapsed",
)
# Youngest first; the last two are the oldest generation and "no birth date".
GENERATIONS: tuple[str, ...] = (
    "Gen Alpha",
    "Gen Z",
    "Millennials",
    "Gen X",
    "Baby Boomers",
    "Silent Generation",
    "Unknown",
)
RISK_STATUSES: tuple[str, ...] = ("Low", "Medium", "High", "Critical")
# Customer clustering methods (docs/metrics.md "Clusters"), as uploads, settings and
# /segments/clusters name them: k-means, a Gaussian mixture, and hierarchical (divisive: Spark's
# bisecting k-means). c360_spark_processing.models.clusters maps each to its scikit-learn estimator.
CLUSTERING_METHODS: tuple[str, ...] = ("kmeans", "gmm", "hierarchical")
# What the churn model is judged against on its test set (docs/metrics.md "Churn propensity"),
# in report order. model: churn_probability; heuristic: churn_risk_score; recency: days since the
# last order; bgnbd: the BG/NBD probability of no purchase in the next churn_cutoff_days.
CHURN_SCORERS: tuple[str, ...] = ("model", "heuristic", "recency", "bgnbd")
# loyalty_tier of customers without a membership: a word no CSV reader takes for a missing value
# (pandas reads "None", "NA" or "null" as empty by default).
NO_LOYALTY_TIER = "No Tier"
