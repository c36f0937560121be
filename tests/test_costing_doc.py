"""Every costing-rule section cited in the code (``§3.7``, ``spec §6.4``) is in docs/COSTING.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# "STYLE §3.2" and "STYLE.md §0" cite the style guide, not the costing rules.
CITATION = re.compile(r"(?<!STYLE )(?<!STYLE\.md )§\s?(\d+(?:\.\d+)*)")
HEADING = re.compile(r"^#+ (\d+(?:\.\d+)*)[. ]", re.MULTILINE)


def cited_sections() -> dict[str, str]:
    cited: dict[str, str] = {}
    for folder in ("inventory", "revaluation", "templates", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".html"}:
                continue
            for number in CITATION.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(number, str(path.relative_to(ROOT)))
    return cited


def test_every_cited_section_is_documented():
    headings = set(HEADING.findall((ROOT / "docs" / "COSTING.md").read_text(encoding="utf-8")))
    cited = cited_sections()
    missing = {number: path for number, path in cited.items() if number not in headings}
    assert len(cited) > 70  # the pattern still finds the citations
    assert missing == {}
