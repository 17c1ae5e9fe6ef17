"""Fixtures of the tracking tests (fakes of the radar stage are in ``tracking_fakes``)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261127)
