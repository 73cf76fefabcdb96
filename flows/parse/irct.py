"""Iranian Registry of Clinical Trials protocol text (irct.ir "Clinical Trial Protocol" print).

Peculiar to IRCT: numbered groups (`Primary outcomes**1****Description**`) of
Description/Timepoint/Category fields for outcomes and intervention groups, sponsors as
numbered organisations, several contact blocks, and dual-calendar dates
(`2017-06-03, 1396/03/13`, read by `parse_date`). The rest is the generic segmenter's.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flows.parse.field_values import VocabReader
from flows.parse.generic_text import parse_generic
from flows.parse.outlines import OUTCOME_KINDS, endpoint_from_text
from flows.parse.sections import Field, Segmentation, clean_value, fields_after
from flows.records import Arm, Contact, Document, Endpoint, TrialRecord

FORMAT = "irct_text"
_GROUP_FIELDS = frozenset({"item", "description", "timepoint", "measurement_method", "category"})
_CONTACT_FIELDS = frozenset(
    {"contact_entry", "organization", "contact_name", "contact_position", "email", "phone", "fax", "address"}
    | {"city", "postal_code", "web_page", "country"}
)
_SPONSOR_FIELDS = frozenset({"item", "sponsor_entry", "organization", "contact_name", "address", "city"})
_ARM_LABEL = re.compile(r"(?P<label>[^:]{1,40}):\s*(?P<description>.+)", re.DOTALL)


# the protocol page's own layout: the registry's name as a line near the top and the number as a field;
# an article that merely cites "Iranian Registry of Clinical Trials (IRCT registration number ...)" has neither
_REGISTRY_LINE = re.compile(r"^\s*Iranian Registry of Clinical Trials\s*$", re.MULTILINE)
_NUMBER_FIELD = re.compile(r"^\s*IRCT registration number\s*:", re.MULTILINE)


def detect(head: str) -> tuple[float, str]:
    score, evidence = 0.0, []
    registry_line = _REGISTRY_LINE.search(head[:1000])
    if registry_line:
        score += 0.6
        evidence.append("'Iranian Registry of Clinical Trials' heading")
    if _NUMBER_FIELD.search(head):
        score += 0.4
        evidence.append("'IRCT registration number:' field")
    return score, " + ".join(evidence) or "no IRCT marker"


def parse(doc: Document) -> TrialRecord:
    seg, record, reader = parse_generic(doc)
    arms = _arms(seg, reader)
    return replace(
        record,
        endpoints=_endpoints(seg),
        arms=arms,
        sponsor=_lead_sponsor(seg),
        # IRCT prints intervention groups only for interventional trials
        study_type=record.study_type or ("INTERVENTIONAL" if arms else None),
        contacts=_contacts(seg),
        unmapped=tuple(reader.unmapped),
    )


def _groups(seg: Segmentation, opening: Field) -> list[list[Field]]:
    """The numbered groups under a section: each starts at its `description` field."""
    groups: list[list[Field]] = []
    for item in fields_after(seg, opening, _GROUP_FIELDS):
        if item.name == "description":
            groups.append([item])
        elif groups and item.name != "item":
            groups[-1].append(item)
    return groups


def _value(seg: Segmentation, group: list[Field], name: str) -> str | None:
    return next((v for item in group if item.name == name and (v := seg.value(item))), None)


def _endpoints(seg: Segmentation) -> tuple[Endpoint, ...]:
    endpoints: list[Endpoint] = []
    for opening in seg.fields:
        kind = OUTCOME_KINDS.get(opening.name)
        if kind is None:
            continue
        for seq, group in enumerate(_groups(seg, opening), start=1):
            measure = _value(seg, group, "description") or ""
            endpoint = endpoint_from_text(kind, seq, measure, _value(seg, group, "timepoint"))
            if endpoint is not None:
                endpoints.append(endpoint)
    return tuple(endpoints)


def _arms(seg: Segmentation, reader: VocabReader) -> tuple[Arm, ...]:
    arms: list[Arm] = []
    for opening in seg.all("arms"):
        for group in _groups(seg, opening):
            description = _value(seg, group, "description")
            label, text = _split_label(description)
            arm_type = reader.read("arm_type", _value(seg, group, "category"))
            arms.append(Arm(len(arms) + 1, label, arm_type, text))
    return tuple(arms)


def _split_label(description: str | None) -> tuple[str | None, str | None]:
    """`Intervention group: systemic ...` -> ("Intervention group", "systemic ...")."""
    if description is None:
        return None, None
    match = _ARM_LABEL.fullmatch(description)
    if match is None:
        return None, description
    return clean_value(match.group("label")), clean_value(match.group("description"))


def _lead_sponsor(seg: Segmentation) -> str | None:
    for opening in seg.all("sponsors"):
        for item in fields_after(seg, opening, _SPONSOR_FIELDS):
            if item.name == "organization" and (name := seg.value(item)):
                return name
    return None


def _contacts(seg: Segmentation) -> tuple[Contact, ...]:
    contacts: list[Contact] = []
    for opening in seg.all("contacts"):
        group = fields_after(seg, opening, _CONTACT_FIELDS)
        name = _value(seg, group, "contact_name")
        email = _value(seg, group, "email")
        phone = _value(seg, group, "phone")
        if name or email or phone:
            contacts.append(Contact(opening.label, name, email, phone))
    for opening in seg.all("sponsors"):
        for item in fields_after(seg, opening, _SPONSOR_FIELDS):
            if item.name == "contact_name" and (name := seg.value(item)):
                contacts.append(Contact("Sponsor's responsible person", name, None, None))
    return tuple(contacts)
