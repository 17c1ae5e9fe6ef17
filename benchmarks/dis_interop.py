"""DIS interop figures: codec speed against opendis, export of the default scenario, accuracy,
what a receiver acts on (detonation to target, markings, ballistic updates), unpaced replay.

Usage: python benchmarks/dis_interop.py [--n 20000]
Needs opendis (``pip install --no-deps "opendis>=1.0"``). Prints figures; the last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

import numpy as np
import pymap3d
from opendis.DataOutputStream import DataOutputStream
from opendis.dis7 import EntityStatePdu as OpenDisEntityState
from opendis.PduFactory import createPdu

from iadsim.interop.dis.export import run_pdus_from_result
from iadsim.interop.dis.pdu import (
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    decode_pdu,
    encode_pdu,
)
from iadsim.interop.dis.stream import replay_file, write_pdu_file
from iadsim.scenario.dis_spec import DisSpec
from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
from iadsim.simulation import run
from iadsim.world.frames import enu_to_geodetic, scenario_origin
from iadsim.world.threats import build_threats


def _ours(n: int) -> tuple[float, float, bytes]:
    pdu = EntityStatePdu(exercise_id=1, timestamp=0, entity_id=EntityId(1, 1, 1), force_id=2,
                         entity_type=EntityType(2, 11, 0, 1, 1),
                         location_ecef_m=(4.5e6, 7.0e5, 4.5e6), velocity_ecef_mps=(1.0, 2.0, 3.0),
                         orientation_rad=(0.1, 0.2, 0.3), marking="cm-1")
    t0 = time.perf_counter()
    for _ in range(n):
        data = encode_pdu(pdu)
    enc = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(n):
        decode_pdu(data)
    return enc, n / (time.perf_counter() - t0), data


def _opendis(n: int, data: bytes) -> tuple[float, float]:
    o = OpenDisEntityState()
    o.pduType, o.protocolFamily, o.pduStatus, o.length = 1, 1, 0, 144  # its defaults are wrong
    o.entityAppearance, o.capabilities = 0, 0
    o.marking.setString("cm-1")
    t0 = time.perf_counter()
    for _ in range(n):
        buf = BytesIO()
        o.serialize(DataOutputStream(buf))
    enc = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(n):
        createPdu(data)
    return enc, n / (time.perf_counter() - t0)


def _semantics(result, pdus) -> dict[str, float]:
    """Kill Detonations' distance to the target's true position (and the excess over the miss
    distance), distinct markings per entity, ballistic Entity States."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    origin = scenario_origin(scenario)
    world = build_threats(scenario, origin)
    miss = result.engagements.set_index("interceptor_id")["miss_distance_m"]
    dist, excess, marks, ballistic = [], [], {}, 0
    for _, d in pdus:
        p = decode_pdu(d)
        if isinstance(p, EntityStatePdu):
            marks[p.entity_id] = p.marking
            ballistic += p.entity_type[:4] == (2, 11, 0, 2)
        elif isinstance(p, DetonationPdu) and p.detonation_result == 2:
            t = p.timestamp / 2 * 3600.0 / 2**31
            lat, lon, alt = enu_to_geodetic(world.positions(t)[p.target_entity_id.entity - 1],
                                            origin)
            target = np.array(pymap3d.geodetic2ecef(lat, lon, alt))
            dist.append(float(np.linalg.norm(np.array(p.location_ecef_m) - target)))
            excess.append(dist[-1] - float(miss[p.exploding_entity_id.entity - 31_000]))
    return {"kill_detonation_median_m": float(np.median(dist)),
            "kill_detonation_max_excess_m": float(np.max(excess)), "entities": len(marks),
            "distinct_markings": len(set(marks.values())), "ballistic_entity_states": ballistic}


