"""Offline map data: African country shapes bundled with the package, and place coordinates.

``data/africa.geojson`` holds the 56 African features of Natural Earth's 1:50m countries
(public domain, via the ``world-atlas`` 2.0.2 TopoJSON), decoded to GeoJSON with coordinates
rounded to 0.01 degree and properties reduced to the tagger's canonical English name. No tile
server, no network: the map renders on an air-gapped machine.
"""

from __future__ import annotations

import json
import math
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
    """The country features with ``properties.value`` set (0 where absent); the shared
    geometry is not copied, only the properties, so it must not be changed."""
    return [{**feature, "properties": {**feature["properties"],
                                       "value": values.get(feature["properties"]["name"], 0)}}
            for feature in _features()]


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


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """(area, lon, lat) of a polygon ring, planar in degrees: enough to place a marker."""
    area = lon = lat = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        lon += (x0 + x1) * cross
        lat += (y0 + y1) * cross
    if not area:
        return 0.0, ring[0][0], ring[0][1]
    return abs(area) / 2, lon / (3 * area), lat / (3 * area)


@cache
def centroids() -> dict[str, tuple[float, float]]:
    """``{country: (lat, lon)}``: the centre of each country's largest polygon (its mainland,
    not an island), where the Overview map marks a force present in the country."""
    found = {}
    for feature in _features():
        rings = [polygon[0] for polygon in feature["geometry"]["coordinates"]]
        _, lon, lat = max((_ring_centroid(ring) for ring in rings), key=lambda c: c[0])
        found[feature["properties"]["name"]] = (round(lat, 2), round(lon, 2))
    return found


def at_countries(rows: Iterable[dict], spread: float = 1.2) -> list[dict]:
    """Rows with a ``country`` gain ``lat``/``lon`` at its centre; several rows in one country
    sit on a small circle around it (``spread`` degrees), so no marker hides another. Rows
    whose country the map does not hold are left out."""
    known = centroids()
    by_country: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("country") in known:
            by_country.setdefault(row["country"], []).append(row)
    placed = []
    for country, group in by_country.items():
        lat, lon = known[country]
        for index, row in enumerate(group):
            angle = 2 * math.pi * index / len(group)
            radius = spread if len(group) > 1 else 0.0
            placed.append({**row, "lat": round(lat + radius * math.sin(angle), 3),
                           "lon": round(lon + radius * math.cos(angle), 3)})
    return placed
