"""DIS (IEEE 1278.1-2012, version 7) out and in: iadsim as a citizen of a DIS federation.

``pdu`` encodes and decodes Entity State, Fire and Detonation PDUs; ``enums`` holds the notional
entity-type mapping and force ids; ``geometry`` the geocentric frame, Euler angles and dead
reckoning; ``stream`` the ``.pdu`` file, UDP and replay; ``export`` turns a run's results into
PDUs; ``ingest`` turns hostile external entities into threats.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562): `iadsim --help` registers the `dis` commands
# without paying for pandas/pyarrow, which the exporter needs.
_LAZY = {
    "DetonationPdu": "iadsim.interop.dis.pdu",
    "EntityId": "iadsim.interop.dis.pdu",
    "EntityStatePdu": "iadsim.interop.dis.pdu",
    "EntityType": "iadsim.interop.dis.pdu",
    "EventId": "iadsim.interop.dis.pdu",
    "ExternalEntities": "iadsim.interop.dis.ingest",
    "ExternalState": "iadsim.interop.dis.ingest",
    "FirePdu": "iadsim.interop.dis.pdu",
    "IngestCounts": "iadsim.interop.dis.ingest",
    "PduDecodeError": "iadsim.interop.dis.pdu",
    "UdpAddress": "iadsim.interop.dis.stream",
    "UdpPduReceiver": "iadsim.interop.dis.stream",
    "UdpPduSender": "iadsim.interop.dis.stream",
    "decode_pdu": "iadsim.interop.dis.pdu",
    "encode_pdu": "iadsim.interop.dis.pdu",
    "iter_pdu_file": "iadsim.interop.dis.stream",
    "open_source": "iadsim.interop.dis.ingest",
    "parse_udp_address": "iadsim.interop.dis.stream",
    "replay": "iadsim.interop.dis.stream",
    "run_pdus": "iadsim.interop.dis.export",
    "run_pdus_from_folder": "iadsim.interop.dis.export",
    "update_schedule": "iadsim.interop.dis.export",
    "write_pdu_file": "iadsim.interop.dis.stream",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'iadsim.interop.dis' has no attribute {name!r}")


__all__ = [
    "DetonationPdu",
    "EntityId",
    "EntityStatePdu",
    "EntityType",
    "EventId",
    "ExternalEntities",
    "ExternalState",
    "FirePdu",
    "IngestCounts",
    "PduDecodeError",
    "UdpAddress",
    "UdpPduReceiver",
    "UdpPduSender",
    "decode_pdu",
    "encode_pdu",
    "iter_pdu_file",
    "open_source",
    "parse_udp_address",
    "replay",
    "run_pdus",
    "run_pdus_from_folder",
    "update_schedule",
    "write_pdu_file",
]
