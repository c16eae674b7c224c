import numpy as np
import pandas as pd

from csreport.analyses.drivers import driver_frame, satisfaction_drivers


def synthetic(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    # CSAT = 4.2 − 1.0 × reopened − 0.05 × wait minutes + noise; handle time and channel do nothing
    rng = np.random.default_rng(seed)
    wait = rng.exponential(3, n)
    reopened = (rng.random(n) < 0.2).astype(float)
    csat = 4.2 - 1.0 * reopened - 0.05 * wait + rng.normal(0, 0.5, n)
    return pd.DataFrame(
        {
            "csat": csat,
            "wait_min": wait,
            "handle_min": rng.normal(6, 2, n),
            "reopened": reopened,
            "channel": rng.choice(["phone", "chat"], n),
        }
    )


def test_effects_are_recovered_with_intervals():
    result = satisfaction_drivers(synthetic())
    effects = result.effects.set_index("factor")
    assert effects.loc["reopened", "low"] < -1.0 < effects.loc["reopened", "high"]  # yes vs no: −1 point
    wait_sd = synthetic()["wait_min"].std()
    assert effects.loc["wait_min", "low"] < -0.05 * wait_sd < effects.loc["wait_min", "high"]  # per SD
    assert effects.loc["handle_min", "p_value"] > 0.01 and effects.loc["channel", "p_value"] > 0.01
    assert result.effects.iloc[0]["factor"] == "reopened"  # the most important factor comes first
    assert set(result.controlled_for) == {"queue wait", "handle time", "reopened", "channel"}


def test_not_enough_responses():
    result = satisfaction_drivers(synthetic(50))
    assert not result.available and "50 surveys" in result.reason


def test_drivers_of_the_simulated_sample(sample_dir):
    read = lambda t: pd.read_parquet(sample_dir / f"{t}.parquet")  # noqa: E731
    frame = driver_frame(read("surveys"), read("contacts"), read("agents"))
    effects = satisfaction_drivers(frame).effects.set_index("factor")
    # the simulation lowers CSAT with reopening, escalation and waiting, and raises it with FCR
    assert effects.loc["reopened", "high"] < 0 and effects.loc["escalated", "high"] < 0
    assert effects.loc["wait_min", "high"] < 0 and effects.loc["first_contact_resolution", "low"] > 0
