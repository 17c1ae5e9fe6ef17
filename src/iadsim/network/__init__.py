"""The networked defence: fire units, data links, track-to-track fusion, allocation, mobility.

``units`` (the plan: who owns which radar and launcher, who reports to whom), ``datalink``
(track reports over links with period, latency, capacity and failures), ``fusion`` (track-to-
track correlation and common track numbers at the higher command), ``allocation`` (which unit
engages which threat), ``mobility`` (relocation, tear-down/set-up, shoot-and-scoot) and
``defence`` (the stage ``simulation.run`` uses in place of the one tracker and command centre
when a scenario has ``network.units``).
"""
