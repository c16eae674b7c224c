import math

import numpy as np
import pytest

from csreport.metrics import erlang


def test_reference_point_ten_erlangs():
    # 100 contacts per 30 min at AHT 180 s: A = 100 * 180 / 1800 = 10 Erlangs; target 80 % within 20 s.
    load = 100 * 180 / 1800
    assert erlang.agents_required(load, 180, 0.80, 20) == 14
    assert round(erlang.service_level(load, 14, 180, 20), 3) == 0.888
    assert round(erlang.waiting_probability(load, 14), 3) == 0.174
    assert round(erlang.average_speed_of_answer(load, 14, 180), 1) == 7.8
    assert round(load / 14, 3) == 0.714  # occupancy
    assert round(erlang.service_level(load, 13, 180, 20), 3) == 0.796
    assert erlang.scheduled_positions(14, 0.30) == 20  # 14 / 0.7 = 20 exactly


def test_one_agent_is_m_m_1():
    # M/M/1: P(wait) = rho; ASA = rho * AHT / (1 - rho); with A = 0.5 and AHT 100 s, ASA = 100 s.
    assert erlang.waiting_probability(0.5, 1) == pytest.approx(0.5)
    assert erlang.average_speed_of_answer(0.5, 1, 100) == pytest.approx(100.0)


@pytest.mark.parametrize("agents", [0, 5, 10])
def test_unstable_queue_always_waits(agents):
    assert erlang.waiting_probability(10, agents) == 1.0
    assert erlang.service_level(10, agents, 180, 20) == 0.0
    assert math.isinf(erlang.average_speed_of_answer(10, agents, 180))


def test_no_load_needs_no_agents():
    assert erlang.agents_required(0, 180, 0.8, 20) == 0
    assert erlang.waiting_probability(0, 3) == 0.0


def test_shrinkage_out_of_range():
    with pytest.raises(ValueError, match="shrinkage"):
        erlang.scheduled_positions(10, 1.0)


def test_sampled_waits_match_asa():
    rng = np.random.default_rng(1)
    n = 200_000
    waits = erlang.sample_waits(rng, np.full(n, 10.0), np.full(n, 14), np.full(n, 180.0))
    assert waits.mean() == pytest.approx(erlang.average_speed_of_answer(10, 14, 180), rel=0.03)
    assert (waits > 0).mean() == pytest.approx(erlang.waiting_probability(10, 14), abs=0.005)
