"""Command stage: tracks -> engagement orders.

``threat_evaluation`` (classification, CPA scoring, ranking), ``assignment`` (the static
weapon-target assignment problem and ``solve``; solvers in ``wta_exact`` and ``wta_fast``),
``salvo`` (doctrine closed forms and Monte Carlo), ``doctrine`` (the command cycle) and
``greedy`` (the baseline assignment). See ``docs/command.md``.
"""

from iadsim.command.assignment import WTAProblem, WTASolution, make_problem, objective, solve

__all__ = ["WTAProblem", "WTASolution", "make_problem", "objective", "solve"]
