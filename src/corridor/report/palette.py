"""Colour-blind-safe colours (Okabe & Ito 2008) and the line styles that keep
figures readable when printed in grey."""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"

# Series colours in order of use.
SEQUENCE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK)

MODE_COLOR = {
    "road": ORANGE,
    "rail": BLUE,
    "sea": SKY_BLUE,
    "air": PURPLE,
    "inland_water": GREEN,
}
# Dashes separate the modes when colour is lost (grey print).
MODE_DASH = {
    "road": "solid",
    "rail": "dash",
    "sea": "dot",
    "air": "dashdot",
    "inland_water": "longdash",
}

ON_TIME = BLUE
LATE = VERMILLION
BOTTLENECK = VERMILLION
BAND = "rgba(0, 114, 178, 0.22)"  # BLUE at low alpha: the p10-p90 Monte Carlo band
LAND = "#EFEDE8"
BORDER = "#B8B4AC"


def series(i: int) -> str:
    return SEQUENCE[i % len(SEQUENCE)]


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"
