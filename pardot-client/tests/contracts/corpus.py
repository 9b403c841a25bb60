"""The contract corpus: samples of what Pardot sends and accepts, and how answers are compared.

Each sample (`samples/<area>/<name>.json`) is one request the connectors make and the answer
Pardot gives, written in our own form from a named source (a section of an API document, or a
public repository file holding a recorded answer), with its confidence. README.md describes the
format. Two test modules use it: the client reads every sample's answer, and the simulator,
asked the same request, answers with the same shape.

"Shape" means keys, nesting and value kinds for JSON and XML, and the header and the kind of
value in each column for CSV: values themselves differ between accounts.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parent / "samples"
CONFIDENCE = ("documented", "client code", "second-hand", "unconfirmed")
DOCUMENTS = (
    "export-api-overview-a.txt", "export-api-overview-b.txt", "bulk-data-pull-guide.txt",
    "objects-dynamic-content-email-template-email-and-export.txt", "import-api-introduction.txt",
)  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """One sample of the corpus, as its JSON file holds it."""

    name: str  # "<area>/<file stem>"
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        """The endpoint kind of the request (`pardot_client.calls.endpoint_kind`)."""
        return str(self.data["kind"])

    @property
    def request(self) -> dict[str, Any]:
        """method, path (with `{version}` and placeholders), params, json/form/multipart."""
        return dict(self.data["request"])

    @property
    def response(self) -> dict[str, Any]:
        """status, format (json, xml, csv, empty), body, optional key paths."""
        return dict(self.data["response"])

    @property
    def switches(self) -> dict[str, Any]:
        """The simulator switches that serve this variant (none: the default)."""
        return dict(self.data.get("switches") or {})

    @property
    def on_simulator(self) -> bool:
        """False for the few answers the simulator is not asked for (see the sample's notes)."""
        return bool(self.data.get("simulator", True))

    def __str__(self) -> str:
        return self.name


def load_samples() -> list[Sample]:
    """Every sample, by name."""
    return [
        Sample(f"{path.parent.name}/{path.stem}", json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(SAMPLES.glob("*/*.json"))
    ]


def body_value(sample: Sample) -> Any:
    """The sample's answer body as data: JSON as is, XML as a dict, CSV as text, empty as None."""
    response = sample.response
    body = response.get("body")
    if response["format"] == "xml":
        return xml_as_data(str(body))
    return body


# -- shapes -------------------------------------------------------------------------------------


def kind_of(value: Any) -> str:
    """The kind of a JSON scalar: bool, int, number, string, null (or object, list)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "list"


def shape_differences(
    sample: Any, answer: Any, optional: Sequence[str] = (), open_: Sequence[str] = (),
    path: str = "",
) -> list[str]:  # fmt: skip
    """How `answer` differs in shape from `sample`: keys, nesting, value kinds.

    A key of the answer the sample lacks is invented, unless the object's path is `open_` (a
    prospect record also carries the account's custom fields); a key of the sample the answer
    lacks is missing unless its path matches an `optional` pattern. A list is compared item by
    item with the sample's first item. Null stands for an empty element and matches any kind;
    an integer may stand where the sample has a number.
    """
    where = path or "(top)"
    if sample is None or answer is None:
        return []
    if isinstance(sample, dict):
        if not isinstance(answer, dict):
            return [f"{where}: an object in the sample, {kind_of(answer)} in the answer"]
        out = []
        if path not in open_:
            out = [f"{_join(path, k)}: invented (not in the sample)" for k in answer
                   if k not in sample]  # fmt: skip
        for key, value in sample.items():
            child = _join(path, key)
            if key not in answer:
                if not any(fnmatch.fnmatchcase(child, p) for p in optional):
                    out.append(f"{child}: missing")
                continue
            out += shape_differences(value, answer[key], optional, open_, child)
        return out
    if isinstance(sample, list):
        if not isinstance(answer, list):
            return [f"{where}: a list in the sample, {kind_of(answer)} in the answer"]
        if not sample:
            return [] if not answer else [f"{where}: items where the sample has none"]
        model = _merged(sample)
        return [d for item in answer
                for d in shape_differences(model, item, optional, open_, f"{path}[]")]  # fmt: skip
    want, got = kind_of(sample), kind_of(answer)
    if want == got or (want == "number" and got == "int"):
        return []
    return [f"{where}: {want} in the sample, {got} in the answer"]


def _merged(items: list[Any]) -> Any:
    """One model item for a list: objects merged key by key (a key some items lack is still a
    key of the list's items), anything else the first item."""
    if not all(isinstance(item, dict) for item in items):
        return items[0]
    merged: dict[str, Any] = {}
    for item in items:
        for key, value in item.items():
            if merged.get(key) is None:
                merged[key] = value
    return merged


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def xml_as_data(text: str) -> dict[str, Any]:
    """An XML answer as nested dicts: attributes under `@attributes`, text under `#text` when
    an element also has attributes, repeated elements as lists, an empty element as None."""
    root = ET.fromstring(text.strip().encode())  # noqa: S314 - our own samples and simulator
    return {root.tag: _element(root)}


def _element(element: ET.Element) -> Any:
    children = list(element)
    text = (element.text or "").strip()
    if not children and not element.attrib:
        return text or None
    out: dict[str, Any] = {}
    if element.attrib:
        out["@attributes"] = dict(element.attrib)
    for child in children:
        value = _element(child)
        if child.tag in out:
            previous = out[child.tag]
            out[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[child.tag] = value
    if text and element.attrib and not children:
        out["#text"] = text
    return out


_CELL_KINDS = (
    ("int", re.compile(r"-?\d+")),
    ("number", re.compile(r"-?\d+\.\d+")),
    ("datetime", re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")),
    ("iso", re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)")),
    ("date", re.compile(r"\d{4}-\d{2}-\d{2}")),
)


def cell_kind(cell: str) -> str:
    """int, number, datetime (wall time), iso (with offset), date, empty or text."""
    if cell == "":
        return "empty"
    return next((kind for kind, rule in _CELL_KINDS if rule.fullmatch(cell)), "text")


def csv_shape(text: str) -> tuple[list[str], list[set[str]]]:
    """A CSV file's header and the kinds of value each column holds."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0] if rows else []
    kinds: list[set[str]] = [set() for _ in header]
    for row in rows[1:]:
        for i, cell in enumerate(row[: len(header)]):
            kinds[i].add(cell_kind(cell))
    return header, kinds


def csv_differences(sample: str, answer: str) -> list[str]:
    """How a CSV answer differs from the sample: its header, or a column's kinds of value."""
    want_header, want_kinds = csv_shape(sample)
    got_header, got_kinds = csv_shape(answer)
    if got_header != want_header:
        return [f"header {got_header} where the sample has {want_header}"]
    out = []
    for name, want, got in zip(want_header, want_kinds, got_kinds, strict=True):
        if "text" in want:
            continue
        extra = got - want - {"empty"}
        if extra:
            out.append(f"column {name}: {sorted(extra)} where the sample has {sorted(want)}")
    return out


# -- placeholders and paths ----------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: Any, values: dict[str, Any]) -> Any:
    """`template` with `{name}` placeholders replaced, in strings, lists and dicts alike."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole and whole[1] in values:
            return values[whole[1]]
        return _PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), template)
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    return template


def dig(data: Any, path: str) -> Any:
    """A value by dotted path; `[n]` indexes a list; a list where a name is expected, its first
    item (one record may come as an object, several as a list)."""
    value = data
    for part in path.split("."):
        name, _, index = part.partition("[")
        if name:
            if isinstance(value, list):
                value = value[0]
            value = value[name]
        if index:
            value = value[int(index.rstrip("]"))]
    return value


def iter_sources(sample: Sample) -> Iterator[dict[str, str]]:
    """The sample's sources: documents by file and section, repositories by repo and path."""
    yield from sample.data.get("sources") or []
