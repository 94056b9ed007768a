"""Altair chart builders: plain data (DataFrames, RunResult) in, alt.Chart out."""

# One colour per variant on every page and chart (Okabe–Ito: colour-blind safe).
VARIANT_COLORS = {"gan": "#0072B2", "wgan": "#E69F00", "wgan-gp": "#009E73"}
TARGET_COLOR = "#555555"
