"""Fire units and the command hierarchy, as index arrays the run uses.

In: the validated scenario (``network`` section). Out: ``NetworkPlan``: which unit owns each
radar and launcher, each node's superior and up-link, the top command, the depth of each node
(links are served bottom-up so a relayed report crosses every link of its path in one step),
and each unit's fire-control channels and fire-control radars. A unit's own tracks carry ids
``(unit + 1) * TRACK_ID_STRIDE + local id``, so ids stay unique across the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.model import Scenario

TRACK_ID_STRIDE = 10_000_000
"""Unit ``u``'s track ``k`` is ``(u + 1) * TRACK_ID_STRIDE + k`` across the network."""


@dataclass(frozen=True, slots=True)
class NetworkPlan:
    """Who owns what, who reports to whom."""

    unit_names: tuple[str, ...]
    command_names: tuple[str, ...]
    sensor_unit: NDArray[np.intp]  # (S,) owning unit of each radar
    launcher_unit: NDArray[np.intp]  # (L,) owning unit of each launcher
    superior: dict[str, str | None]  # node -> its superior command
    uplink: dict[str, int]  # node -> index of its link in scenario.network.links
    top: str | None  # the command that fuses and allocates
    depth: dict[str, int]  # node -> links to the top (0 for the top)
    fire_control_channels: tuple[int | None, ...]  # per unit (None: no limit stated)
    guidance_channels: tuple[int | None, ...]  # per unit
    zone: NDArray[np.bool_]  # (units, assets): the unit answers for the asset

    @property
    def n_units(self) -> int:
        return len(self.unit_names)

    def unit_of_track(self, track_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """Owning unit of network track ids (-1 for system track numbers or foreign ids)."""
        u = np.asarray(track_id, np.int64) // TRACK_ID_STRIDE - 1
        return np.where((u >= 0) & (u < self.n_units), u, -1)

    def path(self, node: str) -> list[int]:
        """Links from ``node`` up to the top command; empty when it has none (autonomous)."""
        out: list[int] = []
        while node != self.top:
            if node not in self.uplink:
                return []
            out.append(self.uplink[node])
            up = self.superior.get(node)
            if up is None:
                return []
            node = up
        return out


def plan_network(s: Scenario) -> NetworkPlan:
    """The plan of a scenario with ``network.units`` (validated at load)."""
    net = s.network
    sensors = [x.name for x in s.sensors]
    launchers = [x.name for x in s.launchers]
    sensor_unit = np.full(len(sensors), -1, np.intp)
    launcher_unit = np.full(len(launchers), -1, np.intp)
    for u, spec in enumerate(net.units):
        sensor_unit[[sensors.index(n) for n in spec.sensors]] = u
        launcher_unit[[launchers.index(n) for n in spec.launchers]] = u
    superior = {u.name: u.superior for u in net.units} | {c.name: c.superior
                                                          for c in net.commands}
    tops = [c.name for c in net.commands if c.superior is None]
    top = tops[0] if tops else None
    depth: dict[str, int] = {}
    for name in superior:
        d, node = 0, name
        while node is not None and node != top and d <= len(superior):
            node, d = superior.get(node), d + 1
        depth[name] = d
    def total(spec_sensors: list[str], attr: str) -> int | None:
        given = [int(v) for x in s.sensors if x.name in spec_sensors
                 if (v := getattr(x, attr, None)) is not None]
        return sum(given) if given else None

    channels = [total(u.sensors, "fire_control_channels") for u in net.units]
    guidance = [total(u.sensors, "guidance_channels") for u in net.units]
    assets = [a.name for a in s.defended_assets]
    zone = np.ones((len(net.units), len(assets)), bool)
    for u, spec in enumerate(net.units):
        if spec.zone_assets:
            zone[u] = np.isin(assets, spec.zone_assets)
    return NetworkPlan(
        unit_names=tuple(u.name for u in net.units),
        command_names=tuple(c.name for c in net.commands),
        sensor_unit=sensor_unit, launcher_unit=launcher_unit, superior=superior,
        uplink={link.source: i for i, link in enumerate(net.links)}, top=top, depth=depth,
        fire_control_channels=tuple(channels), guidance_channels=tuple(guidance), zone=zone)
