"""Fair agent rankings: shrinkage keeps small samples from being ranked worst on noise."""

import numpy as np
import pandas as pd
import pytest

from csreport.analyses.agents import mean_ranking, rate_ranking


def contacts_for(spec: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """spec: agent -> (contacts, first-contact resolutions); rows in a fixed order."""
    rows = []
    for agent, (n, x) in spec.items():
        rows += [{"agent_id": agent, "first_contact_resolution": i < x} for i in range(n)]
    return pd.DataFrame(rows)


def roster(agents) -> pd.DataFrame:
    return pd.DataFrame({"agent_id": list(agents), "team": "t1"})


def test_twelve_contacts_are_never_ranked_worst_on_noise():
    spec = {f"a{i}": (200, 150 + (i % 3) - 1) for i in range(10)}  # solid agents around 75 %
    spec["weak"] = (300, 186)  # a genuinely weak agent: 62 % on 300 contacts
    spec["new"] = (12, 6)  # 50 % on 12 contacts: the worst raw rate, but mostly noise
    ranking = rate_ranking(contacts_for(spec), "first_contact_resolution", roster(spec))
    table = ranking.table.set_index("agent_id")
    assert table.loc["new", "raw"] == 0.5 and table["raw"].idxmin() == "new"
    assert ranking.table.iloc[-1]["agent_id"] == "weak"  # last place goes to the real problem
    assert table.loc["new", "shrunk"] > table.loc["weak", "shrunk"]
    assert table.loc["weak", "flag"] == "low" and table.loc["new", "flag"] == "within"


def test_funnel_limits_by_hand():
    # two agents of 100 contacts, 70 and 80 resolved: team rate 0.75;
    # 95 % limits 0.75 ± 1.96 * sqrt(0.75 * 0.25 / 100) = 0.75 ± 0.0849
    ranking = rate_ranking(contacts_for({"a": (100, 70), "b": (100, 80)}), "first_contact_resolution", roster("ab"))
    row = ranking.table.set_index("agent_id").loc["a"]
    assert row["team_rate"] == 0.75
    assert row["low_0.95"] == pytest.approx(0.75 - 0.0849, abs=1e-4)
    assert row["high_0.95"] == pytest.approx(0.75 + 0.0849, abs=1e-4)


def test_mean_shrinkage_keeps_three_long_calls_off_the_bottom():
    # handle times are skewed (lognormal, spread about the size of the mean): three long calls say little
    rng = np.random.default_rng(0)
    rows = [{"agent_id": f"a{i}", "handle_s": v} for i in range(8) for v in rng.lognormal(np.log(300), 0.8, 150)]
    rows += [{"agent_id": "slow", "handle_s": v} for v in rng.lognormal(np.log(420), 0.8, 150)]
    rows += [{"agent_id": "new", "handle_s": v} for v in (500.0, 650.0, 900.0)]
    agents = roster([f"a{i}" for i in range(8)] + ["slow", "new"])
    ranking = mean_ranking(pd.DataFrame(rows), "handle_s", agents)
    table = ranking.table.set_index("agent_id")
    assert table["raw"].idxmax() == "new"
    assert ranking.table.iloc[-1]["agent_id"] == "slow"  # lower AHT is better: worst is last
    assert table.loc["new", "weight"] < 0.2 < table.loc["slow", "weight"]


@pytest.mark.parametrize(
    ("contacts", "agents", "reason"),
    [
        (pd.DataFrame({"agent_id": ["a"]}), roster("a"), "no first_contact_resolution"),
        (contacts_for({"a": (5, 3)}), roster("a"), "fewer than two agents"),
        (contacts_for({"a": (5, 3), "b": (5, 2)}), pd.DataFrame(), "no agents.team"),
    ],
)
def test_not_enough_data(contacts, agents, reason):
    ranking = rate_ranking(contacts, "first_contact_resolution", agents)
    assert not ranking.available and reason in ranking.reason


def test_training_needs_by_hand():
    # unit east, category billing: team t1 resolves 30 of 60, team t2 90 of 120.
    # t1: 0.5 against the rest 0.75 -> gap -0.25; pooled 120/180 = 2/3,
    # se = sqrt(2/9 * (1/60 + 1/120)) = 0.0745, z = -3.354, p = 0.0008
    from csreport.analyses.agents import training_needs

    rows = [
        {"agent_id": "a1", "category": "billing", "first_contact_resolution": i < 30, "business_unit": "east"}
        for i in range(60)
    ]
    rows += [
        {"agent_id": "a2", "category": "billing", "first_contact_resolution": i < 90, "business_unit": "east"}
        for i in range(120)
    ]
    agents = pd.DataFrame({"agent_id": ["a1", "a2"], "team": ["t1", "t2"]})
    table = training_needs(pd.DataFrame(rows), agents)
    first = table.iloc[0]
    assert (first["team"], first["gap"]) == ("t1", -0.25)
    assert first["p_value"] == pytest.approx(0.000797, abs=2e-5)
    assert first["significant_shortfall"] and not table.iloc[1]["significant_shortfall"]


def test_training_needs_finds_the_gap_in_simulated_data(sample_dir, sample_truth):
    # the analysis is not told where the gap is: it must rank the weak team × category first
    from csreport.analyses.agents import training_needs

    gap = next(e for e in sample_truth["events"] if e["kind"] == "training_gap")
    contacts = pd.read_parquet(sample_dir / "contacts.parquet")
    agents = pd.read_parquet(sample_dir / "agents.parquet")
    table = training_needs(contacts, agents)
    worst = table[table["significant_shortfall"]].iloc[0]
    assert (worst["team"], worst["category"]) == (gap["team"], gap["category"])


def test_training_link_by_hand():
    from csreport.analyses.agents import training_link

    ranking = pd.DataFrame({"agent_id": list("abcdefghijkl"), "shrunk": np.linspace(0.5, 0.9, 12)})
    hours = pd.DataFrame({"agent_id": list("abcdefghijkl") * 2, "training_hours": list(range(12)) * 2})
    link = training_link(ranking, hours)
    assert (link.rho, link.agents) == (1.0, 12)  # hours rank exactly as the estimates: ρ = 1
    reversed_hours = hours.assign(training_hours=hours["training_hours"].map(lambda h: 11 - h))
    assert training_link(ranking, reversed_hours).rho == -1.0
    few = training_link(ranking.head(5), hours)
    assert not few.available and "5 agents, need 10" in few.reason
