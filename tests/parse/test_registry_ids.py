"""Registry ids -> (registry code, registry_id). Inputs are the TrialIDs of the WHO ICTRP COVID
CSV export (ten registries), the seeds' ids, and ClinicalTrials.gov `<secondary_id>` forms
(`EudraCT number:2006-000757-21`)."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pytest

from flows.parse.registry_ids import clean_secondary_ids, eudract_number, find_registry_ids, parse_trial_id
from flows.vocab import values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NCT06737380", ("ctgov", "NCT06737380")),
        ("nct06737380", ("ctgov", "NCT06737380")),
        ("IRCT2016090729747N1", ("irct", "IRCT2016090729747N1")),  # seed 002
        ("IRCT20200318046812N1", ("irct", "IRCT20200318046812N1")),
        ("ChiCTR2000029953", ("chictr", "ChiCTR2000029953")),
        ("ChiCTR-IOR-17013520", ("chictr", "ChiCTR-IOR-17013520")),
        ("ISRCTN12345678", ("isrctn", "ISRCTN12345678")),
        ("EUCTR2020-000890-25-FR", ("euctr", "2020-000890-25-FR")),  # the country record keeps its suffix
        ("EudraCT number:2006-000757-21", ("euctr", "2006-000757-21")),
        ("2005-004244-31", ("euctr", "2005-004244-31")),
        ("2023-500001-12-00", ("ctis", "2023-500001-12-00")),
        ("ACTRN12620000445976", ("anzctr", "ACTRN12620000445976")),
        ("CTRI/2020/03/023791", ("ctri", "CTRI/2020/03/023791")),
        ("JPRN-jRCTs031190227", ("jprn", "jRCTs031190227")),
        ("JPRN-UMIN000039565", ("jprn", "UMIN000039565")),
        ("UMIN000039565", ("jprn", "UMIN000039565")),
        ("DRKS00021208", ("drks", "DRKS00021208")),
        ("PACTR202003682925166", ("pactr", "PACTR202003682925166")),
        ("KCT0005123", ("cris", "KCT0005123")),
        ("TCTR20200318002", ("other", "TCTR20200318002")),
        ("NL8466", ("other", "NL8466")),
        ("NTR7001", ("other", "NTR7001")),
    ],
)
def test_trial_ids(text: str, expected: tuple[str, str]) -> None:
    assert parse_trial_id(text) == expected


@pytest.mark.parametrize("text", ["NCT0123456", "hello", "", "ABC-123", "NCT06737380 and NCT01234567"])
def test_not_one_trial_id(text: str) -> None:
    assert parse_trial_id(text) is None


def test_every_registry_code_is_a_contract_code() -> None:
    assert {parse_trial_id(t)[0] for t in ("NCT06737380", "TCTR20200318002", "KCT0005123")} <= values("registry")  # type: ignore[index]


def test_ids_in_free_text_in_order_without_repeats() -> None:
    text = (
        "Registered as NCT01234567 (EudraCT 2005-004244-31); see also ISRCTN12345678 and NCT01234567. "
        "Transitioned to CTIS as EU CT 2023-500001-12-00; country record EUCTR2020-000890-25-FR."
    )
    assert find_registry_ids(text) == [
        ("ctgov", "NCT01234567"),
        ("euctr", "2005-004244-31"),
        ("isrctn", "ISRCTN12345678"),
        ("ctis", "2023-500001-12-00"),
        ("euctr", "2020-000890-25-FR"),
    ]


def test_eu_country_records_share_the_eudract_number() -> None:
    assert eudract_number("2020-000890-25-FR") == eudract_number("2020-000890-25-ES") == "2020-000890-25"


def test_secondary_ids_are_split_and_placeholders_dropped() -> None:
    raw = [
        "nil known",
        "N/A; ABC-123<br>DEF 4",
        "abc-123",
        "NCT00000000\n-",
        None,
        "empty",
        "IR.ACECR.REC.1395.3",
    ]
    assert clean_secondary_ids(raw) == ("ABC-123", "DEF 4", "IR.ACECR.REC.1395.3")


def test_every_ictrp_trial_id_is_read(corpora: Path) -> None:
    """All 1,128 TrialIDs of the ICTRP COVID CSV export map to the registry that the export's
    'Source Register' column names."""
    with gzip.open(corpora / "ictrp-covid-1128.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    parsed = [(row["Source Register"], parse_trial_id(row["TrialID"])) for row in rows]
    assert [row for row, result in parsed if result is None] == []
    by_register = Counter((register, result[0]) for register, result in parsed if result)
    assert by_register == {
        ("ChiCTR", "chictr"): 601,
        ("ClinicalTrials.gov", "ctgov"): 438,
        ("EU Clinical Trials Register", "euctr"): 42,
        ("ANZCTR", "anzctr"): 12,
        ("Netherlands Trial Register", "other"): 12,
        ("ISRCTN", "isrctn"): 11,
        ("JPRN", "jprn"): 5,
        ("IRCT", "irct"): 4,
        ("TCTR", "other"): 2,
        ("German Clinical Trials Register", "drks"): 1,
    }
