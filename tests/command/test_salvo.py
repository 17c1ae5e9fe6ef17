"""Doctrine oracles: salvo and shoot-look-shoot against closed forms and a seeded Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.command.salvo import doctrine_closed_form, simulate_doctrine
from iadsim.errors import InputDataError


@pytest.mark.parametrize(
    ("salvos", "p_kill", "rounds"),
    [((2,), 0.91, 2.0), ((1, 1), 0.91, 1.3), ((1,), 0.7, 1.0), ((2, 2), 0.9919, 2.18)],
)
def test_textbook_oracles_at_pk_07(salvos, p_kill, rounds):
    exact = doctrine_closed_form(0.7, salvos)
    assert exact.p_kill == pytest.approx(p_kill, abs=1e-12)
    assert exact.mean_rounds == pytest.approx(rounds, abs=1e-12)
    killed, spent = simulate_doctrine(0.7, salvos, 100_000, rng=np.random.default_rng(2024))
    assert killed.mean() == pytest.approx(p_kill, abs=0.005)
    assert spent.mean() == pytest.approx(rounds, abs=0.005)


def test_layered_pk_per_salvo_and_rounds_per_kill():
    out = doctrine_closed_form([0.6, 0.8], (1, 1))
    assert out.p_kill == pytest.approx(1 - 0.4 * 0.2)
    assert out.mean_rounds == pytest.approx(1 + 0.4)
    assert out.rounds_per_kill == pytest.approx(1.4 / 0.92)
    killed, spent = simulate_doctrine([0.6, 0.8], (1, 1), 50_000, rng=np.random.default_rng(1))
    assert killed.mean() == pytest.approx(0.92, abs=0.005)
    assert spent.mean() == pytest.approx(1.4, abs=0.01)


@pytest.mark.parametrize("n", [0, 1, 7])
def test_simulation_shapes(n):
    killed, spent = simulate_doctrine(0.5, (2, 1), n, rng=np.random.default_rng(0))
    assert killed.shape == spent.shape == (n,)
    assert set(spent.tolist()) <= {2, 3}
    assert np.all(spent[~killed] == 3)


def test_bad_doctrines_name_the_field():
    with pytest.raises(InputDataError, match=r"salvos\[0\] must be an integer >= 1 \(got 0\)"):
        doctrine_closed_form(0.7, (0,))
    with pytest.raises(InputDataError, match=r"pk\[1\] must be in \[0, 1\] \(got 1.2\)"):
        doctrine_closed_form([0.5, 1.2], (1, 1))
