"""Site mobility: relocation orders, tear-down, road move, set-up, shoot-and-scoot.

A unit is a rigid group of sites (its radars and launchers) that moves as one: its reference
point (the first site) drives to the destination and every site keeps its offset in latitude
and longitude. A relocation is ``teardown_s`` in place, the road leg (great-circle distance at
``road_speed_mps``), then ``setup_s`` at the destination; from the start of the tear-down to
the end of the set-up the unit is not operational: its radars report nothing and its
launchers do not fire. Shoot-and-scoot orders a relocation to the next hide after
``after_launches`` rounds or ``after_emission_s`` of radar emission since the unit last set up.
An order that falls while the unit is moving waits until it is set up again.
"""

from __future__ import annotations

from dataclasses import dataclass

from iadsim.scenario.network_spec import FireUnitSpec
from iadsim.world.frames import great_circle_distance_m

OPERATIONAL, TEARDOWN, MOVING, SETUP = "operational", "teardown", "moving", "setup"


@dataclass(frozen=True, slots=True)
class Move:
    """One relocation: when each phase ends and where the reference point goes."""

    start_s: float
    teardown_end_s: float
    arrive_s: float
    operational_s: float
    from_deg: tuple[float, float]
    to_deg: tuple[float, float]
    cause: str  # "order" or "shoot_and_scoot"

    def phase(self, time_s: float) -> str:
        if time_s < self.start_s or time_s >= self.operational_s:
            return OPERATIONAL
        if time_s < self.teardown_end_s:
            return TEARDOWN
        return MOVING if time_s < self.arrive_s else SETUP


class UnitMobility:
    """Where one unit's reference point is and whether it is operational, step by step."""

    def __init__(self, spec: FireUnitSpec, ref_deg: tuple[float, float], *,
                 emits: bool) -> None:
        self.spec = spec
        self.ref_deg = ref_deg  # current (lat, lon) of the reference site
        self.emits = emits
        self.moves: list[Move] = []
        self._orders = sorted(spec.relocations, key=lambda r: r.time_s)
        self._next_order = 0
        self._launches = 0
        self._emission_s = 0.0
        self._hide = 0
        self._time_s = 0.0
        self.down_s = 0.0  # time not operational so far

    @property
    def current(self) -> Move | None:
        return self.moves[-1] if self.moves else None

    def operational(self, time_s: float) -> bool:
        """Whether the unit can detect and fire at ``time_s``."""
        m = self.current
        return m is None or m.phase(time_s) == OPERATIONAL

    def note_launches(self, n: int) -> None:
        """Count rounds fired (the shoot-and-scoot trigger)."""
        self._launches += int(n)

    def advance(self, time_s: float) -> Move | None:
        """Bring the unit to ``time_s``; returns the move whose set-up finished in this step
        (its sites are now at the destination), else None."""
        dt = max(time_s - self._time_s, 0.0)
        prev, self._time_s = self._time_s, time_s
        m = self.current
        if m is not None and prev < m.operational_s <= time_s:
            done: Move | None = m
        else:
            done = None
        if not self.operational(time_s):
            self.down_s += dt
            return done
        if self.emits and done is None:
            self._emission_s += dt
        self._maybe_start(time_s)
        if not self.operational(time_s):
            self.down_s += 0.0  # the tear-down starts now: counted from the next step
        return done

    def _maybe_start(self, time_s: float) -> None:
        spec = self.spec
        if self._next_order < len(self._orders) and self._orders[self._next_order].time_s <= time_s:
            r = self._orders[self._next_order]
            self._next_order += 1
            self._start(time_s, (r.destination.lat_deg, r.destination.lon_deg),
                        r.road_speed_mps or spec.road_speed_mps, "order")
            return
        scoot = spec.shoot_and_scoot
        if scoot is None:
            return
        if ((scoot.after_launches is not None and self._launches >= scoot.after_launches)
                or (scoot.after_emission_s is not None
                    and self._emission_s >= scoot.after_emission_s)):
            hide = scoot.hides[self._hide % len(scoot.hides)]
            self._hide += 1
            self._start(time_s, (hide.lat_deg, hide.lon_deg), spec.road_speed_mps,
                        "shoot_and_scoot")

    def _start(self, time_s: float, to_deg: tuple[float, float], speed_mps: float,
               cause: str) -> None:
        spec = self.spec
        dist = float(great_circle_distance_m(self.ref_deg[0], self.ref_deg[1], *to_deg))
        t1 = time_s + spec.teardown_s
        t2 = t1 + dist / speed_mps
        self.moves.append(Move(time_s, t1, t2, t2 + spec.setup_s, self.ref_deg, to_deg, cause))
        self.ref_deg = to_deg
        self._launches, self._emission_s = 0, 0.0

    def report(self) -> list[dict[str, object]]:
        """The moves, for the run summary."""
        return [{"cause": m.cause, "start_s": m.start_s, "teardown_end_s": m.teardown_end_s,
                 "arrive_s": m.arrive_s, "operational_s": m.operational_s,
                 "from_lat_deg": m.from_deg[0], "from_lon_deg": m.from_deg[1],
                 "to_lat_deg": m.to_deg[0], "to_lon_deg": m.to_deg[1]} for m in self.moves]
