"""Terrain: elevation data, masking, terrain following, sea multipath (before the sensors stage).

* ``dem``: ``ElevationGrid`` (geodetic lat/lon grid of heights), vectorised bilinear sampling,
  coverage and nodata checks.
* ``geotiff``: a GeoTIFF in any CRS read with rasterio (imported lazily) and reprojected to
  geodetic.
* ``synthetic``: seeded fractal hills and a coastline (sea = 0 m) for tests and examples.
* ``masking``: per radar, once per scenario, a masking-angle table per azimuth and range over
  the 4/3 earth; a look checks a target's elevation against it by lookup.
* ``multipath``: the two-ray model over the sea (divergence, Fresnel reflection by
  polarisation, sea-state roughness) and smooth-earth diffraction near the horizon: the
  pattern propagation factor ``F``.
* ``launcher_sight``: launcher-to-intercept-point line of sight (a masking table per
  launcher), asked by the engagement envelope test.
* ``following``: cruise missiles' height above the terrain, smoothed to a climb/dive limit.
* ``site_view``: what a radar's look asks of the terrain (visibility, ``F^4``, clutter), and
  ``attach_terrain`` which builds it from the scenario's ``terrain`` section.

Units: SI and radians; degrees only in lat/lon grids (``lat_deg``, ``lon_deg``).
"""
