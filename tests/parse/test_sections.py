"""The generic segmenter on small texts written the way registries write them, and on the seeds."""

from __future__ import annotations

from flows.parse.detect import detect_format
from flows.parse.eligibility import criteria_blocks
from flows.parse.escapes import raw_span, unescape_markdown, unescape_with_offsets
from flows.parse.sections import clean_value, heading_name, segment
from tests.parse.seed_docs import seed_document


def _values(text: str) -> dict[str, str | None]:
    seg = segment(text)
    return {item.name: seg.value(item) for item in seg.fields}


def test_heading_vocabulary_covers_registry_spellings() -> None:
    assert heading_name("Inclusion Criteria:") == "inclusion"
    assert heading_name("Criteria for entrance to the study") == "inclusion"
    assert heading_name("Key inclusion criteria") == "inclusion"
    assert heading_name("Main exclusion criteria") == "exclusion"
    assert heading_name("Participation Requirements") == "criteria"
    assert heading_name("### Primary Outcome Measures") == "primary_outcomes"
    assert heading_name("This study aims to answer") is None


def test_three_key_value_forms() -> None:
    """`Key: value`, a key on one line and its value on the next, and IRCT's `Key**value**`."""
    text = "Study Phase: Phase 2\nRecruitment status\n\nRecruiting\nTarget sample size: **60**\n"
    text += "Randomization description**Blinding (investigator's opinion)**\n\nDouble blinded\n"
    values = _values(text)
    assert values["phase"] == "Phase 2"
    assert values["overall_status"] == "Recruiting"
    assert values["enrollment"] == "60"
    assert values["design"] == "Double blinded"


def test_offsets_locate_labels_and_values() -> None:
    text = "Intro line\nGender: Female\nAge\n  18-45 years  \n"
    seg = segment(text)
    sex, age = seg.first("sex"), seg.first("age")
    assert sex is not None and age is not None
    assert text[sex.label_start : sex.label_end] == "Gender"
    assert text[sex.value_start : sex.value_end] == "Female"
    assert text[age.value_start : age.value_end] == "18-45 years"


def test_placeholders_are_null() -> None:
    assert clean_value("empty") is None
    assert clean_value(" N/A ") is None
    assert clean_value("{{SITE_NAME}}") is None
    assert clean_value("Not  blinded") == "Not blinded"


def test_list_items_are_never_labels() -> None:
    """`- Ages: 18-60` inside a criteria list stays a criterion, not an age field."""
    values = _values("Inclusion Criteria:\n- Ages: 18-60 years old;\n- Proteinuria > 1 g\n")
    assert "age" not in values


def test_chrome_ends_a_field() -> None:
    text = "Study details\n    SLE\n    Lupus\n\nFAQs\nWhat is a clinical trial?\nSign up\n"
    seg = segment(text)
    conditions = seg.first("conditions")
    assert conditions is not None
    assert seg.value(conditions) == "SLE Lupus"


def test_kind_headings_run_into_a_paragraph() -> None:
    """IRCT writes both kinds in one paragraph; the exclusion heading switches the kind."""
    text = "Inclusion/Exclusion criteria\n\nCriteria for entrance to the study: age over 18. "
    text += "Exclusion criteria: pregnancy, infection.\n\nAge\n\nNo age limit\n"
    blocks = criteria_blocks(segment(text))
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        ("inclusion", "age over 18."),
        ("exclusion", "pregnancy, infection."),
    ]


def test_key_value_lines_inside_eligibility_are_not_criteria() -> None:
    text = "Eligibility\nSex: All\nMinimum Age: 18\nView:\n• SLEDAI ≥ 6\n• Signed consent\nLocations\nChina\n"
    blocks = criteria_blocks(segment(text))
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [("inclusion", "• SLEDAI ≥ 6\n• Signed consent")]


def test_markdown_unescape_keeps_offsets() -> None:
    raw = r"age \> 18 and 10\^6 cells"
    clean, offsets = unescape_with_offsets(raw)
    assert clean == "age > 18 and 10^6 cells" == unescape_markdown(raw)
    start = clean.index("> 18")
    raw_start, raw_end = raw_span(offsets, start, start + 4)
    assert raw[raw_start:raw_end] == r"\> 18"


def test_detection_is_by_content_and_explained() -> None:
    expected = {
        "000": "abstract",
        "001": "ctgov_text",
        "002": "irct_text",
        "003": "aggregator_text",
        "004": "recruitment_page",
    }
    for prefix, name in expected.items():
        text = seed_document(prefix).text
        assert text is not None
        detection = detect_format(text)
        assert detection.name == name, (prefix, detection)
        assert detection.evidence
    irct = detect_format(seed_document("002").text or "")
    assert "Iranian Registry of Clinical Trials" in irct.evidence


def test_generic_detector_takes_unseen_heading_texts() -> None:
    text = "Public title: A trial\nRecruitment status: Recruiting\nPhase: 2\nInclusion criteria:\n- adults\n"
    assert detect_format(text).name == "generic_text"
