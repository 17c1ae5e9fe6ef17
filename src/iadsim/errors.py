"""Errors raised at the edges of iadsim: bad scenario files, bad batches of input data."""

from __future__ import annotations


class IadsimError(Exception):
    """Base class of every error iadsim raises on purpose."""


class ScenarioError(IadsimError, ValueError):
    """A scenario file or value breaks a rule.

    ``problems`` holds one human-readable line per problem, each naming the file, the field
    path, the bad value and the rule, e.g.
    ``scenario.yaml: sensors[1].max_range_m must be > 0 (got -5000.0)``.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InputDataError(IadsimError, ValueError):
    """A batch of external input (detections, trajectories, PDUs) has bad rows.

    ``rows`` holds the indices of the offending rows, so a caller can drop them and keep the rest.
    """

    def __init__(self, message: str, rows: list[int] | None = None) -> None:
        self.rows = list(rows or [])
        super().__init__(message)


class RunInterrupted(IadsimError, KeyboardInterrupt):
    """A run was stopped (Ctrl-C) part way; ``result`` holds everything up to that point."""

    def __init__(self, result: object) -> None:
        self.result = result
        super().__init__("run interrupted; partial results kept")


class DisError(IadsimError, ValueError):
    """A DIS option, address or file a user gave breaks a rule (the CLI exits with code 2).

    E.g. a replay speed out of bounds, a host that does not resolve, a record time that
    decreases, or more entities than the DIS numbering leaves room for.
    """
