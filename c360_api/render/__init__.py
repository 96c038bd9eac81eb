"""The render layer: one `negotiate()` picks the representation of an answer and one renderer per
media type turns the answer into bytes. Routes and the cache never know the formats' details."""
