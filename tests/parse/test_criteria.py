"""split_criteria on the seeds' eligibility blocks (sliced out of the seed files by their headings)
and on short blocks written the way ClinicalTrials.gov, WHO ICTRP, ChiCTR and EUCTR write them."""

from __future__ import annotations

import pytest

from flows.parse.criteria import split_criteria
from flows.records import Criterion
from tests.conftest import seed_path


def _seed_block(prefix: str, start_marker: str, end_marker: str) -> tuple[str, int, int]:
    text = seed_path(prefix).read_text(encoding="utf-8")
    start = text.index(start_marker)
    return text, start, text.index(end_marker, start)


def _split_seed(prefix: str, start_marker: str, end_marker: str) -> tuple[str, list[Criterion]]:
    text, start, end = _seed_block(prefix, start_marker, end_marker)
    return text, split_criteria(text[start:end], offset=start)


def _of_kind(criteria: list[Criterion], kind: str) -> list[Criterion]:
    return [c for c in criteria if c.kind == kind]


def _assert_spans(text: str, criteria: list[Criterion]) -> None:
    for criterion in criteria:
        assert criterion.span_start is not None and criterion.span_end is not None
        assert text[criterion.span_start : criterion.span_end] == criterion.text


def test_seed_001_has_7_inclusion_and_12_exclusion_criteria() -> None:
    text, criteria = _split_seed("001", "Inclusion Criteria:", "Sites / Locations")
    inclusion, exclusion = _of_kind(criteria, "inclusion"), _of_kind(criteria, "exclusion")
    assert len(inclusion) == 7 and len(exclusion) == 12
    assert inclusion[1].text == "Ages: 18-60 years old (including)"
    assert exclusion[11].text == "Women who are pregnant or breastfeeding."
    assert [c.seq for c in exclusion] == list(range(1, 13))
    _assert_spans(text, criteria)


def test_seed_003_bullets_skip_the_preamble_line() -> None:
    text, criteria = _split_seed("003", "View:", "\nLocations\n")
    assert len(criteria) == 7 and {c.kind for c in criteria} == {"inclusion"}
    assert criteria[0].text.startswith("Before random assignment")
    assert not any("Only patients" in c.text for c in criteria)
    assert criteria[2].text == "SLEDAI-2K score ≥ 6"
    _assert_spans(text, criteria)


def test_seed_004_numbered_items() -> None:
    text, criteria = _split_seed("004", "Inclusion Criteria\n", "Study details")
    inclusion, exclusion = _of_kind(criteria, "inclusion"), _of_kind(criteria, "exclusion")
    assert len(inclusion) == 8 and len(exclusion) == 16
    assert inclusion[0].text == "Age 18-75 years at the time of screening"
    assert exclusion[15].text.startswith("Any other medical condition, which in the opinion")
    _assert_spans(text, criteria)


def test_seed_002_prose_criteria_and_inline_exclusion_heading() -> None:
    text, criteria = _split_seed("002", "Criteria for entrance to the study:", "\n\nAge\n")
    inclusion, exclusion = _of_kind(criteria, "inclusion"), _of_kind(criteria, "exclusion")
    assert [c.text for c in exclusion] == [
        "uncontrolled infection",
        "failure of kidney or other vital organs",
        "pregnancy or lactating.",
    ]
    assert len(inclusion) == 2
    assert inclusion[0].text.startswith("increase in proteinuria (defined as more than 1.0 g")
    proteinuria = inclusion[0].thresholds[0]
    assert (proteinuria.parameter, proteinuria.op, proteinuria.value_canonical) == ("proteinuria", ">", 1.0)
    assert proteinuria.unit_canonical == "g/24h"
    sledai = inclusion[1].thresholds[0]
    assert (sledai.parameter, sledai.op, sledai.value) == ("sledai", ">", 8.0)
    _assert_spans(text, criteria)


def test_ictrp_br_lines_with_nested_bullets_and_wrapped_lines() -> None:
    """A ClinicalTrials.gov record as the WHO ICTRP CSV export writes it: lines end in '\\n<br>'."""
    text = (
        "\n<br>        Inclusion Criteria:\n<br>\n<br>          -  Adults aged 18 years or older\n<br>\n<br>"
        "          -  Adequate organ function:\n<br>\n<br>"
        "               -  ALT or AST > 5 times Upper limit of\n<br>"
        "                  normal (ULN)\n<br>\n<br>"
        "        Exclusion Criteria:\n<br>\n<br>          -  pregnancy or breast feeding\n<br>\n<br>"
        "          -  creatinine clearance (CCL) < 30 mL/min\n<br>"
    )
    criteria = split_criteria(text, offset=100)
    assert [(c.kind, c.seq) for c in criteria] == [
        ("inclusion", 1),
        ("inclusion", 2),
        ("exclusion", 1),
        ("exclusion", 2),
    ]
    organ = criteria[1]
    assert organ.text.startswith("Adequate organ function:") and organ.text.endswith("normal (ULN)")
    assert {(t.parameter, t.op, t.value, t.unit_canonical) for t in organ.thresholds} == {
        ("alt", ">", 5.0, "x ULN"),
        ("ast", ">", 5.0, "x ULN"),
    }
    for criterion in criteria:
        assert text[criterion.span_start - 100 : criterion.span_end - 100] == criterion.text


