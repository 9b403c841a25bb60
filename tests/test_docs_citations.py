"""Code cites the repository's own docs/, and every citation leads somewhere.

Comments name `docs/<page>.md` (optionally `#heading`) for the facts they rely on; a page that was
renamed or a heading that was reworded would leave a reader at a dead end, so both are checked.
Files outside the repository (the notes this project was specified from) are never cited.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Our code and READMEs; docs/ pages themselves also name paths in other repositories.
SOURCES = [
    *ROOT.glob("*.md"),
    *(p for d in ("pardot-client", "pardot-sim", "tap-pardot-export", "target-pardot-import")
      for p in (ROOT / d).rglob("*.py")),
    *(p for d in ("tests", "e2e", "bench", "scripts") for p in (ROOT / d).rglob("*.py")),
]  # fmt: skip
# A citation: docs/... in prose, not part of a URL or of another path (".../docs/index.md").
CITATION = re.compile(r"(?<![\w./-])docs/([\w/-]+\.md)(?:#([\w-]+))?")
OUTSIDE = re.compile("pardot-api" r"\.md|sdk" "-notes|\u00a7")  # split: this line is not one


def anchors(page: Path) -> set[str]:
    """GitHub-style anchors of a Markdown page's headings."""
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^a-z0-9 _-]", "", text).replace(" ", "-"))
    return found


def citations() -> list[tuple[str, str, str | None]]:
    """(where, page, anchor) for every docs/ citation in the sources."""
    out = []
    for path in SOURCES:
        if ".venv" in path.parts or ".meltano" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{path.relative_to(ROOT)}:{number}"
            out.extend((where, m[1], m[2]) for m in CITATION.finditer(line))
    return out


def test_there_are_citations_to_check() -> None:
    assert len(citations()) > 20


@pytest.mark.parametrize(("where", "page", "anchor"), citations())
def test_each_citation_names_a_page_and_heading_that_exist(
    where: str, page: str, anchor: str | None
) -> None:
    target = ROOT / "docs" / page
    assert target.is_file(), f"{where} cites docs/{page}, which does not exist"
    if anchor:
        assert anchor in anchors(target), f"{where} cites #{anchor}, not a heading of docs/{page}"


def test_no_source_cites_notes_outside_the_repository() -> None:
    offenders = []
    for path in SOURCES:
        if ".venv" in path.parts or ".meltano" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
