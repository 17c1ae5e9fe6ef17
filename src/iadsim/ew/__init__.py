"""Electronic warfare: noise jamming, strobes, emission control and anti-radiation missiles.

Plugs in between the world and the radars (``ContestedSky.screen_all``) and after the world's
step (``ContestedSky.end_step``); ``iadsim.simulation.run`` is where it is wired.
"""
