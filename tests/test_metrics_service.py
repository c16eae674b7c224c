"""Contact KPIs against tests/fixtures/contacts_kpi.csv (8 contacts, east, October 2026), worked by hand."""

import pandas as pd
import pytest

from csreport.metrics import service as m
from csreport.metrics.targets import Parameters
from tests.kpi_fixtures import read

P = Parameters()


@pytest.fixture
def contacts():
    return read("contacts_kpi.csv")


def test_volume(contacts):
    assert m.contact_volume(contacts).value == 8
    assert m.contacts_per_1000_customers(contacts, 400).value == 20  # 8 * 1000 / 400


def test_service_level(contacts):
    # queued: K1-K6; K3 abandoned after 3 s (< 5 s short-abandon limit) is excluded -> offered K1 K2 K4 K5 K6
    # answered within 20 s: K1 (10 s), K5 (20 s, the limit counts) -> 2 / 5
    sl = m.service_level(contacts, P)
    assert (sl.value, sl.n, sl.numerator) == (0.4, 5, 2)
    assert sl.low < 0.4 < sl.high and "T: phone 20 s, chat 20 s" in sl.method


def test_service_level_threshold_per_channel(contacts):
    # chat T = 45 s: K5 (20) and K6 (45) now count, phone stays at 20 s (K1) -> 3 / 5
    params = Parameters(service_level_threshold_s={"phone": 20, "chat": 45})
    assert m.service_level(contacts, params).value == 0.6


def test_asa_and_abandonment(contacts):
    # answered waits: 10, 30, 20, 45 -> mean 26.25 s; abandoned after >= 5 s: K4 only, of 5 offered -> 0.2
    assert m.average_speed_of_answer(contacts, P).value == 26.25
    assert m.abandonment_rate(contacts, P).value == 0.2


def test_first_response_time_is_of_the_written_channels(contacts):
    # written channels only: K7 e-mail 3600 s, K8 ticket 7200 s (the phone and chat answers K1 K2 K5 K6, 10-45 s,
    # are the queue's: ASA and service level) -> median (3600 + 7200) / 2 = 5400;
    # p90 at position 0.9 * 1 = 0.9: 3600 + 0.9 * (7200 - 3600) = 6840
    median, p90 = m.first_response_time(contacts, P)
    assert (median.value, median.n, p90.value) == (5400, 2, 6840)
    assert "written channels (email, ticket, social)" in median.method


def test_first_response_channels_are_a_parameter(contacts):
    # chat counted too: 20, 45, 3600, 7200 -> median (45 + 3600) / 2 = 1822.5
    median, _ = m.first_response_time(contacts, Parameters(first_response_channels=("chat", "email", "ticket")))
    assert (median.value, median.n) == (1822.5, 4)
    # only phone and chat contacts: n/a with the reason, never 0
    queued = contacts[contacts["channel"].isin(["phone", "chat"])]
    for measure in m.first_response_time(queued, P):
        assert measure.value is None and measure.reason == "no written-channel contact with a first response"
    no_channel = m.first_response_time(contacts.drop(columns="channel"), P)[0]
    assert no_channel.value is None and no_channel.reason == "contacts has no channel column"


def test_resolution_time_and_rate(contacts):
    # resolved: K1 3600 s, K2 7200 s, K5 14400 s, K7 86400 s -> median 10800; p90 at 2.7: 14400 + 0.7 * 72000
    median, p90 = m.resolution_time(contacts, P)
    assert median.value == 10800 and p90.value == pytest.approx(64800)
    assert m.resolution_rate(contacts, P).value == 0.5  # 4 resolved of 8 created


def test_fcr_with_flag(contacts):
    # flag known for K1 K2 K5 K6 K7 K8 (abandoned K3 K4 have none): true for K1 K5 K7 -> 3 / 6
    fcr = m.first_contact_resolution(contacts, P)
    assert (fcr.value, fcr.n, fcr.method) == (0.5, 6, "flag: first_contact_resolution")


def test_fcr_by_repeat_contacts(contacts):
    # without the flag: U1 contacts again 6 days after K1 (K5), so K1 is not FCR; K2 -> K8 (U2) is 18 days
    # later, outside the 7-day window -> 7 of 8 contacts with a customer are FCR
    no_flag = contacts.drop(columns="first_contact_resolution")
    assert m.first_contact_resolution(no_flag, P).value == 7 / 8
    # a repeat early in the next month counts too: U6 again on 20 October, 5 days after K7 -> 6 / 8
    later = pd.DataFrame({"customer_id": ["U6"], "created_at": [pd.Timestamp("2026-10-20 08:00")]})
    assert m.first_contact_resolution(no_flag, P, later=later).value == 6 / 8


