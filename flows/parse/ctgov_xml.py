"""ClinicalTrials.gov legacy XML study records (`<clinical_study>` root, one study per file).

Scalar columns come from the declarative map `FIELD_MAPS["ctgov_xml"]`; this module adds
only the export's real quirks: arms joined to interventions by `arm_group_label`, outcomes,
the eligibility textblock (spans carried back through its `&#xD;` escapes) and contacts.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from flows.parse.export_parts import (
    build_record,
    contact,
    criteria_of_field,
    endpoint,
    make_arm,
    reject,
)
from flows.parse.fieldmap import FIELD_MAPS, Source, XmlSource, apply_field_map, first, read_group
from flows.parse.raw_spans import RawField, find_xml_element_text
from flows.records import Arm, Contact, Criterion, Document, Endpoint, TrialRecord, Unmapped

FORMAT = "ctgov_xml"
# hardened: no entity expansion, no DTD, no network; encoding fixed because the text is already decoded
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, encoding="utf-8")
_OUTCOME_KINDS = (
    ("primary", "primary_outcome"),
    ("secondary", "secondary_outcome"),
    ("other", "other_outcome"),
)
_CONTACT_PATHS = (
    ("overall_official", "overall_official"),
    ("overall_contact", "overall_contact"),
    ("overall_contact_backup", "overall_contact_backup"),
    ("location_contact", "location/contact"),
    ("location_investigator", "location/investigator"),
)


def parse_xml_text(text: str) -> Any:
    try:
        return etree.fromstring(text.encode("utf-8"), XML_PARSER)
    except etree.XMLSyntaxError as exc:
        reject(f"XML not well formed: {exc}")


def parse(doc: Document) -> TrialRecord:
    text = doc.text or ""
    root = parse_xml_text(text)
    if root.tag != "clinical_study":
        reject(f"root element is <{root.tag}>, not <clinical_study>")
    source = XmlSource(root)
    mapped = apply_field_map(source, FIELD_MAPS[FORMAT])
    if "registry_id" not in mapped.values:
        reject("no <nct_id> in <id_info>")
    arms = read_arms(source, mapped.unmapped)
    return build_record(
        mapped,
        arms=arms,
        criteria=read_criteria(text, root),
        endpoints=read_endpoints(source),
        contacts=read_contacts(source),
        languages=("en",),
    )


def read_criteria(text: str, root: Any) -> tuple[Criterion, ...]:
    value = root.findtext("eligibility/criteria/textblock")
    if not value or not value.strip():
        return ()
    located = find_xml_element_text(text, ("eligibility", "criteria", "textblock"))
    return criteria_of_field(RawField(text, *located, "xml") if located else None, value, "inclusion")


def read_arms(source: Source, unmapped: list[Unmapped]) -> tuple[Arm, ...]:
    groups = read_group(
        source,
        "arm_group",
        {"label": "arm_group_label", "type": "arm_group_type", "description": "description"},
    )
    interventions = read_group(source, "intervention", {"name": "intervention_name", "arm": "arm_group_label"})
    arms = []
    for seq, group in enumerate(groups, start=1):
        label = first(group["label"])
        names = [n for i in interventions if label is not None and label in i["arm"] for n in i["name"]]
        arms.append(make_arm(seq, label, first(group["type"]), first(group["description"]), names, unmapped))
    return tuple(arms)


def read_endpoints(source: Source) -> tuple[Endpoint, ...]:
    endpoints: list[Endpoint] = []
    for kind, path in _OUTCOME_KINDS:
        outcomes = read_group(source, path, {"measure": "measure", "time_frame": "time_frame"})
        for seq, outcome in enumerate((o for o in outcomes if o["measure"]), start=1):
            endpoints.append(endpoint(kind, seq, outcome["measure"][0], first(outcome["time_frame"])))
    return tuple(endpoints)


def read_contacts(source: Source) -> tuple[Contact, ...]:
    found: list[Contact] = []
    sub_paths = {"name": "last_name", "email": "email", "phone": "phone", "role": "role"}
    for role, path in _CONTACT_PATHS:
        for person in read_group(source, path, sub_paths):
            item = contact(
                first(person["role"]) or role,
                first(person["name"]),
                first(person["email"]),
                first(person["phone"]),
            )
            if item is not None:
                found.append(item)
    return tuple(found)
