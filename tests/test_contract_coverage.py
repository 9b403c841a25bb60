"""Every kind of request the connectors send has a sample in the contract corpus.

The tap (every stream, by export and by query, external activities on v3/v4 and on v5) and the
target (an import of several parts with a failed row) run against a simulator of their own; the
simulator counts each request by endpoint kind, and each kind must be among the corpus samples'
kinds (pardot-client/tests/contracts/README.md). The corpus must also stay well formed: every
sample names its sources and a confidence, and an unconfirmed behaviour's variants each have a
simulator switch.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from corpus import CONFIDENCE, DOCUMENTS, load_samples
from tap_sync_support import END, catalog_selecting, run_tap_messages

from pardot_sim import Simulator
from pardot_sim.switches import Switches
from pardot_sim.testing import SimAdmin, serving
from tap_pardot_export.registry import EXPORT_STREAM_NAMES, STREAM_TYPES
from target_pardot_import.target import TargetPardotImport

SAMPLES = load_samples()
# Streams that can be read by query (external activities have no query; the visitor and
# prospect account queries cannot return the deleted rows those streams mark).
BY_QUERY = dict.fromkeys(("visitor_activities", "prospects", "list_memberships"), "query")


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[Simulator, SimAdmin]]:
    """A simulator of this module's own, its clock fast enough for exports to finish."""
    for sim in serving(seed=11, clock_speed=7200):
        admin = SimAdmin(sim)
        try:
            yield sim, admin
        finally:
            admin.close()


def _tap_runs(sim: Simulator, admin: SimAdmin) -> None:
    config = sim.config(start_date="2026-11-01T00:00:00Z", end_date=END, include_email_stats=True,
                        poll_interval_seconds=0.02)  # fmt: skip
    everything = catalog_selecting(config, *(s.name for s in STREAM_TYPES))  # type: ignore[misc]
    run_tap_messages(config, catalog=everything)
    by_query = {**config, "extraction_mode": {**BY_QUERY, "prospects": "auto"}}
    run_tap_messages(by_query, catalog=catalog_selecting(by_query, *EXPORT_STREAM_NAMES))
    admin.post("/_sim/switches", {"external_activity_v34": "refused"})
    run_tap_messages(config, catalog=catalog_selecting(config, "external_activities"))
    admin.post("/_sim/switches", {"external_activity_v34": "accepted"})


def _target_run(sim: Simulator, tmp: Path) -> None:
    table = sim.account().store.table("prospect")
    known = sorted(set(table.rows) - table.deleted)[:30]
    config = sim.config(
        poll_interval_seconds=0.02, max_batch_bytes=200, spool_dir=str(tmp), max_reject_rate=0.5,
        rejects_path=str(tmp / "rejects.jsonl"), backoff_base_seconds=0.005,
    )  # fmt: skip
    schema = {"type": "object", "properties": {"prospect_id": {"type": "integer"},
                                               "first_name": {"type": "string"}}}  # fmt: skip
    rows = [{"prospect_id": i, "first_name": f"Contract {i}"} for i in known]
    rows.append({"prospect_id": 999_999_999, "first_name": "No such prospect"})
    head = {"type": "SCHEMA", "stream": "prospects", "key_properties": [], "schema": schema}
    messages = [head, *({"type": "RECORD", "stream": "prospects", "record": r} for r in rows)]
    text = "".join(json.dumps(m) + "\n" for m in messages)
    with redirect_stdout(io.StringIO()):
        TargetPardotImport(config=config).listen(file_input=io.StringIO(text))


def test_every_request_kind_the_connectors_send_has_a_sample(
    counted: tuple[Simulator, SimAdmin], tmp_path: Path
) -> None:
    sim, admin = counted
    _tap_runs(sim, admin)
    _target_run(sim, tmp_path)
    made = set(admin.calls()["by_kind"])
    sampled = {s.kind for s in SAMPLES}
    assert {"export.create", "v5.exports.create", "import.batch", "email.stats"} <= made
    assert made - sampled == set(), "request kinds the connectors send without a sample"


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
def test_each_sample_names_its_sources_and_confidence(sample: Any) -> None:
    data = sample.data
    assert data["confidence"] in CONFIDENCE
    assert data.get("title")
    sources = data.get("sources") or []
    assert sources, "a sample needs a source"
    for source in sources:
        if "document" in source:
            assert source["document"] in DOCUMENTS
            assert source.get("section")
        else:
            assert ("repo" in source and source.get("path")) or (
                "page" in source and source.get("section")
            ), source
    known = Switches().as_dict()
    for name, value in sample.switches.items():
        assert name in known, f"{sample}: no switch {name}"
        assert value != known[name], f"{sample}: {name}={value!r} is the default already"
    if sample.switches and set(sample.switches) != {"legacy_login_retired"}:
        # a variant served under a switch is one reading among several, not the documented one
        assert data["confidence"] != "documented", f"{sample}: switched, yet documented"
