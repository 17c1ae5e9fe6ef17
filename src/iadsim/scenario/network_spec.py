"""The ``network`` section: fire units, the command hierarchy above them, data links, mobility.

An empty section (the default) keeps today's single centralised battalion: one tracker over
every radar and one command centre over every launcher. With ``units`` given, every radar and
launcher belongs to exactly one unit; each unit keeps its own picture, reports its tracks up
the ``links`` to its superior command, and the top command fuses them and allocates threats
to units (``iadsim.network``). Cross-field rules (names that must exist, cycles, times inside
the run) are in :func:`network_problems` so each error names its own field path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from iadsim.scenario.common import GeoPoint2D, GeoPosition, StrictModel

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario


class RelocationSpec(StrictModel):
    """Move the unit at ``time_s`` to ``destination``: tear down, drive, set up."""

    time_s: float = Field(ge=0.0, le=86_400.0)
    destination: GeoPosition
    road_speed_mps: float | None = Field(default=None, gt=0.0, le=100.0,
                                         description="default: the unit's road_speed_mps")


class ShootAndScootSpec(StrictModel):
    """Relocate after ``after_launches`` rounds or ``after_emission_s`` of radar emission,
    to the ``hides`` in turn (then back to the first)."""

    after_launches: int | None = Field(default=None, ge=1, le=10_000)
    after_emission_s: float | None = Field(default=None, gt=0.0, le=86_400.0)
    hides: list[GeoPoint2D] = Field(min_length=1)

    @model_validator(mode="after")
    def _a_trigger(self) -> ShootAndScootSpec:
        if self.after_launches is None and self.after_emission_s is None:
            raise ValueError("shoot_and_scoot needs after_launches or after_emission_s")
        return self


class FireUnitSpec(StrictModel):
    """A fire unit (radars, launchers, its own command) or a sensor unit (radars only)."""

    name: str = Field(min_length=1)
    sensors: list[str] = Field(default_factory=list, description="radar names (sensors[].name)")
    launchers: list[str] = Field(default_factory=list, description="launcher names")
    superior: str | None = Field(default=None, description="the command it reports to")
    zone_assets: list[str] = Field(
        default_factory=list, description="defended assets it is responsible for; empty: all")
    road_speed_mps: float = Field(default=12.0, gt=0.0, le=100.0)
    teardown_s: float = Field(default=300.0, ge=0.0, le=86_400.0)
    setup_s: float = Field(default=300.0, ge=0.0, le=86_400.0)
    relocations: list[RelocationSpec] = Field(default_factory=list)
    shoot_and_scoot: ShootAndScootSpec | None = None


class CommandNodeSpec(StrictModel):
    """A higher command (sector, brigade); the one without a superior fuses and allocates."""

    name: str = Field(min_length=1)
    superior: str | None = None


class LinkSpec(StrictModel):
    """A data link carrying track reports from ``source`` up to its superior ``destination``
    (and the allocation orders back)."""

    source: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    update_period_s: float = Field(default=2.0, gt=0.0, le=600.0)
    latency_s: float = Field(default=0.5, ge=0.0, le=600.0)
    capacity_reports_per_s: float = Field(default=200.0, gt=0.0, le=1e6)
    max_delay_s: float = Field(default=10.0, gt=0.0, le=3_600.0,
                               description="a report queued longer than this is dropped")
    fail_time_s: float | None = Field(default=None, ge=0.0, le=86_400.0)
    fail_probability: float = Field(default=0.0, ge=0.0, le=1.0,
                                    description="chance the link fails, at a uniform time")


class NetworkSpec(StrictModel):
    """Units, the command hierarchy, data links and the network's engagement policy."""

    units: list[FireUnitSpec] = Field(default_factory=list)
    commands: list[CommandNodeSpec] = Field(default_factory=list)
    links: list[LinkSpec] = Field(default_factory=list)
    engage_on_remote: bool = Field(
        default=False, description="a unit may fire on a track only another unit's radar holds")
    engagements_per_threat: int = Field(default=1, ge=1, le=3,
                                        description="units allocated to one threat at once")
    report_timeout_s: float = Field(default=12.0, gt=0.0, le=3_600.0,
                                    description="the fused picture forgets older reports")
    correlation_gate_probability: float = Field(default=0.999, gt=0.5, lt=1.0)


