"""Which representation a request asks for: `format=` decides, else the `Accept` header.

One function serves the routes and the cached-answer fast path, so both key and answer a request
the same way. `Accept` quality values are respected (`application/json;q=0.1, text/csv` is CSV);
a header that names nothing offered falls back to JSON, the default representation.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Representation(StrEnum):
    JSON = "json"
    CSV = "csv"
    PNG = "png"
    HTML = "html"
    VEGA = "vega"


MEDIA_TYPES: dict[Representation, str] = {
    Representation.JSON: "application/json",
    Representation.CSV: "text/csv",
    Representation.PNG: "image/png",
    Representation.HTML: "text/html",
    Representation.VEGA: "application/vnd.vegalite.v5+json",
}
_BY_MEDIA_TYPE = {media: rep for rep, media in MEDIA_TYPES.items()}
ALL_REPRESENTATIONS: tuple[Representation, ...] = tuple(Representation)


class UnknownFormatError(ValueError):
    """`format=` names a representation this route does not offer."""

    def __init__(self, requested: str, offered: Sequence[Representation]) -> None:
        self.requested = requested
        self.offered = [r.value for r in offered]
        super().__init__(f"Unknown format {requested!r}; valid formats: {', '.join(self.offered)}")


def _accepted(accept: str) -> list[tuple[float, int, str]]:
    """(quality, position, media range) of each Accept entry, best first."""
    entries = []
    for position, part in enumerate(accept.split(",")):
        media, *options = (p.strip() for p in part.split(";"))
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            entries.append((quality, position, media.lower()))
    return sorted(entries, key=lambda e: (-e[0], e[1]))


def negotiate(
    formats: Sequence[str], accept: str | None, offered: Sequence[Representation]
) -> Representation:
    """The representation to answer with; raises UnknownFormatError for a bad `format=`.

    `offered` lists the route's representations, the default first. The last `format=` wins, as
    FastAPI reads a repeated scalar (the routes refuse repeats before asking here).
    """
    if formats:
        try:
            wanted = Representation(formats[-1].lower())
        except ValueError:
            raise UnknownFormatError(formats[-1], offered) from None
        if wanted not in offered:
            raise UnknownFormatError(formats[-1], offered)
        return wanted
    if not accept:
        return offered[0]
    for _, _, media in _accepted(accept):
        if media in ("*", "*/*"):
            return offered[0]
        if media.endswith("/*"):
            prefix = media[:-1]
            match = next((r for r in offered if MEDIA_TYPES[r].startswith(prefix)), None)
        else:
            match = _BY_MEDIA_TYPE.get(media)
        if match is not None and match in offered:
            return match
    return offered[0]
