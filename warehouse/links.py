"""Cross-registry links over every trial in the warehouse, refreshed inside the run's transaction.

In three steps, so that the middle one can run in another process while the run does other
work: read the candidate rows (as Arrow, compact to hold and to send), compute, store.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from flows.links import LinkCandidate, LinksAndClusters, links_and_clusters


def candidate_rows(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return con.execute(
        """SELECT trial_id, registry, registry_id, secondary_ids, title, brief_title,
                  year(start_date) AS start_year, conditions
           FROM trials ORDER BY trial_id"""
    ).to_arrow_table()


def compute(rows: pa.Table) -> LinksAndClusters:
    """The links and clusters of the candidate rows; no database, so it can run on a parse worker."""
    candidates = [
        LinkCandidate(
            r["trial_id"],
            r["registry"],
            r["registry_id"],
            tuple(r["secondary_ids"] or ()),
            r["title"],
            r["brief_title"],
            r["start_year"],
            tuple(r["conditions"] or ()),
        )
        for r in rows.to_pylist()
    ]
    return links_and_clusters(candidates)


def store(con: duckdb.DuckDBPyConnection, computed: LinksAndClusters) -> int:
    """Replace trial_links and trial_cluster_ids; returns the number of links."""
    links, cluster_ids = computed
    link_frame = pd.DataFrame(
        [(x.trial_id, x.linked_trial_id, x.method, x.score, x.evidence) for x in links],
        columns=["trial_id", "linked_trial_id", "method", "score", "evidence"],
    )
    cluster_frame = pd.DataFrame(cluster_ids, columns=["trial_id", "cluster_id"])
    con.execute("DELETE FROM trial_links")
    con.execute("DELETE FROM trial_cluster_ids")
    con.register("new_links", link_frame)
    con.register("new_clusters", cluster_frame)
    try:
        con.execute("INSERT INTO trial_links BY NAME SELECT * FROM new_links")
        con.execute("INSERT INTO trial_cluster_ids BY NAME SELECT * FROM new_clusters")
    finally:
        con.unregister("new_links")
        con.unregister("new_clusters")
    return len(links)
