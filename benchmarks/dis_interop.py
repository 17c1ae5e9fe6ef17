"""DIS interop figures: codec speed against opendis, export of the default scenario, accuracy.

Usage: python benchmarks/dis_interop.py [--n 20000]
Needs opendis (``pip install --no-deps "opendis>=1.0"``). Prints figures; the last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from io import BytesIO

import numpy as np
import pymap3d
from opendis.DataOutputStream import DataOutputStream
from opendis.dis7 import EntityStatePdu as OpenDisEntityState
from opendis.PduFactory import createPdu

from iadsim.interop.dis.export import run_pdus_from_result
from iadsim.interop.dis.pdu import EntityId, EntityStatePdu, EntityType, decode_pdu, encode_pdu
from iadsim.scenario.dis_spec import DisSpec
from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
from iadsim.simulation import run


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
    print(json.dumps({
        "encode_per_s": round(enc), "opendis_encode_per_s": round(o_enc),
        "decode_per_s": round(dec), "opendis_decode_per_s": round(o_dec),
        "export_dr_pdus": dr_n, "export_dr_s": round(dr_s, 3), "export_rate_pdus": rate_n,
        "export_rate_s": round(rate_s, 3), "worst_position_error_m": worst_m,
    }))


if __name__ == "__main__":
    main()
