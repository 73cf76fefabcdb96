"""Bad inputs a registry folder really contains, built from real documents at test time.

Sources: seed 001 (a ClinicalTrials.gov text page, 7 inclusion and 12 exclusion criteria)
re-encoded or damaged the way files are damaged in transit (UTF-16 from a Windows export,
latin-1/cp1252 from an old registry system, stray bytes, mojibake); NCT00000102 of the
ClinicalTrials.gov XML corpus (cut off, or given a DTD); the ChiCTR search-results page of
the registry-pages corpus (a page with no trial in it); the API v2 study fixture (cut off).
Every case names the status and the words its `documents.reason` must hold.
"""

from __future__ import annotations

import random
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT_ROOT, seed_path

EXPORT_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "exports"
CTGOV_XML_MEMBER = "ctgov-xml/NCT00000102.xml"
NO_TRIAL_PAGE_MEMBER = "registry-pages/notrial_chictr_search-results.html"
# seed 001 writes "Sjogren's"; the variants write it as the registry would, with o-umlaut
SJOGREN_ASCII = "Sjogren's"
SJOGREN_LATIN1 = "Sjögren's"
SJOGREN_CP1252 = "Sjögren’s"  # U+2019 is 0x92 in cp1252, absent from latin-1


@dataclass(frozen=True)
class BadInput:
    file_name: str
    data: bytes
    statuses: tuple[str, ...]  # the documents.status values that are right for it
    reason_words: tuple[str, ...]  # lower-case words documents.reason must contain (none when loaded)
    encoding: str | None = None  # expected documents.encoding, when it matters


def seed_001_text(sjogren: str = SJOGREN_CP1252) -> str:
    """Seed 001 with "≥" written ">=" (absent from single-byte code pages) and Sjögren spelt properly."""
    text = seed_path("001").read_text(encoding="utf-8")
    assert SJOGREN_ASCII in text
    return text.replace("≥", ">=").replace(SJOGREN_ASCII, sjogren)


def corpus_member(archive: Path, member: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        extracted = tar.extractfile(member)
        assert extracted is not None, f"{member} missing from {archive}"
        return extracted.read()


def ctgov_xml_with_dtd(xml: bytes, entity_declarations: str, title_text: str) -> bytes:
    """NCT00000102 with a DTD prepended and its brief title replaced by entity references."""
    start, end = xml.index(b"<brief_title>"), xml.index(b"</brief_title>")
    body = xml[:start] + f"<brief_title>{title_text}".encode() + xml[end:]
    return f'<?xml version="1.0"?>\n<!DOCTYPE clinical_study [\n{entity_declarations}\n]>\n'.encode() + body


def entity_bomb(xml: bytes) -> bytes:
    """A billion-laughs DTD: ten levels of ten references each (10**10 characters if expanded)."""
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return ctgov_xml_with_dtd(xml, "\n".join(levels), "&lol9;")


def external_entity(xml: bytes, secret: Path) -> bytes:
    """An XXE: an external entity pointing at a local file, referenced in the brief title."""
    return ctgov_xml_with_dtd(xml, f'<!ENTITY xxe SYSTEM "file://{secret}">', "Leak &xxe; here")


def utf8_with_stray_bytes() -> bytes:
    """Seed 001 as it is (valid UTF-8 with "≥" signs) with one cp1252 apostrophe byte in "Sjogren's"."""
    data = seed_path("001").read_bytes()
    at = data.index(b"Sjogren") + len(b"Sjogren")
    return data[:at] + b"\x92" + data[at + 1 :]


def mojibake() -> bytes:
    """UTF-8 text once read as cp1252 and saved again as UTF-8 ("SjÃ¶grenâ€™s")."""
    return seed_001_text().encode("utf-8").decode("cp1252").encode("utf-8")


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n" + bytes(range(256)) * 4


def bad_inputs(corpora: Path, secret: Path, max_document_bytes: int) -> list[BadInput]:
    xml = corpus_member(corpora / "ctgov-xml.tar.gz", CTGOV_XML_MEMBER)
    study_json = (EXPORT_FIXTURES / "ctgov_v2_study.json").read_bytes()
    page_json = (EXPORT_FIXTURES / "ctgov_v2_page.json").read_bytes()
    oversized = seed_001_text().encode("utf-8") * (max_document_bytes // 3000 + 1)
    return [
        BadInput("empty.txt", b"", ("rejected",), ("empty document",)),
        BadInput("whitespace only.txt", b" \r\n\t\n", ("rejected",), ("empty document", "white space")),
        BadInput("scan.pdf", pdf_bytes(), ("rejected",), ("binary content", "pdf")),
        BadInput("random.bin", random.Random(7).randbytes(4096), ("rejected",), ("binary content",)),
        BadInput("utf16 with bom.txt", seed_001_text().encode("utf-16"), ("loaded",), (), "utf-16"),
        BadInput("utf16 no bom.txt", seed_001_text().encode("utf-16-le"), ("loaded",), (), "utf-16-le"),
        BadInput(
            "étude latin-1 (copie).txt",
            seed_001_text(SJOGREN_LATIN1).encode("latin-1"),
            ("loaded",),
            (),
            "cp1252",
        ),
        BadInput("cp1252.txt", seed_001_text().encode("cp1252"), ("loaded",), (), "cp1252"),
        BadInput("utf8 stray bytes.txt", utf8_with_stray_bytes(), ("partial",), ("invalid utf-8",), "utf-8"),
        BadInput("mojibake.txt", mojibake(), ("partial",), ("mojibake repaired",), "utf-8"),
        BadInput("NCT00000102 cut.xml", xml[: len(xml) // 2], ("rejected",), ("xml not well formed",)),
        BadInput(
            "search results.html",
            corpus_member(corpora / "registry-pages.tar.gz", NO_TRIAL_PAGE_MEMBER),
            ("rejected",),
            ("no trial record",),
        ),
        BadInput("oversized.txt", oversized, ("rejected",), (f"larger than the {max_document_bytes}-byte limit",)),
        BadInput("entity bomb.xml", entity_bomb(xml), ("rejected",), ("<!entity>", "never expanded")),
        BadInput("xxe.xml", external_entity(xml, secret), ("rejected",), ("<!entity>", "never expanded")),
        BadInput(
            "not a study.json",
            b'{"query": "lupus nephritis", "totalCount": 0, "results": []}\n',
            ("rejected",),
            ("unrecognised format",),
        ),
        BadInput("study cut.json", study_json[: len(study_json) // 2], ("rejected",), ("json",)),
        BadInput("page cut.json", page_json[: len(page_json) * 2 // 3], ("rejected",), ("json",)),
        BadInput(
            "unknown header.csv",
            b"Name,Dose (mg),Visit\nPrednisone,10,Week 4\nPrednisone,5,Week 8\n",
            ("rejected",),
            ("unrecognised format",),
        ),
    ]


def case_named(cases: list[BadInput], file_name: str) -> BadInput:
    return next(case for case in cases if case.file_name == file_name)
