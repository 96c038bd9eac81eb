"""Charts are drawn in vl-convert's bundled font whatever fonts the host has installed: the same
spec gives the same PNG on every machine, and no label is measured from a font file on disk (the
slow path, see `c360_api.render.images`).

Each case renders in a fresh interpreter, because the font database is built once per process.
The host's fonts are simulated with a fontconfig file naming a directory that holds a font
called Arial (vl-convert's first choice for `sans-serif`) whose every character is a square."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

# A title, axis labels and a legend: all of Vega's default text is sans-serif.
SPEC = {
    "title": "Stock alerts",
    "data": {"values": [{"name": "Daily Harvest Ultra Snacks 918", "units": 3, "c": "Grocery"}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "name", "type": "nominal"},
        "y": {"field": "units", "type": "quantitative"},
        "color": {"field": "c", "type": "nominal"},
    },
}

RENDER = """
import json, sys
if sys.argv[1] == "project":
    from c360_api.render.images import png
else:
    from vl_convert import vegalite_to_png as png
sys.stdout.buffer.write(png(json.loads(sys.argv[2])))
"""


def square_font(path: Path, family: str) -> None:
    """A TrueType font named `family` drawing every printable ASCII character as a full square."""
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 1000))
    pen.lineTo((1000, 1000))
    pen.lineTo((1000, 0))
    pen.closePath()
    square = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "square"])
    builder.setupCharacterMap(dict.fromkeys(range(0x20, 0x7F), "square"))
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "square": square})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "square": (1000, 0)})
    builder.setupHorizontalHeader(ascent=1000, descent=0)
    builder.setupNameTable({"familyName": family, "styleName": "Regular", "psName": family})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))


def host_fonts(tmp_path: Path, name: str, with_arial: bool) -> Path:
    """A fontconfig file naming one font directory, holding the square Arial or nothing."""
    fonts = tmp_path / name
    fonts.mkdir()
    if with_arial:
        square_font(fonts / "Arial.ttf", "Arial")
    config = tmp_path / f"{name}.conf"
    config.write_text(f"<fontconfig><dir>{fonts}</dir></fontconfig>")
    return config


def render(renderer: str, config: Path) -> bytes:
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    done = subprocess.run(
        [sys.executable, "-c", RENDER, renderer, json.dumps(SPEC)],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def test_a_chart_is_drawn_the_same_whatever_fonts_the_host_has(tmp_path: Path) -> None:
    with_arial = host_fonts(tmp_path, "with-arial", with_arial=True)
    without = host_fonts(tmp_path, "without", with_arial=False)
    # The square Arial is seen at all: vl-convert left to itself draws the chart in it.
    assert render("vl-convert", with_arial) != render("vl-convert", without)
    assert render("project", with_arial) == render("project", without)


def test_the_hosts_fontconfig_setting_is_left_as_it_was(tmp_path: Path) -> None:
    config = host_fonts(tmp_path, "host", with_arial=False)
    code = "import os, c360_api.render.images; print(os.environ.get('FONTCONFIG_FILE'), end='')"
    with_setting = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        capture_output=True,
        check=True,
        text=True,
    )
    assert with_setting.stdout == str(config)
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    without = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, check=True, text=True
    )
    assert without.stdout == "None"
