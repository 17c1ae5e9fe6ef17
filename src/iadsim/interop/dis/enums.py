"""The notional DIS enumerations iadsim uses: force ids, detonation results, entity types.

Interop stage: names in (threat types, interceptor classes), SISO-REF-010 numbers out, and back
for DIS in. The entity types are *notional*: the kind/domain/category fields follow
SISO-REF-010 so that any DIS viewer draws the right kind of thing, but the country is 0 (Other)
and subcategory/specific are iadsim's own numbering, not real systems.

==================  ======  ======  =======  ========  ===========  ========
name                kind    domain  country  category  subcategory  specific
==================  ======  ======  =======  ========  ===========  ========
aircraft            1 plat  2 air   0        2 attack  0            0
fighter             1 plat  2 air   0        1 fighter 0            0
bomber              1 plat  2 air   0        3 bomber  0            0
recon_aircraft      1 plat  2 air   0        7 recce   0            0
helicopter          1 plat  2 air   0        20 att.h  0            0
uav / drone         1 plat  2 air   0        50 unman  0            0
cruise_missile      2 mun   11 tac  0        1 guided  1            0
anti_ship_missile   2 mun   6 ship  0        1 guided  2            0
anti_radiation_m.   2 mun   4 rad   0        1 guided  3            0
ballistic_missile   2 mun   11 tac  0        2 ballis  1            0
rocket              2 mun   9 batt  0        2 ballis  2            0
interceptor class   2 mun   1 AA    0        1 guided  k (1-based)  0
launcher            1 plat  1 land  0        28 AD     0            0
surveillance radar  1 plat  1 land  0        28 AD     1            0
multifunc. radar    1 plat  1 land  0        28 AD     2            0
==================  ======  ======  =======  ========  ===========  ========

A threat type not in the table is matched on words in its name (``missile`` + ``cruise`` ->
cruise_missile, ``ballistic``, ``drone``/``uav``, ``rocket``, ...) and falls back to
``aircraft``. The interceptor class ``k`` is the class's 1-based position in the sorted list
of classes of the run. A scenario may override any row (``dis.entity_types``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from iadsim.interop.dis.pdu import EntityType

FORCE_OTHER = 0
FORCE_FRIENDLY = 1
FORCE_OPPOSING = 2
FORCE_NEUTRAL = 3
HOSTILE_FORCE_ID = FORCE_OPPOSING
"""Force id of the threats (SISO-REF-010 UID 6: 2 = Opposing)."""
DEFENDING_FORCE_ID = FORCE_FRIENDLY
"""Force id of the defending interceptors and launchers (1 = Friendly)."""

DETONATION_ENTITY_IMPACT = 1
DETONATION_ENTITY_PROXIMATE = 2
DETONATION_DETONATION = 5
DETONATION_NONE = 6
DETONATION_RESULT_HIT = DETONATION_ENTITY_PROXIMATE
"""Detonation result of an intercept that kills (UID 62: 2 = Entity Proximate Detonation)."""
DETONATION_RESULT_MISS = DETONATION_DETONATION
"""Detonation result of an intercept that misses (UID 62: 5 = Detonation, i.e. no entity)."""

KIND_PLATFORM = 1
KIND_MUNITION = 2
DOMAIN_AIR = 2
MUNITION_DOMAIN_ANTI_AIR = 1

THREAT_ENTITY_TYPES: Mapping[str, EntityType] = {
    "aircraft": EntityType(1, 2, 0, 2, 0),
    "fighter": EntityType(1, 2, 0, 1, 0),
    "bomber": EntityType(1, 2, 0, 3, 0),
    "recon_aircraft": EntityType(1, 2, 0, 7, 0),
    "helicopter": EntityType(1, 2, 0, 20, 0),
    "uav": EntityType(1, 2, 0, 50, 0),
    "cruise_missile": EntityType(2, 11, 0, 1, 1),
    "anti_ship_missile": EntityType(2, 6, 0, 1, 2),
    "anti_radiation_missile": EntityType(2, 4, 0, 1, 3),
    "ballistic_missile": EntityType(2, 11, 0, 2, 1),
    "rocket": EntityType(2, 9, 0, 2, 2),
}
"""Notional entity type per canonical threat type (see the module table)."""

_KEYWORDS: Sequence[tuple[tuple[str, ...], str]] = (
    (("ballistic", "tbm", "srbm", "mrbm"), "ballistic_missile"),
    (("anti_ship", "antiship", "ascm"), "anti_ship_missile"),
    (("anti_radiation", "arm"), "anti_radiation_missile"),
    (("cruise", "lacm", "missile"), "cruise_missile"),
    (("rocket", "mlrs", "artillery"), "rocket"),
    (("uav", "drone", "uas", "loitering"), "uav"),
    (("helicopter", "helo"), "helicopter"),
    (("recon", "reconnaissance", "isr", "awacs"), "recon_aircraft"),
    (("fighter",), "fighter"),
    (("bomber",), "bomber"),
)


def canonical_threat_type(threat_type: str) -> str:
    """The table row a threat type maps to (exact name, else keywords, else ``aircraft``)."""
    key = threat_type.strip().lower().replace("-", "_").replace(" ", "_")
    if key in THREAT_ENTITY_TYPES:
        return key
    words = set(key.split("_"))
    for keys, canonical in _KEYWORDS:
        if any(k in words or (len(k) > 4 and k in key) for k in keys):
            return canonical
    return "aircraft"


def threat_entity_type(
    threat_type: str, overrides: Mapping[str, Sequence[int]] | None = None
) -> EntityType:
    """Notional DIS entity type of a threat type (a scenario override wins)."""
    if overrides and threat_type in overrides:
        return EntityType(*overrides[threat_type])
    return THREAT_ENTITY_TYPES[canonical_threat_type(threat_type)]


def interceptor_entity_types(
    classes: Iterable[str], overrides: Mapping[str, Sequence[int]] | None = None
) -> dict[str, EntityType]:
    """Notional munition type per interceptor class: anti-air guided, subcategory = 1-based
    position of the class in sorted order (a scenario override wins)."""
    out: dict[str, EntityType] = {}
    for k, name in enumerate(sorted(set(classes)), start=1):
        if overrides and name in overrides:
            out[name] = EntityType(*overrides[name])
        else:
            out[name] = EntityType(KIND_MUNITION, MUNITION_DOMAIN_ANTI_AIR, 0, 1, k % 256)
    return out


LAUNCHER_ENTITY_TYPE = EntityType(1, 1, 0, 28, 0)
"""Notional ground launcher: platform, land, category 28 (Air Defense / Missile Defense Unit
Equipment), subcategory 0."""

RADAR_ENTITY_TYPES: Mapping[str, EntityType] = {
    "surveillance": EntityType(1, 1, 0, 28, 1),
    "multifunction": EntityType(1, 1, 0, 28, 2),
}
"""Notional radars: platform, land, category 28 like the launchers, iadsim's own subcategory
(country 0 has none assigned): 1 surveillance, 2 multifunction (any other kind: 1)."""


def radar_entity_type(kind: str) -> EntityType:
    """Notional DIS entity type of a radar of the given ``kind``."""
    return RADAR_ENTITY_TYPES.get(kind, RADAR_ENTITY_TYPES["surveillance"])


def is_air_threat_kind(entity_type: EntityType) -> bool:
    """An air platform (kind 1, domain 2) or a munition (kind 2): what DIS in may turn into a
    threat. Land, sea and space platforms, life forms, sensors and the rest never are."""
    return (entity_type.kind, entity_type.domain) == (KIND_PLATFORM, DOMAIN_AIR) or (
        entity_type.kind == KIND_MUNITION)


def threat_type_from_entity_type(
    entity_type: EntityType, known_types: Sequence[str],
    overrides: Mapping[str, Sequence[int]] | None = None,
) -> str | None:
    """DIS in: the scenario threat type an external entity type stands for, or ``None``.

    Matches, in order: an exact 7-field match with a known type's mapping; then kind, domain and
    category; then kind and category (a munition of another domain); then kind and domain.
    Only air platforms and munitions match at all (``is_air_threat_kind``). ``known_types`` are
    the threat types the scenario's models can fly (first one wins on ties).
    """
    if not is_air_threat_kind(entity_type):
        return None
    table = [(name, threat_entity_type(name, overrides)) for name in known_types]
    for fields in ((0, 1, 2, 3, 4, 5, 6), (0, 1, 3), (0, 3), (0, 1)):
        for name, et in table:
            if all(et[i] == entity_type[i] for i in fields):
                return name
    return None
