"""Helpers for chart tests: walk a Vega-Lite dict for encodings and inline datasets."""

from __future__ import annotations


def views(spec: dict):
    """Every unit view (a dict with an 'encoding') in a possibly layered/concatenated spec."""
    if "encoding" in spec:
        yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []):
            yield from views(sub)


def untitled_axes(spec: dict) -> list[str]:
    """'<mark> <channel>' for every x/y encoding of a field without an explicit title."""
    missing = []
    for view in views(spec):
        mark = view.get("mark")
        mark = mark.get("type") if isinstance(mark, dict) else mark
        for ch in ("x", "y"):
            enc = view["encoding"].get(ch)
            if isinstance(enc, dict) and "field" in enc and not enc.get("title"):
                missing.append(f"{mark} {ch}")
    return missing


def titles(spec: dict, channel: str) -> set[str]:
    return {
        v["encoding"][channel]["title"]
        for v in views(spec)
        if isinstance(v["encoding"].get(channel), dict) and "title" in v["encoding"][channel]
    }


def datasets_with(spec: dict, column: str) -> list[list[dict]]:
    """The inline datasets (records) that have `column`."""
    return [rows for rows in spec.get("datasets", {}).values() if rows and column in rows[0]]
