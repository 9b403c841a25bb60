"""The tap's connection test: `pardot_client.connection_check`, answered the Singer way.

`--test` and `meltano config test` used to sync a record of every stream, creating real exports
(12 for `--test`, 2 for Meltano's test, which stops at the first RECORD) and taking up to a
minute. Now both make one cheap call and create no export. `meltano config test` starts the tap
as a plain sync and waits for a RECORD, so there the result goes out as one RECORD of a
`connection_test` stream.
"""

from __future__ import annotations

from typing import Any

from singer_sdk.singerlib import RecordMessage, SchemaMessage

from pardot_client import PardotClient
from pardot_client.connection_check import ConnectionReport, check_connection

STREAM = "connection_test"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "business_unit_id": {"type": ["string", "null"]},
        "api_version": {"type": "integer"},
        "timezone": {"type": "string"},
        "newest_prospect_updated_at": {"type": ["string", "null"], "format": "date-time"},
        "api_calls": {"type": "integer"},
    },
}


def test_connection(client: PardotClient) -> ConnectionReport:
    """The connection test of the tap: nothing is exported."""
    return check_connection(client, nothing_made="no export created")


def report_messages(report: ConnectionReport) -> list[SchemaMessage | RecordMessage]:
    """The SCHEMA and the RECORD that carry a report to `meltano config test`."""
    return [
        SchemaMessage(STREAM, SCHEMA, key_properties=[]),
        RecordMessage(STREAM, report.record()),
    ]