def test_reopen_escalation_complaints(contacts):
    assert m.reopen_rate(contacts, P).value == 0.25  # K2 reopened of 4 resolved
    assert m.escalation_rate(contacts, P).value == 0.25  # K2, K8 of 8
    assert m.complaint_rate(contacts, P).value == 0.25  # K2, K6 of 8
    assert m.complaints_per_1000_customers(contacts, 100).value == 20  # 2 * 1000 / 100


def test_aht_and_cost(contacts):
    # handled: 300 500 400 200 600 900 -> 2900 / 6; cost column 4 6 5 3 7 9 -> 34 / 6
    assert m.average_handle_time(contacts, P).value == pytest.approx(2900 / 6)
    assert m.cost_per_contact(contacts, P).value == pytest.approx(34 / 6)


def test_cost_column_needs_no_handle_times(contacts):
    # without handle_s every contact not abandoned is handled: K1 K2 K5 K6 K7 K8, cost 4 6 5 3 7 9 -> 34 / 6
    cost = m.cost_per_contact(contacts.drop(columns="handle_s"), P)
    assert cost.value == pytest.approx(34 / 6) and cost.n == 6 and cost.method == "cost column / contacts not abandoned"


def test_cost_model_without_cost_column(contacts):
    # 36 per handle hour + fixed: K1 3.0+1, K2 5.0+1, K5 4.0+0.5, K6 2.0+0.5, K7 6.0+0.2, K8 9.0+0 = 32.2
    params = Parameters(cost_per_handle_hour=36, cost_per_contact={"phone": 1, "chat": 0.5, "email": 0.2})
    cost = m.cost_per_contact(contacts.drop(columns="cost"), params)
    assert cost.value == pytest.approx(32.2 / 6) and cost.method.startswith("cost model")


def test_no_contacts_gives_not_available_never_zero(contacts):
    empty = contacts.iloc[0:0]
    assert m.contact_volume(empty).value == 0  # a count of nothing is 0
    for measure in [
        m.service_level(empty),
        m.average_speed_of_answer(empty),
        m.abandonment_rate(empty),
        *m.first_response_time(empty),
        *m.resolution_time(empty),
        m.resolution_rate(empty),
        m.first_contact_resolution(empty),
        m.reopen_rate(empty),
        m.escalation_rate(empty),
        m.complaint_rate(empty),
        m.average_handle_time(empty),
        m.cost_per_contact(empty),
    ]:
        assert measure.value is None and measure.reason, measure.name


def test_all_abandoned(contacts):
    # all queued contacts abandoned after 60 s: service level 0 of 6, abandonment 6 / 6, no ASA
    queued = contacts[contacts["channel"].isin(["phone", "chat"])].assign(abandoned=True, queue_wait_s=60.0)
    assert m.service_level(queued).value == 0.0
    assert m.abandonment_rate(queued).value == 1.0
    asa = m.average_speed_of_answer(queued)
    assert asa.value is None and asa.reason == "no answered queued contacts"


def test_all_abandons_short(contacts):
    queued = contacts[contacts["channel"].isin(["phone", "chat"])].assign(abandoned=True, queue_wait_s=2.0)
    sl = m.service_level(queued)
    assert sl.value is None and sl.reason == "no queued phone/chat contacts offered"


def test_missing_columns_are_named(contacts):
    sl = m.service_level(contacts.drop(columns="queue_wait_s"))
    assert sl.value is None and sl.reason == "contacts has no queue_wait_s column"
    assert m.reopen_rate(contacts.drop(columns="reopened")).reason == "contacts has no reopened column"


def test_fcr_without_flag_or_customer_says_both(contacts):
    fcr = m.first_contact_resolution(contacts.drop(columns=["first_contact_resolution", "customer_id"]))
    assert fcr.value is None and fcr.reason == "no FCR flag and contacts has no customer_id column"


def test_grouped_value_lists_are_read_across_arrow_chunks_and_slices():
    """DuckDB may return a grouped result in several Arrow chunks, a chunk may be a slice of a larger array:
    each row's values are its own list (here rows 1-4: none, [3], [4], [5, 6]), read without copying."""
    import pyarrow as pa

    from csreport.metrics.finishing import rows_with_arrays

    sliced = pa.array([[1.0, 2.0], None, [3.0]]).slice(1)  # starts at offset 1: its child still holds 1 and 2
    table = pa.table({"v": pa.chunked_array([sliced, pa.array([[4.0], [5.0, 6.0]])]), "k": [1, 2, 3, 4]})
    rows = rows_with_arrays(table)
    assert [r["k"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["v"] is None
    assert [r["v"].tolist() for r in rows[1:]] == [[3.0], [4.0], [5.0, 6.0]]
