"""Contact details stay out of the Parquet export: the `contacts` table is not exported unless
asked, and documents.text is exported with e-mail addresses and phone numbers masked
(same length, so criteria spans still hold); the DuckDB file keeps the text as it was.

Inputs: the five seeds loaded by the real command (session fixture); seed 002 (IRCT) and
003 carry the investigators' e-mail addresses and phone numbers.
"""

from __future__ import annotations

import re

import pyarrow.parquet as pq

from tests.conftest import Warehouse, seed_path
from tests.reliability.warehouse_scan import duckdb_strings, parquet_strings

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d[\d \-().]{6,}\d")
# what seeds 002 and 003 print, found by reading them
SEED_EMAILS = {
    "matin@um.ac.ir",
    "shariatij@mums.ac.ir",
    "shariati@yahoo.com",
    "ma.hassanzade@gmail.com",
    "13505193169@139.com",
}
SEED_PHONES = {"+98 51 3884 2981", "+98 51 3802 2370", "+51 38762227"}


def test_the_seeds_do_hold_contact_details() -> None:
    """Guards the test below against passing vacuously."""
    text = seed_path("002").read_text(encoding="utf-8") + seed_path("003").read_text(encoding="utf-8")
    assert set(EMAIL.findall(text)) == SEED_EMAILS
    assert set(PHONE.findall(text)) == SEED_PHONES


def test_no_email_or_phone_in_any_exported_string(seed_warehouse: Warehouse) -> None:
    """Every string column of every Parquet file, documents.text included; the contacts' own values too."""
    known = {
        value
        for row in seed_warehouse.query("SELECT email, phone FROM contacts")
        for value in row
        if value and len(value) >= 4
    }
    assert "13505193169" in known  # seed 003's phone, written without a country code
    leaks = [
        (file, column, match)
        for file, column, value in parquet_strings(seed_warehouse.parquet)
        for match in EMAIL.findall(value) + PHONE.findall(value) + [k for k in known if k in value]
    ]
    assert leaks == []
    assert not (seed_warehouse.parquet / "contacts.parquet").exists()


def test_contacts_are_kept_in_the_database_only(seed_warehouse: Warehouse) -> None:
    emails = {m for (v,) in seed_warehouse.query("SELECT email FROM contacts") if v for m in EMAIL.findall(v)}
    assert emails == SEED_EMAILS
    stored = {match for _, _, value in duckdb_strings(seed_warehouse.db) for match in EMAIL.findall(value)}
    assert stored >= SEED_EMAILS  # documents.text in the database is the text as decoded


def test_redaction_only_masks_characters(seed_warehouse: Warehouse) -> None:
    """Exported documents.text differs from the stored text only by characters turned into `x`,
    so every character offset (criteria spans) means the same in both."""
    exported = pq.read_table(seed_warehouse.parquet / "documents.parquet", columns=["document_id", "text"])
    exported_text = dict(
        zip(exported.column("document_id").to_pylist(), exported.column("text").to_pylist(), strict=True)
    )
    masked_total = 0
    for document_id, text in seed_warehouse.query("SELECT document_id, text FROM documents"):
        redacted = exported_text[document_id]
        assert len(redacted) == len(text)
        changed = [(a, b) for a, b in zip(text, redacted, strict=True) if a != b]
        assert all(b == "x" for _, b in changed)
        masked_total += len(changed)
    masked_expected = sum(len(e) for e in SEED_EMAILS) + sum(len(p) for p in SEED_PHONES)
    assert masked_total >= masked_expected
