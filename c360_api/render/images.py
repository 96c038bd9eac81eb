"""PNG and SVG of a Vega-Lite spec, rendered in process by vl-convert (no browser).

The renderer starts a JavaScript runtime on first use (about 0.4 s), so the app warms it in the
background at start-up and no request pays for it. The same spec gives byte-identical images.
"""

from __future__ import annotations

import threading
from typing import Any

import vl_convert as vlc


def png(spec: dict[str, Any]) -> bytes:
    data: bytes = vlc.vegalite_to_png(spec, scale=1.0)
    return data


def svg(spec: dict[str, Any]) -> str:
    text: str = vlc.vegalite_to_svg(spec)
    return text


def _warm() -> None:
    from c360_api.render.charts import no_data_spec  # imports Altair (about a second)

    png(no_data_spec("warm"))


def warm_in_background() -> threading.Thread:
    """Import the chart builder and start the renderer off the start and request paths."""
    thread = threading.Thread(target=_warm, name="warm-charts", daemon=True)
    thread.start()
    return thread
