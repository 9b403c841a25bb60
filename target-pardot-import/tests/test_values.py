"""Value formatting, row checks and quoting, without HTTP: what a row becomes, or why not."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pardot_client.catalog import FieldType
from target_pardot_import.fields import SchemaError, import_columns
from target_pardot_import.parts import PartGroup
from target_pardot_import.values import RowEncoder, RowRejectedError, format_number, quote

CUSTOM = {"renewal_date__c": FieldType.STRING}
PROPS: dict[str, Any] = {
    "email": {"type": "string"},
    "prospect_id": {"type": ["integer", "null"]},
    "salesforce_fid": {"type": ["string", "null"]},
    "first_name": {"type": ["string", "null"]},
    "score": {"type": ["integer", "null"]},
    "is_do_not_email": {"type": ["boolean", "null"]},
    "renewal_date__c": {"type": ["string", "null"], "format": "date-time"},
}


def encoder(version: int = 4, props: dict[str, Any] | None = None, **kwargs: Any) -> RowEncoder:
    columns = import_columns(props or PROPS, version, CUSTOM, "prospects")
    return RowEncoder(columns.columns, version=version, tz="America/New_York", **kwargs)


def cells(row: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(row.decode(), newline="")))


def test_values_are_formatted_for_pardot() -> None:
    variant, row = encoder().encode(
        {"email": "a@b.example.com", "prospect_id": 12, "first_name": "Zoë",
         "score": 7.0, "is_do_not_email": True,
         "renewal_date__c": "2026-11-01T05:30:00Z"}  # 01:30 EDT, before the fall-back
    )  # fmt: skip
    assert variant == ()
    assert row.endswith(b"\r\n")
    assert cells(row) == ["a@b.example.com", "12", "", "Zoë", "7", "true", "2026-11-01 01:30:00"]
    # The second 01:30 that night is EST; a naive date-time is UTC.
    _, later = encoder().encode({"prospect_id": 1, "renewal_date__c": "2026-11-01T06:30:00"})
    assert cells(later)[-1] == "2026-11-01 01:30:00"
    _, offset = encoder().encode({"prospect_id": 1, "renewal_date__c": "2026-07-01T12:00:00+02:00"})
    assert cells(offset)[-1] == "2026-07-01 06:00:00"


def test_numbers_never_use_an_exponent() -> None:
    assert format_number(1e20) == "100000000000000000000"
    assert format_number(2.5e-7) == "0.00000025"
    assert format_number(3.0) == "3"


@pytest.mark.parametrize(
    "text",
    ["Comma, inside", 'Quote " and ""double""', "Line\nbreak", "Windows\r\nbreak",
     "Ünïcödé 日本語 🚀", "  padded  ", "=1+1", ""],
)  # fmt: skip
def test_quoting_round_trips_through_a_csv_reader(text: str) -> None:
    _, row = encoder().encode({"prospect_id": 5, "first_name": text})
    assert cells(row)[3] == text
    assert quote("plain") == "plain"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"first_name": "x"}, "no match key"),
        ({"prospect_id": "", "salesforce_fid": "  "}, "no match key"),
        ({"prospect_id": "abc"}, "prospect_id: expected an integer, got a string"),
        ({"prospect_id": 1, "email": "not an email"}, "email: not a valid email address"),
        ({"prospect_id": 1, "score": "many"}, "score: expected an integer, got a string"),
        ({"prospect_id": 1, "is_do_not_email": "maybe"}, "is_do_not_email: expected a boolean"),
        ({"prospect_id": 1, "first_name": {"a": 1}}, "first_name: expected text, got an object"),
        ({"prospect_id": 1, "renewal_date__c": "soon"}, "not an ISO 8601 date-time"),
        ({"prospect_id": 1, "grade": "A", "bogus": 1}, "cannot import (or not in the stream's "
         "schema): bogus, grade"),
    ],
)  # fmt: skip
def test_rows_pardot_would_refuse_are_rejected_with_a_reason_without_the_value(
    record: dict[str, Any], reason: str
) -> None:
    with pytest.raises(RowRejectedError) as caught:
        encoder().encode(record)
    assert reason in str(caught.value)
    for value in ("abc", "not an email", "many", "maybe", "soon"):
        assert value not in str(caught.value)


def test_an_unknown_field_holding_null_is_not_a_reason_to_reject() -> None:
    _, row = encoder().encode({"prospect_id": 1, "grade": None})
    assert cells(row)[1] == "1"


def test_v3_matches_by_email() -> None:
    with pytest.raises(RowRejectedError, match="api_version 3 matches prospects by email"):
        encoder(3, {"email": {}, "first_name": {}}).encode({"first_name": "x"})
    with pytest.raises(SchemaError, match="needs email"):
        import_columns({"first_name": {}}, 3, {}, "people")
    left_out = import_columns({"email": {}, "prospect_id": {}, "id": {}}, 3, {}, "p").left_out
    assert left_out == {
        "prospect_id": "prospect_id is a match column of api_version 4 only",
        "id": "id is a prospect field Pardot does not import",
    }


def test_a_missing_null_overwrite_column_moves_the_row_to_a_header_without_it() -> None:
    enc = encoder(null_overwrite=["first_name", "score"])
    variant, row = enc.encode({"prospect_id": 1, "first_name": None})
    assert variant == ("score",)
    assert enc.header(variant) == (
        "email", "prospect_id", "salesforce_fid", "first_name", "is_do_not_email",
        "renewal_date__c",
    )  # fmt: skip
    assert cells(row) == ["", "1", "", "", "", ""]
    assert enc.encode({"prospect_id": 1, "first_name": None, "score": None})[0] == ()


def test_parts_are_cut_by_encoded_bytes_with_the_header_in_each(tmp_path: Any) -> None:
    group = PartGroup(("prospect_id", "first_name"), 100, 10, str(tmp_path))
    row = "1,Émile\r\n".encode()  # 10 bytes: É is two
    for line in range(30):
        assert group.add(row, line)
    assert len(group.complete) == 4
    assert [p.size for p in group.complete] == [94] * 4  # 24-byte header + 7 rows
    header = b"prospect_id,first_name\r\n"
    assert all(p.upload_file().read_bytes().startswith(header) for p in group.complete)
    assert group.rows == 30
    taken = group.take()
    assert [p.rows for p in taken] == [7, 7, 7, 7, 2]
    assert [line for p in taken for line, _ in p.rows_with_lines()] == list(range(30))
    assert group.fits(b"x" * 76)
    assert not group.fits(b"x" * 77)
    group.discard()
    for part in taken:
        part.discard()
    assert not list(tmp_path.iterdir())


def test_a_group_refuses_the_row_that_would_need_one_part_too_many(tmp_path: Any) -> None:
    group = PartGroup(("a",), 20, 2, str(tmp_path))
    row = b"x" * 10 + b"\r\n"  # 12 bytes: with the 3-byte header, one row per part
    assert group.add(row, 1)
    assert group.add(row, 2)
    assert not group.add(row, 3)  # a third part: refused, nothing written
    assert group.rows == 2
    parts = group.take()
    assert [list(p.rows_with_lines()) for p in parts] == [[(1, row)], [(2, row)]]
    for part in parts:
        part.discard()
    assert not list(tmp_path.iterdir())


def test_rows_with_lines_splits_quoted_line_breaks_as_the_target_wrote_them(tmp_path: Any) -> None:
    enc = encoder(3, {"email": {}, "comments": {}})
    texts = ['a,"b"\r\nc', "plain", '""', "x\ny", ""]
    group = PartGroup(enc.header(), 10_000, 10, str(tmp_path))
    rows = [
        enc.encode({"email": f"q{i}@example.com", "comments": t})[1] for i, t in enumerate(texts)
    ]
    for line, row in enumerate(rows, start=7):
        assert group.add(row, line)
    (part,) = group.take()
    assert list(part.rows_with_lines()) == list(enumerate(rows, start=7))
    part.discard()