def _unpaced_replay(pdus) -> tuple[int, int, float]:
    """``--speed inf`` replay to a loopback listener with the system's default receive buffer:
    (sent, received, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.pdu"
        write_pdu_file(path, pdus)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(1.0)
        got = [0]

        def listen() -> None:
            while got[0] < len(pdus):
                try:
                    sock.recv(2048)
                except TimeoutError:
                    return
                got[0] += 1

        rx = threading.Thread(target=listen, daemon=True)
        rx.start()
        t0 = time.perf_counter()
        sent = replay_file(path, f"udp://127.0.0.1:{sock.getsockname()[1]}", speed=float("inf"))
        wall = time.perf_counter() - t0
        rx.join(timeout=5.0)
        sock.close()
    return sent, got[0], wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    enc, dec, data = _ours(args.n)
    o_enc, o_dec = _opendis(args.n, data)
    print(f"Entity State encode: iadsim {enc:,.0f}/s, opendis {o_enc:,.0f}/s "
          f"(x{enc / o_enc:.1f})")
    print(f"Entity State decode: iadsim {dec:,.0f}/s, opendis {o_dec:,.0f}/s (x{dec / o_dec:.1f})")

    result = run(load_scenario(DEFAULT_SCENARIO))
    figures = {}
    for mode in ("dead_reckoning", "rate"):
        t0 = time.perf_counter()
        pdus = run_pdus_from_result(result, DisSpec(send_mode=mode))
        figures[mode] = (time.perf_counter() - t0, len(pdus), pdus)
    dr_s, dr_n, pdus = figures["dead_reckoning"]
    rate_s, rate_n, _ = figures["rate"]
    truth = result.truth.set_index(["time_s", "threat_id"])
    worst_m = 0.0
    for t, d in pdus:
        o = createPdu(d)
        if o.pduType == 1 and o.entityID.entityID < 30_000 and o.entityAppearance == 0:
            r = truth.loc[(t, o.entityID.entityID - 1)]
            lat, lon, alt = pymap3d.ecef2geodetic(o.entityLocation.x, o.entityLocation.y,
                                                  o.entityLocation.z)
            d = [np.radians(lat - r.lat_deg) * 6_378_137.0,
                 np.radians(lon - r.lon_deg) * 6_378_137.0 * np.cos(np.radians(r.lat_deg)),
                 alt - r.alt_m]
            worst_m = max(worst_m, float(np.linalg.norm(d)))
    print(f"Default scenario: {len(result.truth)} threat samples, {len(result.interceptors)} "
          f"interceptor samples")
    print(f"  dead reckoning: {dr_n} PDUs in {dr_s:.2f} s; 1 Hz rate: {rate_n} PDUs in "
          f"{rate_s:.2f} s (DR sends {dr_n / rate_n:.0%} of the rate's PDUs)")
    print(f"  worst Entity State position error after opendis parse + geocentric round trip: "
          f"{worst_m:.1e} m")
    sem = _semantics(result, pdus)
    print(f"  kill Detonations: median {sem['kill_detonation_median_m']:.1f} m from the target's "
          f"true position, at most {sem['kill_detonation_max_excess_m']:.3f} m beyond the miss "
          f"distance; {sem['distinct_markings']} distinct markings for {sem['entities']} "
          f"entities; {sem['ballistic_entity_states']} ballistic Entity States")
    sent, received, replay_s = _unpaced_replay(pdus)
    print(f"  replay --speed inf to a default-buffer loopback listener: {received} of {sent} "
          f"received in {replay_s:.2f} s")
    print(json.dumps({**sem, "replay_sent": sent, "replay_received": received,
                      "replay_s": round(replay_s, 3),
                      "encode_per_s": round(enc), "opendis_encode_per_s": round(o_enc),
        "decode_per_s": round(dec), "opendis_decode_per_s": round(o_dec),
        "export_dr_pdus": dr_n, "export_dr_s": round(dr_s, 3), "export_rate_pdus": rate_n,
        "export_rate_s": round(rate_s, 3), "worst_position_error_m": worst_m,
    }))


if __name__ == "__main__":
    main()
