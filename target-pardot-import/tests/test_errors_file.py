"""Pardot's errors file, whose columns are unconfirmed (docs/pardot-api/imports.md#the-errors-file):
each layout the simulator can serve is read, every skipped row lands in the rejects file with its
reason and input line, and a layout the target cannot read is still reported row by row."""

from __future__ import annotations

from typing import Any

import pytest

from pardot_sim.switches import Switches

PROPS: dict[str, Any] = {
    "prospect_id": {"type": ["integer", "null"]},
    "first_name": {"type": ["string", "null"]},
    "comments": {"type": ["string", "null"]},
}
LAYOUTS = Switches.variants()["error_csv_layout"]
NO_TYPE = {"single", "other_names"}  # no error type the target can tell: a generic kind


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_errors_file_layout_is_read(
    pardot: Any, config: dict[str, Any], singer: Any, layout: str
) -> None:
    pardot.admin("POST", "/_sim/switches", {"error_csv_layout": layout})
    known = pardot.add_prospect(email=singer.email("layout"), first_name="A")
    gone = pardot.add_prospect(email=singer.email("layout"), deleted=True)
    records = [
        {"prospect_id": known, "first_name": "Kept", "comments": "a, b"},
        {"prospect_id": 987_654_321, "first_name": "Ghost", "comments": 'say "hi"'},
        {"prospect_id": gone, "first_name": "Deleted"},
    ]
    messages = [singer.schema(PROPS), *singer.records(records), singer.state(3)]
    assert singer.run(config, messages) == [{"bookmarks": {"prospects": {"position": 3}}}]
    held = next(r for r in pardot.prospects() if r["id"] == known)
    assert held["first_name"] == "Kept"
    rejects = singer.rejects(config["rejects_path"])
    assert [(r["stage"], r["line"], r["stream"]) for r in rejects] == [
        ("pardot", 3, "prospects"), ("pardot", 4, "prospects")
    ]  # fmt: skip
    ghost, deleted = (r["record"] for r in rejects)
    assert (ghost["prospect_id"], ghost["first_name"], ghost["comments"]) == (
        "987654321", "Ghost", 'say "hi"'
    )  # fmt: skip
    assert deleted["prospect_id"] == str(gone)
    assert "987654321" in rejects[0]["reason"]  # Pardot's description is kept
    kinds = [r["reason"].split(":")[0] for r in rejects]
    if layout in NO_TYPE:
        assert kinds == ["pardot_error", "pardot_error"]
    else:
        assert kinds == ["prospect_not_found", "prospect_deleted"]


NO_HEADER = " (the errors file has no header row: cells read by position)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # labels the target cannot map: read by position, the label line included
            "Courriel,Erreur\r\nx@example.com,refused\r\n",
            [({"prospect_id": "Courriel", "first_name": "Erreur", "comments": ""},
              "pardot_error: Pardot skipped this row without saying why" + NO_HEADER),
             ({"prospect_id": "x@example.com", "first_name": "refused", "comments": ""},
              "pardot_error: Pardot skipped this row without saying why" + NO_HEADER)],
        ),
        (  # ragged rows, no header at all
            "7\r\n8,b,c,bad_row,why,more\r\n\r\n",
            [({"prospect_id": "7", "first_name": "", "comments": ""},
              "pardot_error: Pardot skipped this row without saying why" + NO_HEADER),
             ({"prospect_id": "8", "first_name": "b", "comments": "c"},
              "bad_row: why; more" + NO_HEADER)],
        ),
        (  # a value where the error type would be is never taken for one (kinds are logged)
            "9,Alice,x,Alice,refused\r\n",
            [({"prospect_id": "9", "first_name": "Alice", "comments": "x"},
              "pardot_error: Alice; refused" + NO_HEADER)],
        ),
        ("", []),  # an empty file
        ("prospect_id,Error\r\n", []),  # a header without rows
    ],
)  # fmt: skip
def test_a_layout_the_target_cannot_read_is_reported_row_by_row(
    text: str, expected: list[tuple[dict[str, str], str]]
) -> None:
    import csv
    import io

    from target_pardot_import.errors_file import skipped_rows

    lines = csv.reader(io.StringIO(text, newline=""))
    rows = list(skipped_rows(lines, ("prospect_id", "first_name", "comments")))
    assert [(row.record, row.reason) for row in rows] == expected
