"""The README's settings tables (and the tap's stream table), generated from `--about`.

    uv run python scripts/settings_table.py          # rewrite the tables in README.md
    uv run python scripts/settings_table.py --check  # exit 1 if README.md is out of date

Each table sits between `<!-- settings:NAME -->` and `<!-- /settings:NAME -->` in README.md; the
tap's streams (API, replication key, deleted rows) between `<!-- streams:NAME -->` and
`<!-- /streams:NAME -->`.
`meltano_settings` gives the `settings:` entries meltano.yml declares for the same plugin, so a
test can hold meltano.yml, the README and `--about` to one list.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tap_pardot_export.about import markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# Connector -> the class whose click CLI it is (as in its [project.scripts]).
CONNECTORS = {
    "tap-pardot-export": ("tap_pardot_export.tap", "TapPardotExport"),
    "target-pardot-import": ("target_pardot_import.target", "TargetPardotImport"),
}

# Settings the SDK adds to every connector; the README points to the SDK docs for them.
SDK_BUILTINS = frozenset({
    "stream_maps", "stream_map_config", "faker_config", "flattening_enabled",
    "flattening_max_depth", "flattening_max_key_length", "flattening_separator", "batch_config",
    "add_record_metadata", "load_method", "batch_size_rows", "validate_records",
    "activate_version", "hard_delete", "process_activate_version_messages",
})  # fmt: skip

# No `decimal` kind for numbers: Meltano 4.4.1 cannot pass a decimal setting read from the
# environment (`Object of type Decimal is not JSON serializable`); as strings they reach the
# connectors, which read numbers given as text (pardot_client.config_check).
MELTANO_KINDS = {"integer": "integer", "boolean": "boolean", "object": "object", "array": "array"}


def about(connector: str) -> dict[str, Any]:
    """`<connector> --about --format json`, run with this Python (the workspace's)."""
    module, cls = CONNECTORS[connector]
    output = subprocess.run(
        [sys.executable, "-c", f"from {module} import {cls}; {cls}.cli()",
         "--about", "--format", "json"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(output)
    return result


def json_type(schema: dict[str, Any]) -> str:
    """The non-null JSON type of a setting, `date-time` for timestamps."""
    kinds = schema.get("type", "string")
    names = [k for k in ([kinds] if isinstance(kinds, str) else kinds) if k != "null"]
    name = names[0] if names else "string"
    return "date-time" if schema.get("format") == "date-time" else name


def _cell(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(info: dict[str, Any]) -> str:
    """A markdown table of a connector's own settings (SDK built-ins left out)."""
    settings = info["settings"]
    required = set(settings.get("required", []))
    lines = [
        "| setting | type | default | description |",
        "|---|---|---|---|",
    ]
    for name, schema in settings["properties"].items():
        if name in SDK_BUILTINS:
            continue
        flags = [f for f, on in (("required", name in required),
                                 ("secret", schema.get("secret"))) if on]  # fmt: skip
        label = f"`{name}`" + (f" ({', '.join(flags)})" if flags else "")
        default = f"`{_cell(schema['default'])}`" if "default" in schema else ""
        description = _cell(schema.get("description", ""))
        lines.append(f"| {label} | {json_type(schema)} | {default} | {description} |")
    return "\n".join(lines)


def meltano_settings(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The `settings:` meltano.yml should declare: every setting, secrets `sensitive`."""
    out: list[dict[str, Any]] = []
    for name, schema in info["settings"]["properties"].items():
        kind = json_type(schema)
        entry: dict[str, Any] = {"name": name}
        if kind == "date-time":
            entry["kind"] = "date_iso8601"
        elif kind in MELTANO_KINDS:
            entry["kind"] = MELTANO_KINDS[kind]
        if schema.get("secret"):
            entry["sensitive"] = True
        out.append(entry)
    return out


def stream_table(info: dict[str, Any]) -> str:
    """A markdown table of the streams `--about` lists (the tap's), as `--about` renders it."""
    return markdown_table(list(info.get("streams", [])))


def render(readme: str, tables: dict[str, str], kind: str = "settings") -> str:
    """README text with each marked table (`settings` or `streams`) replaced."""
    for name, body in tables.items():
        pattern = re.compile(
            rf"(<!-- {kind}:{re.escape(name)} -->\n).*?(<!-- /{kind}:{re.escape(name)} -->)",
            re.DOTALL,
        )
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no <!-- {kind}:{name} --> markers")
        readme = pattern.sub(lambda m: f"{m[1]}{body}\n{m[2]}", readme)  # noqa: B023
    return readme


def main(argv: list[str] | None = None) -> int:
    """Rewrite README.md's settings tables, or with --check report whether they are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    infos = {name: about(name) for name in CONNECTORS}
    wanted = render(current, {name: table(info) for name, info in infos.items()})
    wanted = render(wanted, {"tap-pardot-export": stream_table(infos["tap-pardot-export"])},
                    "streams")  # fmt: skip
    if args.check:
        if wanted != current:
            print("README.md settings or stream tables are stale: run `make readme-settings`.")
            return 1
        return 0
    if wanted != current:
        README.write_text(wanted, encoding="utf-8")
        print("README.md settings tables rewritten.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
