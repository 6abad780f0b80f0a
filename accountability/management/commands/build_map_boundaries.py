"""Builds the dashboard map's boundaries (static/geo/uzbekistan_regions.geojson) from
akbartus/GeoJSON-Uzbekistan's regional file, as shipped in the shared reference data:

    manage.py build_map_boundaries SOURCE.geojson static/geo/uzbekistan_regions.geojson

ECharts reads no GeometryCollection, and the upstream file draws holes as overlapping
polygons (Tashkent region over Tashkent city), so the geometry is rewritten; the changes are
recorded in the output's `metadata`.
"""

import json

from django.core.management.base import BaseCommand

ISO = {
    "Tashkent city": "UZ-TK",
    "Namangan region": "UZ-NG",
    "Tashkent region": "UZ-TO",
    "Fergana region": "UZ-FA",
    "Andijan region": "UZ-AN",
    "Syrdarya region": "UZ-SI",
    "Jizzakh region": "UZ-JI",
    "Navoi region": "UZ-NW",
    "Samarkand region": "UZ-SA",
    "Kashkadarya province": "UZ-QA",
    "Surkhandarya region": "UZ-SU",
    "Bukhara region": "UZ-BU",
    "Khorezm region": "UZ-XO",
    "Republic of Karakalpakstan": "UZ-QR",
}
DIGITS = 3


def ring(points):
    out = []
    for x, y in points:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def inside(point, ring):
    x, y = point
    result = False
    for i in range(len(ring)):
        x1, y1 = ring[i]
        x2, y2 = ring[i - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            result = not result
    return result


def contains(outer, ring):
    """Most of ring's points lie inside outer (the rings share no boundary)."""
    votes = [inside(point, outer) for point in ring[:-1]]
    return sum(votes) > len(votes) / 2


def nest(polygons):
    """Upstream draws holes as further polygons of the MultiPolygon (even-odd): a polygon
    inside an odd number of others is a hole of the innermost of them."""
    rings = [polygon[0] for polygon in polygons]
    parents = []
    for i, ring in enumerate(rings):
        containers = [j for j, other in enumerate(rings) if j != i and contains(other, ring)]
        parents.append(containers)
    result = {}
    for i, containers in enumerate(parents):
        if len(containers) % 2 == 0:
            result[i] = [rings[i], *polygons[i][1:]]
    for i, containers in enumerate(parents):
        if len(containers) % 2 == 1:
            # the innermost container: the one inside the most others
            parent = max(containers, key=lambda j: len(parents[j]))
            result[parent].append(rings[i])
    return [result[i] for i in sorted(result)]


def area(ring):
    edges = zip(ring[:-1], ring[1:], strict=True)
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in edges) / 2


def oriented(polygon):
    """RFC 7946 winding: the exterior counterclockwise, holes clockwise, so that holes show
    whatever fill rule the renderer uses."""
    outer, *holes = polygon
    return [
        outer if area(outer) > 0 else outer[::-1],
        *(hole if area(hole) < 0 else hole[::-1] for hole in holes),
    ]


def convert(source: dict) -> dict:
    features = []
    for f in source["features"]:
        polygons = []
        for g in f["geometry"]["geometries"]:
            parts = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
            for polygon in parts:
                outer = ring(polygon[0])
                if outer is None:  # an islet smaller than the rounding
                    continue
                polygons.append([outer, *(r for r in map(ring, polygon[1:]) if r)])
        props = {"iso": ISO[f["properties"]["ADM1_EN"]], **f["properties"]}
        geometry = {"type": "MultiPolygon", "coordinates": [oriented(p) for p in nest(polygons)]}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    if sorted(p["properties"]["iso"] for p in features) != sorted(ISO.values()):
        raise ValueError("the source does not hold the 14 first-level units")
    return {
        "type": "FeatureCollection",
        "metadata": METADATA,
        "features": features,
    }


METADATA = {
    "source": "akbartus/GeoJSON-Uzbekistan, geojson/uzbekistan_regional.geojson, "
    "commit e816d095d6908754d54dede54d774e12cc9fc89b",
    "licence": "GPL-3.0 (repository); geometry derived from OpenStreetMap: "
    "© OpenStreetMap contributors, ODbL 1.0, https://www.openstreetmap.org/copyright",
    "changes": "GeometryCollection of one MultiPolygon unwrapped to MultiPolygon; "
    "polygons lying inside another polygon of the same region made its holes; "
    "rings wound as RFC 7946 asks; "
    "coordinates rounded to 3 decimal places and repeated points dropped; "
    "property iso (ISO 3166-2) added",
}


class Command(BaseCommand):
    help = "Builds the dashboard map's region boundaries from the upstream GeoJSON."

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("destination")

    def handle(self, *args, source, destination, **options):
        with open(source, encoding="utf-8") as handle:
            result = convert(json.load(handle))
        with open(destination, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, separators=(",", ":"))
            handle.write("\n")
        self.stdout.write(f"{len(result['features'])} regions written to {destination}")
