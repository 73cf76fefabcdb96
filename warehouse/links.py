"""Cross-registry links over every trial in the warehouse, refreshed inside the run's transaction.

In three steps, so that the middle one can run in another process while the run does other
work: write the candidate rows to a Parquet file, compute from that file, store.

What grows with the number of trials (their titles, title words, blocking keys, candidate pairs
and registry ids) is kept in a DuckDB database of the computation's own, within
`LINKS_MEMORY_LIMIT` and spilling to disk beyond it. Python holds the candidates a batch at a
time, the candidate pairs a chunk at a time, and the trials that may link. Held in Python, the
work took about 1.2 KB a trial (0.7 GB at 200,000 trials).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import rapidfuzz

from flows import links as rules
from flows.links import (
    BLOCK_WORDS,
    MAX_BLOCK,
    Link,
    LinkCandidate,
    LinksAndClusters,
    Match,
    TitleForm,
    add_title_match,
    merged,
    registry_id_keys,
    secondary_id_links,
    title_forms,
    title_links,
    with_clusters,
)
from warehouse.load import registered
from warehouse.versions import code_version

LINKS_MEMORY_LIMIT = "128MB"
BATCH_ROWS = 8192  # candidates read and indexed at a time
PAIR_ROWS = 10_000  # candidate pairs scored at a time
CANDIDATES_FILE = "candidates.parquet"
INDEX_FILE = "index.duckdb"

_TRIALS = pa.schema(
    [
        ("idx", pa.int64()),
        ("trial_id", pa.string()),
        ("registry", pa.string()),
        ("registry_id", pa.string()),
        ("secondary_ids", pa.list_(pa.string())),
        ("start_year", pa.int64()),
        ("title", pa.string()),
        ("brief_title", pa.string()),
        ("folded_title", pa.string()),  # NULL: not compared (too short, or the same as the other form)
        ("folded_brief_title", pa.string()),
    ]
)
_KEYS = pa.schema([("idx", pa.int64()), ("key", pa.string())])
# a candidate's columns, in the order of LinkCandidate's arguments that `_candidates` takes them in
CANDIDATE_COLUMNS = ("trial_id", "registry", "registry_id", "secondary_ids", "start_year", "title", "brief_title")
_SOURCES = {"start_year": "year(start_date)"}  # how `trials` gives a candidate column


def _source(column: str) -> str:
    return _SOURCES.get(column, column)


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in CANDIDATE_COLUMNS)


def write_candidates(con: duckdb.DuckDBPyConnection, folder: Path) -> int:
    """The candidate rows into an empty `folder`, written by DuckDB within its memory limit: the run holds
    none of them while the links are computed (as Arrow, and pickled for the worker, they took 140 MB at
    200,000 trials). Returns how many there are."""
    folder.mkdir()
    written = con.execute(
        f"""COPY (SELECT {", ".join(f"{_source(column)} AS {column}" for column in CANDIDATE_COLUMNS)}
                  FROM trials ORDER BY trial_id)
            TO '{_quoted(folder / CANDIDATES_FILE)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {BATCH_ROWS})"""
    ).fetchone()
    return int(written[0]) if written else 0


def inputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What the links are computed from, in a few bytes: the code that computes them, the number of trials
    and the XOR of a hash of each one's candidate columns (trial ids are unique, so no two rows cancel out)."""
    columns = ", ".join(_source(column) for column in CANDIDATE_COLUMNS)
    count, digest = con.execute(f"SELECT count(*), bit_xor(hash({columns})) FROM trials").fetchone()  # type: ignore[misc]
    return f"{_code_version()}:{count}:{digest or 0}"


def _code_version() -> str:
    """Links stored by other link rules, or by other versions of the libraries they use, are computed again."""
    return code_version((rules.__file__, __file__), (duckdb.__version__, rapidfuzz.__version__))


