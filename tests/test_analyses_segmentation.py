import numpy as np
import pandas as pd

from csreport.analyses.segmentation import customer_features, segment_customers


def three_groups(seed: int = 0) -> pd.DataFrame:
    # big spenders who rarely call, low spenders who call often, and new customers in between
    rng = np.random.default_rng(seed)
    parts = []
    for n, spend, tenure, calls in [(300, 600, 60, 0.1), (300, 50, 40, 2.0), (300, 150, 3, 0.5)]:
        parts.append(
            pd.DataFrame(
                {
                    "monthly_spend": rng.normal(spend, spend * 0.1, n),
                    "tenure_months": np.abs(rng.normal(tenure, 2, n)),
                    "contacts_per_month": np.abs(rng.normal(calls, 0.1, n)),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "customer_id", [f"c{i}" for i in range(len(frame))])
    return frame


def test_three_clear_groups_are_found_and_named():
    result = segment_customers(three_groups())
    assert result.k == 3 and max(result.silhouettes, key=result.silhouettes.get) == 3
    assert sorted(result.profiles["customers"]) == [300, 300, 300]
    names = set(result.profiles["name"])
    assert any("high spend" in n for n in names) and any("frequent contacts" in n for n in names)
    assert any(n.startswith("new") or ", new" in n for n in names)


def test_silhouettes_are_sklearns_scores_of_each_k():
    """The distances are computed once for every k; each score is still silhouette_score of that k's labels."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    frame = three_groups()
    result = segment_customers(frame)
    scaled = StandardScaler().fit_transform(frame[["monthly_spend", "tenure_months", "contacts_per_month"]])
    rng = np.random.default_rng(0)  # the same fit subset and scored sample as segment_customers draws
    fit, sample = (
        rng.choice(len(scaled), len(scaled), replace=False),
        rng.choice(len(scaled), len(scaled), replace=False),
    )
    for k in (2, 3, 4):
        labels = KMeans(n_clusters=k, n_init=4, random_state=0).fit(scaled[fit]).predict(scaled[sample])
        assert abs(result.silhouettes[k] - silhouette_score(scaled[sample], labels)) < 1e-9


def test_same_inputs_same_segments():
    a, b = segment_customers(three_groups()), segment_customers(three_groups())
    pd.testing.assert_frame_equal(a.assignments, b.assignments)


def test_not_enough_customers():
    assert "need 200" in segment_customers(three_groups().head(100)).reason


def test_segments_of_the_simulated_sample(sample_dir):
    read = lambda t: pd.read_parquet(sample_dir / f"{t}.parquet")  # noqa: E731
    customers = read("customers")
    features = customer_features(customers, read("contacts"), read("surveys"), "2026-10")
    result = segment_customers(features)
    assert 2 <= result.k <= 6 and result.profiles["customers"].sum() == len(features)
    assert set(features.columns) >= {"monthly_spend", "tenure_months", "contacts_per_month", "mean_csat"}
