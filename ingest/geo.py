"""Offline map data: African country shapes bundled with the package, and place coordinates.

``data/africa.geojson`` holds the 56 African features of Natural Earth's 1:50m countries
(public domain, via the ``world-atlas`` 2.0.2 TopoJSON), decoded to GeoJSON with coordinates
rounded to 0.01 degree and properties reduced to the tagger's canonical English name. No tile
server, no network: the map renders on an air-gapped machine.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources


@cache
def _features() -> tuple[dict, ...]:
    text = resources.files("ingest").joinpath("data/africa.geojson").read_text("utf-8")
    return tuple(json.loads(text)["features"])


def country_names() -> list[str]:
    """The countries the map can shade, by canonical name."""
    return [feature["properties"]["name"] for feature in _features()]


def shaded(values: Mapping[str, float]) -> list[dict]:
    """Copies of the country features with ``properties.value`` set (0 where absent)."""
    features = copy.deepcopy(list(_features()))
    for feature in features:
        feature["properties"]["value"] = values.get(feature["properties"]["name"], 0)
    return features


def place_coordinates() -> dict[str, tuple[float, float, str]]:
    """The tagger's offline gazetteer, ``{place: (lat, lon, country)}``; empty until it exists."""
    try:
        from ingest.tagger.gazetteer import place_coordinates as gazetteer
    except ImportError:
        return {}
    return dict(gazetteer() if callable(gazetteer) else gazetteer)


def locate(rows: Iterable[dict]) -> tuple[list[dict], list[str]]:
    """Rows with a ``place`` gain ``lat``/``lon``; returns them and the places not found."""
    known = {name.casefold(): point for name, point in place_coordinates().items()}
    found, missing = [], []
    for row in rows:
        point = known.get((row.get("place") or "").casefold())
        if point is None:
            missing.append(row.get("place") or "")
        else:
            found.append({**row, "lat": point[0], "lon": point[1]})
    return found, sorted(set(missing))
