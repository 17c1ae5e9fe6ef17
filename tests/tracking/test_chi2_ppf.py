"""chi2_ppf is scipy.stats.chi2.ppf, bit for bit, on the gates' whole range."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from iadsim.tracking.association import chi2_ppf


@pytest.mark.parametrize("df", [1, 2, 3, 4, 6])
def test_chi2_ppf_is_scipy_stats_bit_for_bit(df: int) -> None:
    for p in [*np.linspace(0.5, 1.0 - 1e-9, 2001), 0.99, 0.999, 0.9973, 0.99999, 1e-6, 0.01]:
        assert chi2_ppf(float(p), df) == float(chi2.ppf(p, df=df))
