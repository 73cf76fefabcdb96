"""Converters named by the field maps: raw source strings -> contract column values.

Each converter takes the column name and the non-blank raw strings found at the field's
paths (document order) and returns the columns it fills. A value that maps to no vocabulary
entry raises `Unmappable` (kept as `Unmapped`, never guessed); a value that cannot be read
raises `Unreadable` (the field stays NULL and the document is partial).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from flows.parse.ages import parse_age_years
from flows.parse.dates import parse_date
from flows.parse.registry_ids import clean_secondary_ids, parse_trial_id
from flows.parse.vocab_forms import normalise_phase, normalise_sex, normalise_status, normalise_study_type
from flows.vocab import lookup


class Unmappable(ValueError):
    def __init__(self, source_value: str) -> None:
        super().__init__(source_value)
        self.source_value = source_value


class Unreadable(ValueError):
    pass


Converter = Callable[[str, list[str]], dict[str, object]]
_SPACES = re.compile(r"\s+")
_LIST_SEPARATOR = re.compile(r"\s*(?:;|<br\s*/?>|\n)\s*", re.IGNORECASE)
_GROUP_SIZE = re.compile(r"[^:;]*:\s*(\d+)\s*(?:;|$)")
_GROUP_SIZES = re.compile(r"(?:[^:;]*:\s*\d+\s*(?:;|$))+")
_ICD10_CONDITION = re.compile(r"^([A-TV-Z][0-9]{2}(?:\.[0-9A-Z]{1,4})?)\s+-\s+(.+)$")
_ICD10_ALONE = re.compile(r"^[A-TV-Z][0-9]{2}\.[0-9A-Z]{1,4}$")
_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def clean_text(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _text(column: str, raw: list[str]) -> dict[str, object]:
    return {column: clean_text(raw[0])}


def _texts(column: str, raw: list[str]) -> dict[str, object]:
    return {column: unique(clean_text(v) for v in raw)}


def _split_list(column: str, raw: list[str]) -> dict[str, object]:
    return {column: unique(clean_text(part) for v in raw for part in _LIST_SEPARATOR.split(v))}


def _countries(column: str, raw: list[str]) -> dict[str, object]:
    """Country names, in the vocabulary's spelling where it knows the name, else as written."""
    names = (clean_text(part) for v in raw for part in _LIST_SEPARATOR.split(v))
    return {column: unique(lookup("countries", name) or name for name in names)}


def _int(column: str, raw: list[str]) -> dict[str, object]:
    text = raw[0].strip().replace(",", "")
    if not text.isdigit():
        raise Unreadable(f"not a whole number: {raw[0]!r}")
    return {column: int(text)}


def _group_sizes(column: str, raw: list[str]) -> dict[str, object]:
    """A plain number, or ChiCTR's per-group sizes (`Experimental group:30;Control group:30;`) summed."""
    text = raw[0].strip()
    if text.replace(",", "").isdigit():
        return {column: int(text.replace(",", ""))}
    if _GROUP_SIZES.fullmatch(text):
        return {column: sum(int(size) for size in _GROUP_SIZE.findall(text))}
    raise Unreadable(f"not a sample size: {text!r}")


def _age(column: str, raw: list[str]) -> dict[str, object]:
    years = parse_age_years(raw[0])
    if years is None and any(ch.isdigit() for ch in raw[0]):
        raise Unreadable(f"age not readable: {raw[0]!r}")
    return {column: years} if years is not None else {}


def _vocabulary(normalise: Callable[[str], str | None]) -> Converter:
    def convert(column: str, raw: list[str]) -> dict[str, object]:
        value = normalise(raw[0])
        if value is None:
            raise Unmappable(clean_text(raw[0]))
        return {column: value}

    return convert


def _phases(column: str, raw: list[str]) -> dict[str, object]:
    """API v2 lists phases (`["PHASE1", "PHASE2"]`): read as one value `PHASE1/PHASE2`."""
    return _vocabulary(normalise_phase)(column, ["/".join(raw)])


def _read_date(text: str) -> tuple[date, str]:
    compact = _YYYYMMDD.match(text.strip())
    if compact:
        try:
            return date(*(int(part) for part in compact.groups())), "day"
        except ValueError:
            pass
    parsed = parse_date(text)
    if parsed is None:
        raise Unreadable(f"date not readable: {text.strip()!r}")
    return parsed


def _date(column: str, raw: list[str]) -> dict[str, object]:
    return {column: _read_date(raw[0])[0]}


def _date_with_precision(column: str, raw: list[str]) -> dict[str, object]:
    day, precision = _read_date(raw[0])
    return {column: day, f"{column}_precision": precision}


def _trial_id(column: str, raw: list[str]) -> dict[str, object]:
    parsed = parse_trial_id(raw[0].strip())
    if parsed is None:
        raise Unmappable(raw[0].strip())
    registry, registry_id = parsed
    return {"registry": registry, "registry_id": registry_id}


def _secondary_ids(column: str, raw: list[str]) -> dict[str, object]:
    return {column: tuple(clean_secondary_ids([clean_text(v) for v in raw]))}


def _mesh_codes(column: str, raw: list[str]) -> dict[str, object]:
    return {"condition_codes": unique(f"MESH:{clean_text(v)}" for v in raw)}


def _conditions_with_codes(column: str, raw: list[str]) -> dict[str, object]:
    """ICTRP conditions; an item `J12.8 - Other viral pneumonia` (DRKS, IRCT) states an ICD-10 code."""
    names: list[str] = []
    codes: list[str] = []
    for part in (clean_text(p) for v in raw for p in _LIST_SEPARATOR.split(v)):
        coded = _ICD10_CONDITION.match(part)
        if coded:
            codes.append(f"ICD10:{coded.group(1)}")
            names.append(coded.group(2))
        elif _ICD10_ALONE.match(part):
            codes.append(f"ICD10:{part}")
        else:
            names.append(part)
    return {"conditions": unique(names), "condition_codes": unique(codes)}


CONVERTERS: dict[str, Converter] = {
    "text": _text,
    "texts": _texts,
    "split_list": _split_list,
    "countries": _countries,
    "int": _int,
    "group_sizes": _group_sizes,
    "age": _age,
    "sex": _vocabulary(normalise_sex),
    "phase": _vocabulary(normalise_phase),
    "phases": _phases,
    "status": _vocabulary(normalise_status),
    "study_type": _vocabulary(normalise_study_type),
    "date": _date,
    "date_with_precision": _date_with_precision,
    "trial_id": _trial_id,
    "secondary_ids": _secondary_ids,
    "mesh_codes": _mesh_codes,
    "conditions_with_codes": _conditions_with_codes,
}
