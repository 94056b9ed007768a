"""Altair chart builders: plain data (DataFrames, RunResult) in, alt.Chart out."""

from typing import TypeAlias

import altair as alt

from ganlab.variants import VARIANTS

# What `alt.layer(...)` returns, so what every builder that layers charts returns: a LayerChart,
# or a FacetChart when all its layers share a row/column/facet encoding (altair hoists it).
Layered: TypeAlias = alt.LayerChart | alt.FacetChart

# Each variant's colour, the same on every page and chart (the registry holds it).
VARIANT_COLORS = {key: v.color for key, v in VARIANTS.items()}
TARGET_COLOR = "#555555"
