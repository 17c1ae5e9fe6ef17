"""The event log: one row per thing that happened, in time order of recording."""

from __future__ import annotations

from typing import Any

import pandas as pd

EVENT_COLUMNS: dict[str, Any] = {
    "time_s": "float64",
    "kind": "string",
    "threat_id": "int64",
    "track_id": "int64",
    "interceptor_id": "int64",
    "launcher": "string",
    "interceptor_class": "string",
    "sensor": "string",
    "asset": "string",
    "count": "int64",
    "detail": "string",
}
EVENT_KINDS = (
    "scan", "track_confirmed", "track_dropped", "assignment", "launch", "intercept", "kill",
    "miss", "leak", "kill_assessment", "reserve_release", "class_fallback",
    "reload",
)


class EventLog:
    """Append-only event columns; ``frame()`` gives the typed DataFrame."""

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []

    def add(
        self, time_s: float, kind: str, *, threat_id: int = -1, track_id: int = -1,
        interceptor_id: int = -1, launcher: str = "", interceptor_class: str = "",
        sensor: str = "", asset: str = "", count: int = 0, detail: str = "",
    ) -> None:
        """Record one event (``kind`` is one of ``EVENT_KINDS``)."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
        self._rows.append((float(time_s), kind, int(threat_id), int(track_id),
                           int(interceptor_id), launcher, interceptor_class, sensor, asset,
                           int(count), detail))

    def __len__(self) -> int:
        return len(self._rows)

    def rows_since(self, start: int) -> list[tuple[Any, ...]]:
        """Events recorded after the first ``start``, as tuples in ``EVENT_COLUMNS`` order
        (for consumers that follow the log as the run goes, e.g. live DIS out)."""
        return self._rows[start:]

    def frame(self) -> pd.DataFrame:
        """All events as a DataFrame with the documented columns and dtypes."""
        df = pd.DataFrame(self._rows, columns=list(EVENT_COLUMNS))
        return df.astype(EVENT_COLUMNS)
