"""Survey KPIs against tests/fixtures/surveys_kpi.csv (5 responses), worked by hand."""

import pytest

from csreport.metrics import satisfaction as m
from tests.kpi_fixtures import read


@pytest.fixture
def surveys():
    return read("surveys_kpi.csv")


def test_csat(surveys):
    mean, top2 = m.csat(surveys)
    assert mean.value == pytest.approx(3.8)  # (5 + 4 + 3 + 2 + 5) / 5
    assert (top2.value, top2.numerator, top2.n) == (0.6, 3, 5)  # 5, 4, 5 score 4-5


def test_response_rate(surveys):
    assert m.survey_response_rate(surveys, handled_contacts=20).value == 0.25  # 5 / 20
    assert m.survey_response_rate(surveys, handled_contacts=0).value is None


def test_nps(surveys):
    # scores 10 9 8 6 0: promoters 2/5, detractors 2/5 -> 0; sd = sqrt(0.8) per response,
    # half-width 1.96 * 0.894 / sqrt(5) = 0.784 -> about -78.4 .. 78.4 points
    nps = m.net_promoter_score(surveys)
    assert nps.value == pytest.approx(0.0)
    assert nps.low == pytest.approx(-78.4, abs=0.1) and nps.high == pytest.approx(78.4, abs=0.1)


def test_ces(surveys):
    mean, easy = m.customer_effort(surveys)
    assert mean.value == pytest.approx(4.8)  # (7 + 5 + 4 + 6 + 2) / 5
    assert easy.value == 0.6  # 7, 5, 6 score 5-7


def test_no_surveys(surveys):
    empty = surveys.iloc[0:0]
    assert all(x.value is None for x in [*m.csat(empty), m.net_promoter_score(empty), *m.customer_effort(empty)])
    assert m.net_promoter_score(surveys.drop(columns="nps")).reason == "surveys has no nps column"
