"""Several records for one match key: Pardot ends as if they were applied in input order, field
by field as the column options say, whatever header variants and imports they fall into."""

from __future__ import annotations

import random
from typing import Any

V3_PROPS: dict[str, Any] = {
    "email": {"type": "string"},
    "first_name": {"type": ["string", "null"]},
    "city": {"type": ["string", "null"]},
    "comments": {"type": ["string", "null"]},
}
OPTIONS = {"city": {"nullOverwrite": True}, "comments": {"overwrite": False}}
MISSING = object()


def test_the_last_record_wins_across_header_variants(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    email = singer.email("stale")
    pardot.add_prospect(email=email, first_name="v0", city="Old")
    records = [
        {"email": email, "first_name": "v1"},
        {"email": email, "first_name": "v2", "city": "X"},
        {"email": email, "first_name": "v3"},
    ]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state(3)]
    cfg = {**config, "api_version": 3, "column_options": OPTIONS}
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": 3}}}]
    (held,) = pardot.by_email(email)[email]
    assert (held["first_name"], held["city"]) == ("v3", "X")
    assert singer.rejects(config["rejects_path"]) == []


def _apply(stored: dict[str, Any], record: dict[str, Any], created: bool) -> None:
    """What one import row does to a prospect (docs/pardot-api/imports.md#column-options)."""
    if created:
        stored.update(dict.fromkeys(("first_name", "city", "comments")))
    for name in ("first_name", "city", "comments"):
        value = record.get(name, MISSING)
        if value is MISSING:
            if name == "city":
                continue  # nullOverwrite true: a missing key sends no city column at all
            value = None  # the other columns get an empty cell
        if created:
            stored[name] = value
        elif name == "comments" and stored[name] not in (None, ""):
            continue  # overwrite false keeps a non-blank value
        elif value is not None or name == "city":
            stored[name] = value  # a blank clears only where nullOverwrite is true


def test_many_repeats_in_input_order_over_several_imports(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    rng = random.Random(13)
    emails = [singer.email("repeat") for _ in range(60)]
    expected: dict[str, dict[str, Any]] = {}
    for email in emails[:30]:  # half exist in Pardot already
        expected[email] = {"first_name": "old", "city": "Old", "comments": None}
        pardot.add_prospect(email=email, **expected[email])
    records = []
    for step in range(400):
        email = rng.choice(emails)
        record: dict[str, Any] = {"email": email}
        for name in ("first_name", "city", "comments"):
            roll = rng.random()
            if roll < 0.6:
                record[name] = f"{name[:1]}{step}"
            elif roll < 0.8:
                record[name] = None
        records.append(record)
        created = email not in expected
        _apply(expected.setdefault(email, {}), record, created)
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("all")]
    cfg = {**config, "api_version": 3, "column_options": OPTIONS, "max_batch_bytes": 700}
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": "all"}}}]
    held = pardot.by_email(*emails)
    wrong = [
        e for e in emails
        if len(held[e]) != 1
        or {k: held[e][0][k] for k in ("first_name", "city", "comments")} != expected[e]
    ]  # fmt: skip
    assert wrong == [], f"{len(wrong)} of {len(emails)} prospects differ from input order"