def stored_inputs(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint the stored links were computed from (the latest run that says), or None."""
    row = con.execute(
        "SELECT links_inputs FROM runs WHERE links_inputs IS NOT NULL ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def compute(folder: Path) -> LinksAndClusters:
    """The links and clusters of the candidate rows `write_candidates` wrote; no warehouse, so it can run in a
    worker. Its database goes into the same folder."""
    return with_clusters(_find_links(_read_candidates(folder / CANDIDATES_FILE), folder))


def find_links(trials: Sequence[LinkCandidate]) -> list[Link]:
    """Links between `trials`, one per pair (secondary-id evidence preferred), sorted."""
    with tempfile.TemporaryDirectory(prefix="trials-links-") as folder:
        return _find_links((trials[i : i + BATCH_ROWS] for i in range(0, len(trials), BATCH_ROWS)), Path(folder))


def links_and_clusters(trials: Sequence[LinkCandidate]) -> LinksAndClusters:
    """find_links, and the cluster of every trial that is not its own cluster."""
    return with_clusters(find_links(trials))


def _read_candidates(path: Path) -> Iterator[list[LinkCandidate]]:
    """The candidates BATCH_ROWS at a time, read by DuckDB: read by pyarrow, the peak was 70 MB higher at
    200,000 trials (its allocator keeps what it frees)."""
    with duckdb.connect() as reader:
        result = reader.execute(f"SELECT {', '.join(CANDIDATE_COLUMNS)} FROM read_parquet(?)", [str(path)])
        while rows := result.fetchmany(BATCH_ROWS):
            yield _candidates(rows)


def _candidates(rows: Iterable[tuple]) -> list[LinkCandidate]:
    """Candidates from rows of (trial_id, registry, registry_id, secondary_ids, start_year, title, brief_title)."""
    return [
        LinkCandidate(trial_id, registry, registry_id, tuple(secondary_ids or ()), title, brief_title, start_year)
        for trial_id, registry, registry_id, secondary_ids, start_year, title, brief_title in rows
    ]


def _find_links(batches: Iterable[Sequence[LinkCandidate]], folder: Path) -> list[Link]:
    """In a database of its own in `folder`: a file, so that DuckDB can write out what outgrows its memory.
    One left by a worker that died is started afresh."""
    for leftover in (folder / INDEX_FILE, folder / f"{INDEX_FILE}.wal"):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(folder / INDEX_FILE))
    try:
        con.execute(f"SET memory_limit = '{LINKS_MEMORY_LIMIT}'")
        # one thread: with two, the blocking keys of 530,000 trials at times ran out of the 128 MB (the run's
        # export has the other core meanwhile)
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = false")
        _index(con, batches)
        best: dict[tuple[int, str], list[Match]] = defaultdict(list)
        for a, b, forms_a, forms_b in _candidate_pairs(con):
            add_title_match(best, a, b, forms_a, forms_b)
        named = {index for index, _registry in best} | {match[1] for matches in best.values() for match in matches}
        by_title = title_links(best, _trials(con, named))
        by_id = secondary_id_links(list(_trials(con, _sharing_registry_ids(con)).values()))
        return merged(by_title, by_id)
    finally:
        con.close()


def _index(con: duckdb.DuckDBPyConnection, batches: Iterable[Sequence[LinkCandidate]]) -> None:
    """The candidates, their compared titles and their registry ids' keys, numbered in the order given."""
    tables = {"trials": _TRIALS, "registry_keys": _KEYS, "secondary_keys": _KEYS}
    with registered(con, {table: schema.empty_table() for table, schema in tables.items()}):
        for table in tables:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM batch_{table}")
    first = 0
    for batch in batches:
        rows: dict[str, list] = {name: [] for name in _TRIALS.names}
        own: dict[str, list] = {name: [] for name in _KEYS.names}
        named: dict[str, list] = {name: [] for name in _KEYS.names}
        for index, trial in enumerate(batch, start=first):
            folded = {form.form: form.text for form in title_forms(index, trial)}
            values = (
                index,
                trial.trial_id,
                trial.registry,
                trial.registry_id,
                list(trial.secondary_ids),
                trial.start_year,
                trial.title,
                trial.brief_title,
                folded.get(0),
                folded.get(1),
            )
            for name, value in zip(_TRIALS.names, values, strict=True):
                rows[name].append(value)
            for keys, raws in ((own, [trial.registry_id]), (named, trial.secondary_ids)):
                found = [key for raw in raws for key in registry_id_keys(raw)]
                keys["idx"] += [index] * len(found)
                keys["key"] += found
        arrow = {
            "trials": _arrow(rows, _TRIALS),
            "registry_keys": _arrow(own, _KEYS),
            "secondary_keys": _arrow(named, _KEYS),
        }
        with registered(con, arrow):
            for table in arrow:
                con.execute(f"INSERT INTO {table} SELECT * FROM batch_{table}")
        first += len(batch)


def _arrow(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    """In the system allocator, which returns what is freed (pyarrow's own kept 20 MB more at 200,000 trials)."""
    pool = pa.system_memory_pool()
    return pa.Table.from_arrays([pa.array(columns[f.name], f.type, memory_pool=pool) for f in schema], schema=schema)


# a title's words (split on the single spaces of the folded text; length counts code points, as len does),
# the number of trials that use each word, and for each title the BLOCK_WORDS rarest of its words of more
# than two letters that another trial uses too, ordered by (frequency, word); a key is two of them, as the
# words' numbers: joined as strings, the keys of 530,000 trials ran out of the 128 MB. A title's words are made
# distinct in its own list: made distinct over all titles (25 million rows at 1,000,000 trials), they ran out too;
# so the counts split the titles again rather than make (trial, word) distinct over `words`
_BLOCKING_KEYS = (
    """CREATE TABLE words AS
       SELECT idx, 0 AS form, unnest(list_distinct(string_split(folded_title, ' '))) AS word FROM trials
       UNION ALL
       SELECT idx, 1 AS form, unnest(list_distinct(string_split(folded_brief_title, ' '))) AS word FROM trials""",
    """CREATE TABLE frequency AS
       SELECT word, count(*) AS trials, row_number() OVER () AS word_id
       FROM (SELECT unnest(list_distinct(list_concat(coalesce(string_split(folded_title, ' '), []),
                                                      coalesce(string_split(folded_brief_title, ' '), [])))) AS word
             FROM trials)
       GROUP BY word""",
    f"""CREATE TABLE rarest AS
        SELECT idx, form, word_id FROM (
            SELECT w.idx, w.form, f.word_id,
                   row_number() OVER (PARTITION BY w.idx, w.form ORDER BY f.trials, w.word) AS rank
            FROM words w JOIN frequency f USING (word)
            WHERE length(w.word) > 2 AND f.trials > 1)
        WHERE rank <= {BLOCK_WORDS}""",
    """CREATE TABLE blocking_keys AS
       SELECT DISTINCT a.idx, t.registry, a.word_id AS first_word, b.word_id AS second_word
       FROM rarest a JOIN rarest b ON a.idx = b.idx AND a.form = b.form AND a.word_id < b.word_id
            JOIN trials t ON t.idx = a.idx""",
)

# pairs of trials of different registries (one without a registry pairs with any) that share a key no more
# than MAX_BLOCK trials share, with what the guards and the scores need of both. Pairs of one registry are
# left out before they are made distinct: in a corpus mostly from one registry they are nearly all pairs.
_CANDIDATE_PAIRS = f"""
WITH blocks AS (
    SELECT first_word, second_word FROM blocking_keys GROUP BY ALL HAVING count(*) BETWEEN 2 AND {MAX_BLOCK}),
pairs AS (
    SELECT DISTINCT a.idx AS a, b.idx AS b
    FROM blocking_keys a JOIN blocks USING (first_word, second_word)
         JOIN blocking_keys b USING (first_word, second_word)
    WHERE a.idx < b.idx AND (a.registry IS NULL OR a.registry IS DISTINCT FROM b.registry))
SELECT p.a, {_columns("ta")}, p.b, {_columns("tb")}
FROM pairs p JOIN trials ta ON ta.idx = p.a JOIN trials tb ON tb.idx = p.b
"""


def _candidate_pairs(
    con: duckdb.DuckDBPyConnection,
) -> Iterator[tuple[LinkCandidate, LinkCandidate, list[TitleForm], list[TitleForm]]]:
    for statement in _BLOCKING_KEYS:
        con.execute(statement)
    result = con.execute(_CANDIDATE_PAIRS)
    while rows := result.fetchmany(PAIR_ROWS):
        for row in rows:
            a, b = _candidates([row[1:8], row[9:16]])
            yield a, b, title_forms(row[0], a), title_forms(row[8], b)


def _sharing_registry_ids(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The trials that share a registry id's key with another trial, or name another's, or are named."""
    rows = con.execute(
        """WITH shared AS (
               SELECT r.idx, o.idx AS other FROM registry_keys r JOIN registry_keys o ON o.key = r.key
               WHERE o.idx <> r.idx
               UNION ALL
               SELECT s.idx, o.idx FROM secondary_keys s JOIN registry_keys o ON o.key = s.key
               WHERE o.idx <> s.idx)
           SELECT idx FROM shared UNION SELECT other FROM shared"""
    ).fetchall()
    return {index for (index,) in rows}


def _trials(con: duckdb.DuckDBPyConnection, indexes: set[int]) -> dict[int, LinkCandidate]:
    """The candidates numbered `indexes`, in their order."""
    with registered(con, {"wanted": pa.table({"idx": pa.array(sorted(indexes), pa.int64())})}):
        rows = con.execute(
            f"SELECT t.idx, {_columns('t')} FROM trials t JOIN batch_wanted USING (idx) ORDER BY t.idx"
        ).fetchall()
    return dict(zip((row[0] for row in rows), _candidates(row[1:] for row in rows), strict=True))


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


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
