"""The TIMEX3 reader and scorer used by the timeline benchmark (TempEval-3 task A rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.timex_eval import Timex, compare, read_timeml, score

from support import EVAL

TEMPEVAL = EVAL / "tempeval3-dev"

DOC = """<?xml version="1.0" ?>
<TimeML>
<DOCID>X1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2025-03-14">March 14, 2025</TIMEX3></DCT>
<TEXT>
The quake struck <TIMEX3 tid="t1" type="DATE" value="2025-03-13">on Thursday</TIMEX3>, and
<EVENT eid="e1">rescue</EVENT> went on for
<TIMEX3 tid="t2" type="DURATION" value="P2D">two days</TIMEX3>.
</TEXT>
</TimeML>
"""


def test_reader_gives_text_offsets_dct_and_values(tmp_path: Path) -> None:
    path = tmp_path / "x1.tml"
    path.write_text(DOC, encoding="utf-8")
    doc = read_timeml(path)
    assert doc.dct == "2025-03-14"
    assert [t.value for t in doc.timexes] == ["2025-03-13", "P2D"]
    for timex in doc.timexes:
        assert doc.text[timex.start : timex.end] == timex.text
    assert doc.timexes[0].text == "on Thursday"
    assert "<EVENT" not in doc.text and "rescue went on for" in doc.text.replace("\n", " ")


def test_strict_relaxed_and_value_counts() -> None:
    gold = [Timex(10, 21, "DATE", "2025-03-13"), Timex(40, 48, "DURATION", "P2D")]
    system = [
        Timex(13, 21, "DATE", "2025-03-13"),  # overlaps the first: relaxed, right value
        Timex(40, 48, "DURATION", "P3D"),  # exact span, wrong value
        Timex(60, 65, "DATE", "2025"),  # spurious
    ]
    counts = compare(gold, system)
    assert (counts.gold, counts.system) == (2, 3)
    assert (counts.strict, counts.relaxed, counts.value, counts.type) == (1, 2, 1, 2)
    scores = score([(gold, system)])
    assert scores["relaxed"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert scores["relaxed"]["recall"] == 1.0
    assert scores["value"]["f1"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5), abs=1e-4)


def test_one_system_expression_matches_one_gold_expression() -> None:
    gold = [Timex(0, 5, "DATE", "a"), Timex(6, 10, "DATE", "b")]
    system = [Timex(0, 10, "DATE", "a")]
    counts = compare(gold, system)
    assert counts.relaxed == 1 and counts.value == 1


@pytest.mark.skipif(not TEMPEVAL.is_dir(), reason="../shared/eval/tempeval3-dev not available")
def test_every_gold_span_of_the_dev_set_reads_back() -> None:
    files = sorted(TEMPEVAL.rglob("*.tml"))
    assert len(files) > 200
    total = 0
    for path in files[:40]:
        doc = read_timeml(path)
        assert doc.dct
        for timex in doc.timexes:
            assert doc.text[timex.start : timex.end] == timex.text
            assert timex.value
        total += len(doc.timexes)
    assert total > 100
