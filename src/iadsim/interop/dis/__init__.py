"""DIS (IEEE 1278.1-2012, version 7) out and in: iadsim as a citizen of a DIS federation.

``pdu`` encodes and decodes Entity State, Fire and Detonation PDUs; ``enums`` holds the notional
entity-type mapping and force ids; ``geometry`` the geocentric frame, Euler angles and dead
reckoning; ``stream`` the ``.pdu`` file, UDP and replay; ``export`` turns a run's results into
PDUs; ``ingest`` turns hostile external entities into threats.
"""

from iadsim.interop.dis.export import run_pdus, run_pdus_from_folder, update_schedule
from iadsim.interop.dis.ingest import ExternalEntities, ExternalState, IngestCounts, open_source
from iadsim.interop.dis.pdu import (
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    EventId,
    FirePdu,
    PduDecodeError,
    decode_pdu,
    encode_pdu,
)
from iadsim.interop.dis.stream import (
    UdpAddress,
    UdpPduReceiver,
    UdpPduSender,
    iter_pdu_file,
    parse_udp_address,
    replay,
    write_pdu_file,
)

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
