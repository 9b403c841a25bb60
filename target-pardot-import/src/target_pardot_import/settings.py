"""The target's own settings: their JSON schema (what `--about` documents) and their typed form.

Defaults are written once, in the schema; `TargetSettings.from_config` reads them through
`pardot_client.settings_schema.with_defaults`, so `--about` and the code cannot disagree. The
connection settings (credentials, hosts, retries, the API user's timezone) are the client's:
`pardot_client.ClientSettings.from_config` reads them from the same config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from singer_sdk import typing as th

from pardot_client import PardotConfigError
from pardot_client.settings_schema import with_connection_settings, with_defaults
from target_pardot_import.fields import ColumnOption
from target_pardot_import.send_settings import BINDING_SCHEMA, SendBinding, parse_email_sends

MAX_PARTS = 10  # Pardot takes at most 10 batches per import

_OPTION = th.ObjectType(
    th.Property("overwrite", th.BooleanType, description="False keeps Pardot's non-blank value."),
    th.Property("nullOverwrite", th.BooleanType,
                description="True lets an explicit null (an empty cell) clear Pardot's value."),
)  # fmt: skip

CONFIG_SCHEMA = with_connection_settings(th.PropertiesList(
    th.Property("api_version", th.IntegerType, default=4, allowed_values=[3, 4],
                description="3: rows match prospects by email (accounts without multiple "
                "prospects per email). 4: by prospect_id or salesforce_fid."),
    th.Property("max_batch_bytes", th.IntegerType, default=9_990_000,
                description="Largest CSV part (one import batch) in encoded bytes, header "
                "included; Pardot wants batches under 10 MB."),
    th.Property("max_parts_per_import", th.IntegerType, default=10,
                description="Parts per import, 1 to 10 (Pardot's limit is 10 batches)."),
    th.Property("column_options", th.ObjectType(additional_properties=_OPTION),
                description='Per field: {"city": {"overwrite": false, "nullOverwrite": true}}. '
                "Defaults: overwrite true, nullOverwrite false (a blank never clears a value)."),
    th.Property("restore_deleted", th.BooleanType, default=False,
                description="Un-delete and update prospects found in Pardot's recycle bin; "
                "otherwise their rows are skipped and rejected."),
    th.Property("poll_interval_seconds", th.NumberType, default=60,
                description="Seconds between reads of a submitted import until it is Complete."),
    th.Property("import_timeout_minutes", th.NumberType, default=240,
                description="Fail the run when an import is not Complete after this long."),
    th.Property("rejects_path", th.StringType, default="pardot-rejects.csv",
                description="File the rejected rows are appended to, with their stream, input "
                "line and reason; a reject already in the file is not written again."),
    th.Property("rejects_format", th.StringType, allowed_values=["csv", "jsonl"],
                description="csv or jsonl; default: jsonl for a .jsonl path, else csv."),
    th.Property("max_reject_rate", th.NumberType, default=0.1,
                description="Fail the run, without STATE, once rejected rows (by the target or "
                "by Pardot) exceed this share of the rows read, 0 to 1: a rate that means the "
                "setup is broken rather than a few bad rows; 0: any reject fails the run."),
    th.Property("reject_rate_min_rows", th.IntegerType, default=100,
                description="Judge max_reject_rate only once a run has read this many rows: a "
                "smaller run never fails on its rejects (each is in the rejects file and the "
                "run's summary warns); 0 judges every run."),
    th.Property("dry_run", th.BooleanType, default=False,
                description="Check, encode and spool everything, log what would be imported, "
                "make no import calls and emit no STATE (the next run sends the rows again)."),
    th.Property("spool_dir", th.StringType,
                description="Directory under which each run keeps its CSV parts (personal "
                "data) in a directory of its own, removed when the run ends; default: the "
                "system temporary directory."),
    th.Property("email_sends", th.ObjectType(additional_properties=BINDING_SCHEMA),
                description='Streams whose records are email sends instead of prospects, e.g. '
                '{"welcome_emails": {"kind": "one_to_one", "key": "send_id", "columns": '
                '{"prospect_email": "email"}, "constants": {"campaign_id": 12, '
                '"email_template_id": 34}}}: one send per record, never two for one key (see '
                "README, Email sends)."),
    th.Property("send_ledger_path", th.StringType,
                description="SQLite file recording every send key before and after its call "
                "(required with email_sends). Keep it on durable storage: a lost ledger lets "
                "rows be sent again."),
    th.Property("max_sends_per_run", th.IntegerType, default=100,
                description="Most send calls one run makes; when reached the run sends no more, "
                "emits no further STATE and ends cleanly, so the next run goes on from there."),
    th.Property("allow_operational_email", th.BooleanType, default=False,
                description="Let sends set operational_email, which mails prospects who opted "
                "out (the account must have the feature); otherwise such rows are rejected."),
    th.Property("send_plan_path", th.StringType,
                description="In a dry run, write each send it would make (key, line, "
                "parameters: personal data) to this JSONL file; default: counts in the log "
                "only."),
).to_dict())  # fmt: skip


@dataclass(frozen=True)
class TargetSettings:
    """The target's settings, typed and defaulted, read once per run."""

    api_version: int  # as configured; the client's is the one in use (Pardot may switch it)
    max_batch_bytes: int
    max_parts_per_import: int
    column_options: Mapping[str, ColumnOption]  # only the columns the settings name
    restore_deleted: bool
    poll_interval_seconds: float
    import_timeout_minutes: float
    rejects_path: str
    rejects_format: str | None  # None: by the path's suffix
    max_reject_rate: float
    reject_rate_min_rows: int
    dry_run: bool
    spool_dir: str | None  # None: the system temporary directory
    email_sends: Mapping[str, SendBinding] = field(default_factory=dict)
    send_ledger_path: str | None = None
    max_sends_per_run: int = 100
    allow_operational_email: bool = False
    send_plan_path: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TargetSettings:
        """Read the settings; an empty string counts as unset, as in `ClientSettings`.

        Numbers are converted here: JSON configs may hold them as Decimal (singer-sdk's reader).
        """
        values = with_defaults({k: v for k, v in config.items() if v != ""}, CONFIG_SCHEMA)
        settings = cls(
            api_version=int(values["api_version"]),
            max_batch_bytes=int(values["max_batch_bytes"]),
            max_parts_per_import=int(values["max_parts_per_import"]),
            column_options={
                name: ColumnOption.from_setting(given or {})
                for name, given in (values.get("column_options") or {}).items()
            },
            restore_deleted=bool(values["restore_deleted"]),
            poll_interval_seconds=float(values["poll_interval_seconds"]),
            import_timeout_minutes=float(values["import_timeout_minutes"]),
            rejects_path=str(values["rejects_path"]),
            rejects_format=values.get("rejects_format"),
            max_reject_rate=float(values["max_reject_rate"]),
            reject_rate_min_rows=int(values["reject_rate_min_rows"]),
            dry_run=bool(values["dry_run"]),
            spool_dir=str(values["spool_dir"]) if values.get("spool_dir") else None,
            email_sends=parse_email_sends(
                values.get("email_sends"),
                allow_operational_email=bool(values["allow_operational_email"]),
            ),
            send_ledger_path=values.get("send_ledger_path") or None,
            max_sends_per_run=int(values["max_sends_per_run"]),
            allow_operational_email=bool(values["allow_operational_email"]),
            send_plan_path=values.get("send_plan_path") or None,
        )
        settings.validate()
        return settings

    @property
    def import_timeout_seconds(self) -> float:
        """How long one import may take from submission to Complete."""
        return self.import_timeout_minutes * 60

    def validate(self) -> None:
        """Refuse sizes no import could be cut to and rates no run could have, saying which
        setting to fix."""
        if not 0 <= self.max_reject_rate <= 1:
            raise PardotConfigError(
                f"max_reject_rate must be a share from 0 to 1 (0.1 is 10 %), not "
                f"{self.max_reject_rate:g}"
            )
        if self.reject_rate_min_rows < 0:
            raise PardotConfigError(
                f"reject_rate_min_rows must be 0 or more rows, not {self.reject_rate_min_rows}"
            )
        if self.max_batch_bytes < 1:
            raise PardotConfigError(
                f"max_batch_bytes must be a positive number of bytes, not {self.max_batch_bytes}"
            )
        if self.email_sends and not self.send_ledger_path:
            raise PardotConfigError(
                "email_sends needs send_ledger_path: the SQLite file that records every send "
                "key, so no row is ever sent twice. Put it on durable storage that outlives "
                "the run (not a container's temporary disk)."
            )
        if self.max_sends_per_run < 0:
            raise PardotConfigError(
                f"max_sends_per_run must be 0 or more sends, not {self.max_sends_per_run}"
            )
        if not 1 <= self.max_parts_per_import <= MAX_PARTS:
            raise PardotConfigError(
                f"max_parts_per_import must be 1 to {MAX_PARTS} (Pardot's limit of batches per "
                f"import), not {self.max_parts_per_import}"
            )
