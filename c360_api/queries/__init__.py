"""Queries over a leased snapshot that the catalogue's SQL cannot express on its own: filtered
profile pages and one customer's 360 view. Personal data is masked here, in the query."""
