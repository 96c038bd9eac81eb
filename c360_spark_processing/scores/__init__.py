"""Per-customer scores, each a Column rule over profile columns and the settings."""
