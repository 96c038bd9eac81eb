"""PNG and SVG of a Vega-Lite spec, rendered in process by vl-convert (no browser).

The renderer starts a JavaScript runtime on first use (about 0.4 s), so the app warms it in the
background at start-up and no request pays for it. The same spec gives byte-identical images.

Text is drawn only in the Liberation Sans that vl-convert carries in memory, never in the host's
fonts: vl-convert measures every label by laying it out alone, and a face it found on disk is
mapped from its file again for each glyph (about 2.9 ms for a 35-character product name against
0.4 ms in memory), so with the host's Liberation Sans installed a chart of 25 named bars spent
two thirds of its time measuring text. The python:3.11-slim image has no Liberation Sans, so it
drew with the bundled one already; now every host draws the same glyphs and bytes. The bundled
face covers Latin, Greek and Cyrillic; other scripts get no host fallback.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import vl_convert as vlc

# fontdb (vl-convert's font database) reads this fontconfig file, if set, once: when the database
# is built on the renderer's first use.
FONTCONFIG_FILE = "FONTCONFIG_FILE"
EMPTY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def _use_bundled_fonts_only() -> None:
    """Build vl-convert's font database from a fontconfig file naming one empty directory, so it
    holds only the fonts vl-convert bundles. An empty list of directories would not do: fontdb
    then falls back to /usr/share/fonts. The variable is restored at once (other fontconfig users
    in the process, such as WeasyPrint, keep the host's fonts)."""
    previous = os.environ.get(FONTCONFIG_FILE)
    with tempfile.TemporaryDirectory(prefix="c360-no-fonts-") as empty:
        config = Path(empty) / "fonts.conf"
        config.write_text(f"<fontconfig><dir>{escape(empty)}</dir></fontconfig>")
        os.environ[FONTCONFIG_FILE] = str(config)
        try:
            vlc.svg_to_png(EMPTY_SVG)  # builds the database; every later conversion reuses it
        finally:
            if previous is None:
                del os.environ[FONTCONFIG_FILE]
            else:
                os.environ[FONTCONFIG_FILE] = previous


# At import, before anything in the process can have built the database from the host's fonts.
_use_bundled_fonts_only()


def png(spec: dict[str, Any], scale: float = 1.0) -> bytes:
    """`scale` 2 for print: a chart full width on A4 at 1 is about 100 dpi, blurred on paper."""
    data: bytes = vlc.vegalite_to_png(spec, scale=scale)
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
