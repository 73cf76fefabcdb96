"""Content detectors for the structured exports (ClinicalTrials.gov XML/JSON, WHO ICTRP XML/CSV).

Each looks at the head of a document and answers (score, evidence); kept apart from the
parsers so that detection imports nothing heavy.
"""

from __future__ import annotations

import re

_XML_PROLOG = r"^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"
_CTGOV_XML = re.compile(_XML_PROLOG + r"<clinical_study[\s>]", re.S)
_ICTRP_XML = re.compile(_XML_PROLOG + r"<Trial[\s>]", re.S)
_ICTRP_CSV = re.compile(r'^\ufeff?"?TrialID"?\s*,')
_CTGOV_JSON = re.compile(r'^\ufeff?\s*\{\s*"protocolSection"\s*:')


def detect_ctgov_xml(head: str) -> tuple[float, str]:
    if _CTGOV_XML.match(head):
        return 1.0, "XML root <clinical_study> (ClinicalTrials.gov record)"
    return 0.0, "no <clinical_study> root"


def detect_ctgov_json(head: str) -> tuple[float, str]:
    if _CTGOV_JSON.match(head):
        return 1.0, 'JSON object starting with "protocolSection" (ClinicalTrials.gov API v2)'
    if head.lstrip("\ufeff \t\r\n").startswith("{") and '"protocolSection"' in head and '"nctId"' in head:
        return 0.9, 'JSON object with "protocolSection" and "nctId" (ClinicalTrials.gov API v2)'
    return 0.0, 'no JSON "protocolSection"'


def detect_ictrp_xml(head: str) -> tuple[float, str]:
    if _ICTRP_XML.match(head):
        return 1.0, "XML element <Trial> (WHO ICTRP export record)"
    return 0.0, "no <Trial> root"


def detect_ictrp_csv(head: str) -> tuple[float, str]:
    if _ICTRP_CSV.match(head):
        return 0.9, "CSV header starting with TrialID (WHO ICTRP export)"
    return 0.0, "no TrialID CSV header"
