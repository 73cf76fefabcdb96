"""ClinicalTrials.gov API v2 studies (JSON with `protocolSection`), one study per document.

Scalar columns come from `FIELD_MAPS["ctgov_json"]`; this module adds arms (whose
`interventionNames` carry `Drug:`-style prefixes), outcomes, the eligibility text (spans
carried back through its JSON escapes) and contacts.
"""

from __future__ import annotations

import json

from flows.parse.export_parts import (
    build_record,
    contact,
    criteria_of_field,
    endpoint,
    make_arm,
    reject,
)
from flows.parse.fieldmap import FIELD_MAPS, JsonSource, Source, apply_field_map, first, read_group
from flows.parse.raw_spans import RawField, find_json_string
from flows.records import Arm, Contact, Criterion, Document, Endpoint, TrialRecord, Unmapped

FORMAT = "ctgov_json"
_ARMS = "protocolSection.armsInterventionsModule."
_OUTCOMES = "protocolSection.outcomesModule."
_CONTACTS = "protocolSection.contactsLocationsModule."
_OUTCOME_KINDS = (
    ("primary", "primaryOutcomes[]"),
    ("secondary", "secondaryOutcomes[]"),
    ("other", "otherOutcomes[]"),
)
_PERSON = {"name": "name", "role": "role", "email": "email", "phone": "phone"}


def parse(doc: Document) -> TrialRecord:
    text = doc.text or ""
    try:
        study = json.loads(text)
    except json.JSONDecodeError as exc:
        reject(f"JSON not readable: {exc}")
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        reject("no protocolSection object")
    source = JsonSource(study)
    mapped = apply_field_map(source, FIELD_MAPS[FORMAT])
    if "registry_id" not in mapped.values:
        reject("no identificationModule.nctId")
    return build_record(
        mapped,
        arms=read_arms(source, mapped.unmapped),
        criteria=read_criteria(text, source),
        endpoints=read_endpoints(source),
        contacts=read_contacts(source),
        languages=("en",),
    )


def read_criteria(text: str, source: Source) -> tuple[Criterion, ...]:
    value = first(source.values("protocolSection.eligibilityModule.eligibilityCriteria"))
    if not value or not value.strip():
        return ()
    located = find_json_string(text, "eligibilityCriteria")
    return criteria_of_field(RawField(text, *located, "json") if located else None, value, "inclusion")


def read_arms(source: Source, unmapped: list[Unmapped]) -> tuple[Arm, ...]:
    groups = read_group(
        source,
        _ARMS + "armGroups[]",
        {"label": "label", "type": "type", "description": "description", "names": "interventionNames[]"},
    )
    interventions = read_group(source, _ARMS + "interventions[]", {"name": "name", "arms": "armGroupLabels[]"})
    arms = []
    for seq, group in enumerate(groups, start=1):
        label = first(group["label"])
        names = group["names"] or [n for i in interventions if label in i["arms"] for n in i["name"]]
        arms.append(make_arm(seq, label, first(group["type"]), first(group["description"]), names, unmapped))
    return tuple(arms)


def read_endpoints(source: Source) -> tuple[Endpoint, ...]:
    endpoints: list[Endpoint] = []
    for kind, path in _OUTCOME_KINDS:
        outcomes = read_group(source, _OUTCOMES + path, {"measure": "measure", "time_frame": "timeFrame"})
        for seq, outcome in enumerate((o for o in outcomes if o["measure"]), start=1):
            endpoints.append(endpoint(kind, seq, outcome["measure"][0], first(outcome["time_frame"])))
    return tuple(endpoints)


def read_contacts(source: Source) -> tuple[Contact, ...]:
    people = [
        *read_group(source, _CONTACTS + "centralContacts[]", _PERSON),
        *read_group(source, _CONTACTS + "overallOfficials[]", _PERSON),
        *read_group(source, _CONTACTS + "locations[].contacts[]", _PERSON),
    ]
    found = (contact(first(p["role"]), first(p["name"]), first(p["email"]), first(p["phone"])) for p in people)
    return tuple(item for item in found if item is not None)
