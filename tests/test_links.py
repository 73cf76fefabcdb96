"""Cross-registry links: small hand-made candidates, and the real ICTRP CSV and XML exports
(read from the corpora folder), where the same COVID-19 trials appear in two registries."""

from __future__ import annotations

import csv
import gzip
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows import parse_pool
from flows.links import Link, LinkCandidate, clusters, registry_id_keys
from tests.conftest import Warehouse, build_warehouse
from warehouse import links as warehouse_links
from warehouse.links import find_links, links_and_clusters

REGISTRIES = {
    "ChiCTR": "chictr",
    "ClinicalTrials.gov": "ctgov",
    "EU Clinical Trials Register": "euctr",
    "ANZCTR": "anzctr",
    "ISRCTN": "isrctn",
    "JPRN": "jprn",
    "IRCT": "irct",
    "German Clinical Trials Register": "drks",
}


def test_registry_id_keys_normalise() -> None:
    assert registry_id_keys("EUCTR2020-001113-21-GB") == ["2020-001113-21"]
    assert registry_id_keys("EudraCT: 2020-001113-21; nct 04315948") == ["NCT04315948", "2020-001113-21"]
    assert registry_id_keys("JPRN-UMIN000039686") == ["UMIN000039686"]
    assert registry_id_keys("2023-500001-12-00") == ["2023-500001-12-00"]  # a CTIS number, not EudraCT
    assert registry_id_keys("N/A") == [] and registry_id_keys("Protocol 2020-01") == []


def test_secondary_id_and_eu_country_records() -> None:
    trials = [
        LinkCandidate("ctgov:NCT04315948", "ctgov", "NCT04315948", ("2020-000936-23", "N/A")),
        LinkCandidate("euctr:2020-000936-23-FR", "euctr", "2020-000936-23-FR"),
        LinkCandidate("euctr:2020-000936-23-BE", "euctr", "EUCTR2020-000936-23-BE"),
        LinkCandidate("chictr:ChiCTR2000029308", "chictr", "ChiCTR2000029308", ("nct 04315948",)),
    ]
    links = find_links(trials)
    assert [(link.trial_id, link.linked_trial_id, link.evidence) for link in links] == [
        ("chictr:ChiCTR2000029308", "ctgov:NCT04315948", "secondary id NCT04315948"),
        ("ctgov:NCT04315948", "euctr:2020-000936-23-BE", "secondary id 2020-000936-23"),
        ("ctgov:NCT04315948", "euctr:2020-000936-23-FR", "secondary id 2020-000936-23"),
        ("euctr:2020-000936-23-BE", "euctr:2020-000936-23-FR", "same registry id 2020-000936-23"),
    ]
    assert set(clusters(links, [t.trial_id for t in trials]).values()) == {"chictr:ChiCTR2000029308"}


def test_title_guards() -> None:
    title = "A randomised trial of drug X in adults with severe community acquired pneumonia"
    other = "Long term follow up of children treated with growth hormone for short stature"
    phases = [
        LinkCandidate("ctgov:NCT00000001", "ctgov", "NCT00000001", title=f"Phase 2 {title}"),
        LinkCandidate("euctr:2010-000001-11", "euctr", "2010-000001-11", title=f"Phase 3 {title}"),
    ]
    years = [
        LinkCandidate("ctgov:NCT00000002", "ctgov", "NCT00000002", title=other, start_year=2010),
        LinkCandidate("isrctn:ISRCTN00000001", "isrctn", "ISRCTN00000001", title=other, start_year=2015),
    ]
    assert find_links(phases) == []
    assert find_links(years) == []
    assert [
        link.score
        for link in find_links(
            [
                phases[0],
                years[0],
                years[1].__class__("isrctn:ISRCTN00000001", "isrctn", "ISRCTN00000001", title=other, start_year=2011),
            ]
        )
    ] == [1.0]


def test_clusters_use_smallest_id() -> None:
    links = [Link("b", "c", "secondary_id", 1.0, ""), Link("a", "c", "title_similarity", 0.95, "")]
    assert clusters(links, ["a", "b", "c", "d"]) == {"a": "a", "b": "a", "c": "a", "d": "d"}


