"""Declarative field maps for structured exports, AACT-style: source path -> column + converter.

A format's map is data (`FIELD_MAPS` below): for each contract column the source paths to
read, in order of preference, and the name of the converter that turns the raw strings into
the column's value. `apply_field_map` runs a map over a `Source` (an XML element, a JSON
object, a CSV row) and returns the values, the source values that map to no vocabulary entry
(`Unmapped`, never guessed) and the fields that could not be read (the document is partial).
Repeated groups (arms, outcomes) are read with `read_group` and a map of sub-paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from flows.parse.converters import CONVERTERS, Unmappable, Unreadable
from flows.records import Unmapped


class Source(Protocol):
    """A parsed record that answers paths: the raw strings at a path, or the repeated items there."""

    def values(self, path: str) -> list[str]: ...

    def items(self, path: str) -> list[Source]: ...


@dataclass(frozen=True, slots=True)
class Field:
    column: str
    paths: tuple[str, ...]  # first path with a value wins (for list converters: all values, in order)
    converter: str  # a key of flows.parse.converters.CONVERTERS


def fields(*rows: tuple[str, str, str]) -> tuple[Field, ...]:
    """Rows of (column, paths separated by `|`, converter)."""
    return tuple(Field(column, tuple(paths.split("|")), converter) for column, paths, converter in rows)


_CTGOV_V2 = "protocolSection."

FIELD_MAPS: dict[str, tuple[Field, ...]] = {
    "ctgov_xml": fields(
        ("registry_id", "id_info/nct_id", "trial_id"),
        ("secondary_ids", "id_info/org_study_id|id_info/secondary_id|id_info/nct_alias", "secondary_ids"),
        ("title", "official_title|brief_title", "text"),
        ("brief_title", "brief_title", "text"),
        ("phase", "phase", "phase"),
        ("study_type", "study_type", "study_type"),
        ("overall_status", "overall_status", "status"),
        ("enrollment", "enrollment", "int"),
        ("min_age_years", "eligibility/minimum_age", "age"),
        ("max_age_years", "eligibility/maximum_age", "age"),
        ("sex", "eligibility/gender", "sex"),
        ("start_date", "start_date", "date_with_precision"),
        ("completion_date", "completion_date", "date"),
        ("registration_date", "study_first_submitted", "date"),
        ("conditions", "condition", "texts"),
        ("sponsor", "sponsors/lead_sponsor/agency", "text"),
        ("countries", "location_countries/country", "countries"),
    ),
    "ctgov_json": fields(
        ("registry_id", _CTGOV_V2 + "identificationModule.nctId", "trial_id"),
        (
            "secondary_ids",
            _CTGOV_V2
            + "identificationModule.orgStudyIdInfo.id|"
            + _CTGOV_V2
            + "identificationModule.secondaryIdInfos[].id|"
            + _CTGOV_V2
            + "identificationModule.nctIdAliases[]",
            "secondary_ids",
        ),
        (
            "title",
            _CTGOV_V2 + "identificationModule.officialTitle|" + _CTGOV_V2 + "identificationModule.briefTitle",
            "text",
        ),
        ("brief_title", _CTGOV_V2 + "identificationModule.briefTitle", "text"),
        ("phase", _CTGOV_V2 + "designModule.phases[]", "phases"),
        ("study_type", _CTGOV_V2 + "designModule.studyType", "study_type"),
        ("overall_status", _CTGOV_V2 + "statusModule.overallStatus", "status"),
        ("enrollment", _CTGOV_V2 + "designModule.enrollmentInfo.count", "int"),
        ("min_age_years", _CTGOV_V2 + "eligibilityModule.minimumAge", "age"),
        ("max_age_years", _CTGOV_V2 + "eligibilityModule.maximumAge", "age"),
        ("sex", _CTGOV_V2 + "eligibilityModule.sex", "sex"),
        ("start_date", _CTGOV_V2 + "statusModule.startDateStruct.date", "date_with_precision"),
        ("completion_date", _CTGOV_V2 + "statusModule.completionDateStruct.date", "date"),
        ("registration_date", _CTGOV_V2 + "statusModule.studyFirstSubmitDate", "date"),
        ("conditions", _CTGOV_V2 + "conditionsModule.conditions[]", "texts"),
        ("condition_codes", "derivedSection.conditionBrowseModule.meshes[].id", "mesh_codes"),
        ("sponsor", _CTGOV_V2 + "sponsorCollaboratorsModule.leadSponsor.name", "text"),
        ("countries", _CTGOV_V2 + "contactsLocationsModule.locations[].country", "countries"),
    ),
    # the ICTRP XML and CSV exports share their field names (CSV headers with `_` for spaces)
    "ictrp": fields(
        ("registry_id", "TrialID", "trial_id"),
        ("title", "Scientific_title|Public_title", "text"),
        ("brief_title", "Public_title", "text"),
        ("phase", "Phase", "phase"),
        ("study_type", "Study_type", "study_type"),
        ("overall_status", "Recruitment_Status", "status"),
        ("enrollment", "Target_size", "group_sizes"),
        ("min_age_years", "Inclusion_agemin", "age"),
        ("max_age_years", "Inclusion_agemax", "age"),
        ("sex", "Inclusion_gender", "sex"),
        ("start_date", "Date_enrollement", "date_with_precision"),
        ("completion_date", "results_date_completed", "date"),
        ("registration_date", "Date_registration3|Date_registration", "date"),
        ("conditions", "Condition", "conditions_with_codes"),
        ("sponsor", "Primary_sponsor", "text"),
        ("countries", "Countries", "countries"),
    ),
}


@dataclass(slots=True)
class Mapped:
    values: dict[str, object] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _raw_values(source: Source, spec: Field) -> list[str]:
    found: list[str] = []
    for path in spec.paths:
        found.extend(value for value in source.values(path) if value.strip())
    return found


def apply_field_map(source: Source, field_map: tuple[Field, ...]) -> Mapped:
    mapped = Mapped()
    for spec in field_map:
        raw = _raw_values(source, spec)
        if not raw:
            continue
        try:
            mapped.values.update(CONVERTERS[spec.converter](spec.column, raw))
        except Unmappable as exc:
            mapped.unmapped.append(Unmapped(spec.column, exc.source_value))
        except Unreadable as exc:
            mapped.problems.append(f"{spec.column}: {exc}")
    return mapped


def read_group(source: Source, path: str, sub_paths: Mapping[str, str]) -> list[dict[str, list[str]]]:
    """Each item at `path` as {name: the non-blank values at its sub-path}."""
    return [
        {name: [v.strip() for v in item.values(sub) if v.strip()] for name, sub in sub_paths.items()}
        for item in source.items(path)
    ]


def first(values: list[str]) -> str | None:
    return values[0] if values else None


class XmlSource:
    """An lxml element; paths are ElementPath (`eligibility/minimum_age`), values the elements' text."""

    __slots__ = ("element",)

    def __init__(self, element: Any) -> None:
        self.element = element

    def values(self, path: str) -> list[str]:
        return [found.text or "" for found in self.element.iterfind(path)]

    def items(self, path: str) -> list[Source]:
        return [XmlSource(found) for found in self.element.iterfind(path)]


class JsonSource:
    """A decoded JSON object; paths are dotted keys, `[]` after a key steps into every list item."""

    __slots__ = ("node",)

    def __init__(self, node: object) -> None:
        self.node = node

    def _walk(self, path: str) -> list[object]:
        nodes: list[object] = [self.node]
        for step in path.split("."):
            expand = step.endswith("[]")
            key = step.removesuffix("[]")
            found = [node.get(key) for node in nodes if isinstance(node, dict)]
            nodes = (
                [item for node in found for item in (node if isinstance(node, list) else [node])] if expand else found
            )
            nodes = [node for node in nodes if node is not None]
        return nodes

    def values(self, path: str) -> list[str]:
        return [str(node) for node in self._walk(path) if isinstance(node, str | int | float)]

    def items(self, path: str) -> list[Source]:
        return [JsonSource(node) for node in self._walk(path) if isinstance(node, dict)]


class RowSource:
    """A flat record (one ICTRP `<Trial>` or CSV row); paths are field names."""

    __slots__ = ("row",)

    def __init__(self, row: Mapping[str, str]) -> None:
        self.row = row

    def values(self, path: str) -> list[str]:
        value = self.row.get(path)
        return [value] if value else []

    def items(self, path: str) -> list[Source]:
        return []
