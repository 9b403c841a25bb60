"""Email templates and list emails against the documented answers, over real HTTP.

The one-to-one template list answers `emailTemplates` holding `templates` and lists archived
templates only with `archived=true`; email statistics give rates as percent text such as
"98.42%" (docs/pardot-api/queries.md#email-templates). Expected rows come from the simulator's
store and its own answers, never from the tap's code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tap_sync_support import END, catalog_selecting, rows_of, run_tap_messages

from pardot_sim import Simulator
from pardot_sim.testing import RawApi, SimAdmin

START = "2026-01-01T00:00:00Z"


def _config(sim: Simulator) -> dict[str, Any]:
    return sim.config(start_date=START, end_date=END, include_email_stats=True,
                      backoff_base_seconds=0.005, max_retry_seconds=10)  # fmt: skip


def _sync(sim: Simulator, stream: str) -> dict[int, dict[str, Any]]:
    config = _config(sim)
    messages = run_tap_messages(config, catalog=catalog_selecting(config, stream))
    return rows_of(messages).get(stream, {})


def test_every_one_to_one_template_is_emitted_archived_ones_too(own_sim: Simulator) -> None:
    table = own_sim.account().store.table("emailTemplate")
    pos = table.position
    one_to_one = sorted(i for i, r in table.rows.items() if r[pos["is_one_to_one_email"]])
    assert len(one_to_one) >= 2, "the test data should hold several one-to-one templates"
    archived = {one_to_one[0]}
    for row_id in one_to_one:
        table.update(row_id, {"is_archived": row_id in archived})

    got = _sync(own_sim, "email_templates")

    assert set(got) == set(one_to_one)
    for row_id, record in got.items():
        stored = table.as_dict(table.rows[row_id])
        assert record["is_archived"] is (row_id in archived)
        assert record["is_one_to_one_email"] is True
        assert record["html_message"] == stored["html_message"]
        assert record["subject"] == stored["subject"]


@pytest.mark.parametrize("rates", ["percent", "number"])
def test_email_statistics_rates_are_percentages(own_sim: Simulator, rates: str) -> None:
    admin, api = SimAdmin(own_sim), RawApi(own_sim)
    try:
        admin.post("/_sim/switches", {"email_rate_format": rates})
        got = _sync(own_sim, "emails")
        assert got, "the test data should hold list emails with clicks"
        for email_id, record in got.items():
            served = api.call("GET", f"/api/email/version/4/do/stats/id/{email_id}",
                              params={"format": "json"}).json()["stats"]  # fmt: skip
            for name in ("delivery_rate", "opens_rate", "click_through_rate", "opt_out_rate"):
                text = str(served[name]).removesuffix("%")
                assert Decimal(str(record["stats"][name])) == Decimal(text), (email_id, name)
            assert record["stats"]["sent"] == served["sent"]
    finally:
        admin.close()
        api.close()