@pytest.fixture(scope="module")
def ictrp_candidates(corpora: Path) -> list[LinkCandidate]:
    rows: dict[str, tuple[str, str, str, str]] = {}
    with gzip.open(corpora / "ictrp-covid-1128.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["TrialID"]] = (
                row["Source Register"],
                row["Scientific title"],
                row["Public title"],
                row["Date enrollement"],
            )
    with gzip.open(corpora / "ictrp-results-2020-03.xml.gz") as export:
        root = ET.parse(export).getroot()
    for trial in root.iter("Trial"):
        field = {child.tag: (child.text or "").strip() for child in trial}
        rows.setdefault(
            field["TrialID"],
            (
                field["Source_Register"],
                field["Scientific_title"],
                field["Public_title"],
                field["Date_enrollement"],
            ),
        )
    candidates = []
    for trial_id, (source, title, brief, enrolled) in rows.items():
        year = re.search(r"(?:19|20)\d\d", enrolled)
        registry = REGISTRIES.get(source, "other")
        candidates.append(
            LinkCandidate(
                f"{registry}:{trial_id}",
                registry,
                trial_id,
                (),
                title,
                brief,
                int(year.group(0)) if year else None,
            )
        )
    return candidates


@pytest.fixture(scope="module")
def ictrp_links(ictrp_candidates: list[LinkCandidate]) -> dict[tuple[str, str], Link]:
    return {(link.trial_id, link.linked_trial_id): link for link in find_links(ictrp_candidates)}


def test_ictrp_same_trial_in_two_registries(ictrp_links: dict[tuple[str, str], Link]) -> None:
    """Checked by hand: SOLIDARITY (ISRCTN/EU), DisCoVeRy (NCT/EU), the dental pulp stem cell trial
    (ChiCTR/NCT), CounterCovid (EU/NTR)."""
    for pair in [
        ("euctr:EUCTR2020-001366-11-ES", "isrctn:ISRCTN83971151"),
        ("ctgov:NCT04315948", "euctr:EUCTR2020-000936-23-FR"),
        ("chictr:ChiCTR2000031319", "ctgov:NCT04336254"),
        ("euctr:EUCTR2020-001236-10-NL", "other:NL8491"),
    ]:
        assert ictrp_links[pair].method == "title_similarity"
        assert ictrp_links[pair].score >= 0.9


def test_ictrp_ambiguous_and_short_titles_do_not_link(ictrp_links: dict[tuple[str, str], Link]) -> None:
    """The EU rhACE2 record matches two NCT records equally well; 'Sarilumab COVID-19' is too short."""
    linked = {trial for pair in ictrp_links for trial in pair}
    assert "euctr:EUCTR2020-001172-15-DK" not in linked
    assert "euctr:EUCTR2020-001162-12-FR" not in linked
    assert len(ictrp_links) == 23


def test_links_computed_on_a_parse_worker_are_the_links_computed_here(
    ictrp_candidates: list[LinkCandidate], tmp_path: Path
) -> None:
    """At the end of a run the links are computed in a fresh worker process, from the candidates' rows
    in a Parquet file, and the parse pool's workers are let go; without a running pool, here."""
    folder = tmp_path / "links"
    folder.mkdir()
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "trial_id": c.trial_id,
                    "registry": c.registry,
                    "registry_id": c.registry_id,
                    "secondary_ids": list(c.secondary_ids),
                    "title": c.title,
                    "brief_title": c.brief_title,
                    "start_year": c.start_year,
                }
                for c in ictrp_candidates
            ]
        ),
        folder / warehouse_links.CANDIDATES_FILE,
    )
    assert parse_pool.run_later(os.getpid)() == os.getpid()  # no pool: here
    assert parse_pool.run_later(os.getpid, in_worker=True)() != os.getpid()  # asked for: a worker of its own
    try:
        parse_worker = parse_pool.run(os.getpid, workers=2)  # starts the pool, as a run's first batch does
        links_worker = parse_pool.run_later(os.getpid)()
        assert links_worker not in (os.getpid(), parse_worker)
        assert parse_pool.run(os.getpid, workers=2) not in (parse_worker, links_worker)  # the pool was replaced
        on_worker = parse_pool.run_later(warehouse_links.compute, folder)
        links, cluster_ids = links_and_clusters(ictrp_candidates)
        assert on_worker() == (links, cluster_ids)
    finally:
        parse_pool.shutdown()
    assert len(links) == 23  # as test_ictrp_ambiguous_and_short_titles_do_not_link counts them
    assert warehouse_links.compute(folder) == (links, cluster_ids)  # again, over the worker's database
    assert ("chictr:ChiCTR2000031319", "ctgov:NCT04336254") in {(x.trial_id, x.linked_trial_id) for x in links}
    assert ("ctgov:NCT04336254", "chictr:ChiCTR2000031319") in cluster_ids  # the smaller id names the cluster


