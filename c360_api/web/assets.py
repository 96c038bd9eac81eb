"""The dashboard's chart libraries, built from the installed vl-convert package.

`vl_convert.javascript_bundle()` bundles the Vega, Vega-Lite and Vega-Embed versions vl-convert
renders PNG and SVG with (both take its default Vega-Lite version), so a chart in the browser is
the picture `format=png` draws, and nothing is fetched from a CDN or copied into the repository.
Bundling takes a few seconds and vl-convert holds the GIL while it bundles, so the app builds it
once in a child process (waited for by a background thread) that the app's lifespan starts when
the server is up: in a thread of the API process it stalled every request for those seconds, and
during the start it took a core the start needs. Its URL names the vl-convert
version, so browsers may keep it for a year.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import threading
from dataclasses import dataclass
from importlib.metadata import version

import structlog

log = structlog.get_logger(__name__)

VERSION = version("vl-convert-python")
# The dashboard script needs only vega-embed; it finds it on window.
SNIPPET = "window.vegaEmbed = vegaEmbed;"
BUNDLE_PATH = f"/static/vendor/vega-{VERSION}.js"


@dataclass(frozen=True)
class Asset:
    """A generated file as sent: its bytes, their gzip and an ETag."""

    body: bytes
    gzipped: bytes
    etag: str


def _asset(text: str) -> Asset:
    body = text.encode()
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), f'"{digest}"')


_BUILD = "import sys, vl_convert; sys.stdout.write(vl_convert.javascript_bundle(sys.argv[1]))"


def _bundle_text() -> str:
    """The bundle, made by a child Python (see the module's docstring)."""
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, SNIPPET], capture_output=True, text=True, check=True
    )
    return done.stdout


_lock = threading.Lock()
_bundle: list[Asset] = []


def vega_bundle() -> Asset:
    """The bundle (it sets window.vegaEmbed), built on first use; blocks while another thread
    builds it."""
    with _lock:
        if not _bundle:
            _bundle.append(_asset(_bundle_text()))
        return _bundle[0]


def _warm() -> None:
    """Build the bundle ahead of the first page. A child stopped by a signal means the server is
    stopping (Ctrl-C reaches the terminal's whole process group): nothing to report, and a page
    asked for later would build it again."""
    try:
        vega_bundle()
    except subprocess.CalledProcessError as err:
        if err.returncode >= 0:
            raise
        log.info("vega_bundle_interrupted", signal=-err.returncode)


def build_in_background() -> threading.Thread:
    thread = threading.Thread(target=_warm, name="vega-bundle", daemon=True)
    thread.start()
    return thread
