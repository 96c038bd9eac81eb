"""The transactions-only source profile: a user's sales export (customer, date, invoice, amount,
sometimes product, category and quantity) through the same facts, scores and marts as the
retailer's data. Customer ids are given, so there is no identity resolution (docs/uploads.md)."""
