"""Altair chart builders: plain data (DataFrames, RunResult) in, alt.Chart out."""

from ganlab.variants import VARIANTS

# Each variant's colour, the same on every page and chart (the registry holds it).
VARIANT_COLORS = {key: v.color for key, v in VARIANTS.items()}
TARGET_COLOR = "#555555"