def test_chictr_numbered_lines_and_inline_enumeration() -> None:
    """ChiCTR fields as in the ICTRP export: '<br>'-separated numbers, or all items on one line."""
    lines = split_criteria("Inclusion criteria: 1. Aged 18-75 years;\n<br>2. Confirmed COVID-19.", kind="inclusion")
    assert [c.text for c in lines] == ["Aged 18-75 years", "Confirmed COVID-19."]
    assert (lines[0].thresholds[0].op, lines[0].thresholds[0].value, lines[0].thresholds[0].value_high) == (
        "between",
        18.0,
        75.0,
    )
    inline = split_criteria("1) age 18-80 years old; 2) severe pneumonia; 3) signed consent", kind="exclusion")
    assert [c.text for c in inline] == ["age 18-80 years old", "severe pneumonia", "signed consent"]
    assert {c.kind for c in inline} == {"exclusion"}


def test_lettered_sub_items_stay_with_their_parent_and_euctr_age_table_is_dropped() -> None:
    """EUCTR writes sub-items at the same indentation; its age-range questionnaire follows the criteria."""
    text = (
        "Inclusion criteria: <br>1. Healthcare-associated pneumonia:<br>a. inpatient within the last 30 days"
        "<br>b. Resident of a nursing home.<br>2. Up to 48 hours after ICU admission<br><br>"
        "Are the trial subjects under 18? no<br>F.1.2 Adults (18-64 years) yes<br>"
    )
    criteria = split_criteria(text)
    assert len(criteria) == 2
    assert criteria[0].text.endswith("Resident of a nursing home.")
    assert criteria[1].text == "Up to 48 hours after ICU admission"
    assert not any(t.parameter == "age" for c in criteria for t in c.thresholds)


def test_trailer_is_not_a_criterion_and_no_heading_means_inclusion() -> None:
    criteria = split_criteria("- Hemoglobin >= 9 g/dL\n- Other protocol-defined inclusion criteria may apply")
    assert [(c.kind, c.text) for c in criteria] == [("inclusion", "Hemoglobin >= 9 g/dL")]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Key Inclusion Criteria:", "inclusion"),
        ("Main exclusion criteria:", "exclusion"),
        ("Exclusion Criteria", "exclusion"),
    ],
)
def test_heading_variants_switch_the_kind(heading: str, kind: str) -> None:
    criteria = split_criteria(f"{heading}\n- BMI > 35 kg/m2\n- Pregnancy")
    assert [(c.kind, c.seq) for c in criteria] == [(kind, 1), (kind, 2)]
    assert criteria[0].thresholds[0].value_canonical == 35.0


def test_sub_heading_gives_context_to_its_items() -> None:
    """The 1990s NCI layout on ClinicalTrials.gov: 'Age:' then a bullet '18 and over'."""
    criteria = split_criteria(
        "PATIENT CHARACTERISTICS:\n\nAge:\n\n  -  18 and over\n\nRenal:\n\n  -  Creatinine no greater than 2.5 mg/dL"
    )
    assert [c.text for c in criteria] == ["18 and over", "Creatinine no greater than 2.5 mg/dL"]
    age = criteria[0].thresholds[0]
    assert (age.parameter, age.op, age.value) == ("age", ">=", 18.0)


def test_headings_spelled_with_turkish_i_switch_the_kind() -> None:
    """Written here: headings typed with dotless "ı" and with "İ" (as a Turkish keyboard gives)."""
    text = "ınclusıon criteria:\n- age 18 or older\n- eGFR > 30\nEXCLUSİON CRITERIA:\n- pregnancy"
    criteria = split_criteria(text, 0, "inclusion")
    assert [(c.kind, c.seq, c.text) for c in criteria] == [
        ("inclusion", 1, "age 18 or older"),
        ("inclusion", 2, "eGFR > 30"),
        ("exclusion", 1, "pregnancy"),
    ]