def _unknown(path: str, names: Iterable[str], known: set[str], what: str) -> Iterable[str]:
    for k, name in enumerate(names):
        if name not in known:
            yield f"{path}[{k}] must name a {what} (got {name!r})"


def network_problems(s: Scenario) -> Iterable[str]:
    """Names that must exist, one owner per radar and launcher, no cycles, times in the run."""
    net = s.network
    if not net.units:
        if net.commands or net.links:
            yield "network.units must list the fire units when commands or links are given"
        return
    sensors = {x.name for x in s.sensors}
    launchers = {x.name for x in s.launchers}
    assets = {a.name for a in s.defended_assets}
    commands = [c.name for c in net.commands]
    units = [u.name for u in net.units]
    seen: dict[str, str] = {}
    for name in units + commands:
        if name in seen:
            yield f"network: the name {name!r} is used twice (units and commands share names)"
        seen[name] = name
    owner: dict[str, str] = {}
    for i, u in enumerate(net.units):
        p = f"network.units[{i}]"
        yield from _unknown(f"{p}.sensors", u.sensors, sensors, "sensor (sensors[].name)")
        yield from _unknown(f"{p}.launchers", u.launchers, launchers, "launcher")
        yield from _unknown(f"{p}.zone_assets", u.zone_assets, assets, "defended asset")
        for k, name in enumerate(u.sensors + u.launchers):
            if name in owner:
                field = "sensors" if k < len(u.sensors) else "launchers"
                j = k if k < len(u.sensors) else k - len(u.sensors)
                yield f"{p}.{field}[{j}] {name!r} already belongs to unit {owner[name]!r}"
            owner[name] = u.name
        if u.superior is not None and u.superior not in commands:
            yield f"{p}.superior must name one of network.commands (got {u.superior!r})"
        for k, r in enumerate(u.relocations):
            if r.time_s >= s.simulation.duration_s:
                yield (f"{p}.relocations[{k}].time_s must be < simulation.duration_s "
                       f"({s.simulation.duration_s!r}) (got {r.time_s!r})")
            if k and r.time_s < u.relocations[k - 1].time_s:
                yield f"{p}.relocations[{k}].time_s must not be before the previous relocation"
    for field, names in (("sensors", [x.name for x in s.sensors]),
                         ("launchers", [x.name for x in s.launchers])):
        for k, name in enumerate(names):
            if name not in owner:
                yield f"{field}[{k}] {name!r} must belong to one of network.units"
    yield from _hierarchy_problems(net)
    superior = {u.name: u.superior for u in net.units} | {c.name: c.superior
                                                          for c in net.commands}
    for i, link in enumerate(net.links):
        p = f"network.links[{i}]"
        if link.source not in superior:
            yield f"{p}.source must name a unit or command (got {link.source!r})"
        elif link.destination != superior[link.source]:
            yield (f"{p}.destination must be the superior of {link.source!r} "
                   f"({superior[link.source]!r}) (got {link.destination!r})")
        if link.fail_time_s is not None and link.fail_time_s >= s.simulation.duration_s:
            yield (f"{p}.fail_time_s must be < simulation.duration_s "
                   f"({s.simulation.duration_s!r}) (got {link.fail_time_s!r})")
    sources = [link.source for link in net.links]
    for i, name in enumerate(sources):
        if name in sources[:i]:
            yield f"network.links[{i}].source {name!r} already has a link to its superior"


def _hierarchy_problems(net: NetworkSpec) -> Iterable[str]:
    """Unknown superiors and cycles among commands; at most one top command."""
    names = [c.name for c in net.commands]
    up = {c.name: c.superior for c in net.commands}
    for i, c in enumerate(net.commands):
        if c.superior is not None and c.superior not in up:
            yield f"network.commands[{i}].superior must name one of network.commands " \
                  f"(got {c.superior!r})"
    for i, c in enumerate(net.commands):
        chain, node = [c.name], c.superior
        while node is not None and node in up:
            if node in chain:
                yield (f"network.commands[{i}].superior makes a cycle in the command hierarchy "
                       f"({' -> '.join([*chain, node])})")
                break
            chain.append(node)
            node = up[node]
    tops = [n for n in names if up[n] is None]
    if names and len(tops) != 1:
        yield f"network.commands must have exactly one top command (no superior) (got {tops})"
