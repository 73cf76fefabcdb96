"""Where contact details sit in a document (`contact_spans`), and the redaction that masks them.

The texts are written here in the shape of a registry record's contact block."""

from __future__ import annotations

from warehouse.redact import contact_spans, redact

RECORD = (
    "Scientific contact\n"
    "Name: Dr Matin Shariati\n"
    "Email: matin@um.ac.ir\n"
    "Phone: 0513 884 2981\n"
    "Address: Imam Reza Hospital, +98 51 3802 2370 (switchboard)\n"
    "Recruitment desk 05138022370 on weekdays\n"
)


def _spanned(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_spans_are_the_email_the_phones_and_the_known_number() -> None:
    spans = contact_spans(RECORD, known=["05138022370"])
    assert _spanned(RECORD, spans) == ["matin@um.ac.ir", "0513 884 2981", "+98 51 3802 2370", "05138022370"]


def test_redaction_masks_exactly_the_spans() -> None:
    spans = contact_spans(RECORD, known=["05138022370"])
    redacted = redact(RECORD, known=["05138022370"])
    assert redacted is not None and len(redacted) == len(RECORD)
    masked = [i for i, (a, b) in enumerate(zip(RECORD, redacted, strict=True)) if a != b]
    assert masked == [i for start, end in spans for i in range(start, end)]
    assert "Email: xxxxxxxxxxxxxx\n" in redacted


def test_a_later_find_sees_the_earlier_ones_masked() -> None:
    """A known value inside an e-mail address that is masked already is not found again; one next to a
    masked stretch joins it: the spans are sorted and disjoint."""
    text = "Contact: ab@mail.org, ext. 4471; room ab@ 3"
    spans = contact_spans(text, known=["mail.org", ", ext. 4471", "ab@ 3"])
    assert _spanned(text, spans) == ["ab@mail.org, ext. 4471", "ab@ 3"]


def test_known_values_shorter_than_four_characters_are_not_searched() -> None:
    text = "Enrolment: 12 sites in 3 countries"
    assert contact_spans(text, known=["12", "3"]) == []
    assert contact_spans(text, known=["12 sites"]) == [(11, 19)]
    assert contact_spans(None) == [] and contact_spans("") == []
