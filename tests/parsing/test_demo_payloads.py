"""The bundled demo payloads parse: cleanly, or with problems where they are meant to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.interactions.parsing import parse_interaction
from tests.parsing.helpers import PAYLOADS, all_unknown, assert_well_typed, problem_text

_MESSY_WORDS = ("messy", "toleran")


def _payload_files() -> list[Path]:
    return sorted(p for p in PAYLOADS.glob("*.json") if p.name != "index.json")


def _messy_files() -> set[str]:
    names = {p.name for p in _payload_files() if "messy" in p.name.lower()}
    index_file = PAYLOADS / "index.json"
    if index_file.exists():
        try:
            index = json.loads(index_file.read_text(encoding="utf-8"))
        except ValueError:
            index = []
        for entry in index if isinstance(index, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                continue
            texts = [v for k, v in entry.items() if k != "file" and isinstance(v, str)]
            if any(word in text.lower() for text in texts for word in _MESSY_WORDS):
                names.add(Path(entry["file"]).name)
    return names


_MESSY = _messy_files()
_CLEAN = [p for p in _payload_files() if p.name not in _MESSY]
_MESSY_PATHS = [p for p in _payload_files() if p.name in _MESSY]


def test_demo_payloads_present() -> None:
    assert _payload_files(), f"no demo payloads in {PAYLOADS}"


@pytest.mark.parametrize("path", _CLEAN, ids=lambda p: p.name)
def test_demo_payload_parses_cleanly(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    i = parse_interaction(data)
    assert i.problems == (), problem_text(i)
    assert all_unknown(i) == set()
    assert i.interaction_id
    assert i.start is not None
    assert_well_typed(i)


@pytest.mark.parametrize(
    "path",
    _MESSY_PATHS
    or [pytest.param(None, marks=pytest.mark.skip(reason="no messy demo payload present"))],
    ids=lambda p: p.name if p else "none",
)
def test_messy_demo_payload_reports_problems(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    i = parse_interaction(data)
    assert i.problems, f"{path.name} is meant to be messy but parsed without problems"
    assert_well_typed(i)