def _exit_unless_in(pid: int) -> str:
    if os.getpid() != pid:
        os._exit(1)  # a worker that dies, as one killed for memory would
    return "computed here"


def test_a_worker_that_dies_leaves_the_work_to_this_process() -> None:
    parse_pool.run(os.getpid, workers=2)
    try:
        result = parse_pool.run_later(_exit_unless_in, os.getpid())
        assert result() == "computed here"
        assert parse_pool.run(os.getpid, workers=2) != os.getpid()  # a fresh pool for what follows
    finally:
        parse_pool.shutdown()


@pytest.fixture(scope="module")
def ictrp_warehouse(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The two ICTRP exports through `trials run`."""
    tmp_path = tmp_path_factory.mktemp("ictrp")
    return build_warehouse(tmp_path, corpora / "ictrp-covid-1128.csv.gz", corpora / "ictrp-results-2020-03.xml.gz")


@pytest.mark.flow
@pytest.mark.corpus
def test_a_run_over_two_registries_stores_and_exports_their_links(ictrp_warehouse: Warehouse) -> None:
    """More than one batch, so the links are computed in a fresh worker from the candidates file the
    run writes beside the warehouse, and removes."""
    warehouse = ictrp_warehouse
    assert warehouse.query("SELECT method, count(*) FROM trial_links GROUP BY ALL") == [("title_similarity", 23)]
    assert warehouse.query(
        "SELECT linked_trial_id, score FROM trial_links WHERE trial_id = 'chictr:ChiCTR2000031319'"
    ) == [("ctgov:NCT04336254", 1.0)]
    assert warehouse.scalar("SELECT cluster_id FROM trial_cluster_ids WHERE trial_id = 'ctgov:NCT04336254'") == (
        "chictr:ChiCTR2000031319"
    )
    assert pq.read_table(warehouse.parquet / "trial_links.parquet").num_rows == 23
    assert sorted(p.name for p in warehouse.db.parent.iterdir()) == ["parquet", "reports", "trials.duckdb"]


@pytest.mark.flow
@pytest.mark.corpus
def test_a_document_whose_trial_another_took_keeps_its_contacts_masked(ictrp_warehouse: Warehouse) -> None:
    """Most rows of the ICTRP CSV export name a trial that the XML export also holds, which wins; the
    CSV row's document is then `partial` and its trial's contacts are not stored. The contact details
    its own parse found are masked in the export all the same. (A document that lost to one in its own
    batch says 'kept from', to one loaded earlier 'now taken from': how many say which depends on the
    batch size, the total does not.)"""
    taken = ictrp_warehouse.query(
        """SELECT document_id, text, contact_spans FROM documents
           WHERE reason LIKE 'trial % now taken from %' OR reason LIKE 'trial % kept from %'"""
    )
    assert len(taken) == 565
    assert sum(bool(spans) for _, _, spans in taken) == 542
    exported = pq.read_table(ictrp_warehouse.parquet / "documents.parquet", columns=["document_id", "text"])
    texts = dict(zip(exported.column("document_id").to_pylist(), exported.column("text").to_pylist(), strict=True))
    for document_id, text, spans in taken:
        masked = texts[document_id]
        assert len(masked) == len(text)
        assert all(set(masked[s["span_start"] : s["span_end"]]) == {"x"} for s in spans)
    phone = "020- 36052117"  # in a CSV row whose trial the XML export holds: left visible before
    assert any(phone in text for _, text, _ in taken) and not any(phone in text for text in texts.values())
