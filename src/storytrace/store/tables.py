"""A store's tables as Parquet files, and back: how batch mode's full analysis hands over.

Each partition of a corpus analysed in parts is a store of its own; its tables are exported
(:func:`export_tables`), the partitions' files merged per table (:func:`merge_tables`), and
``storytrace ingest OUT/analysis`` loads the result into one store (:func:`load_tables`)
with every id as the analysis gave it, so the web app, ``ask`` and reports read it as any
store. Content ids (documents, families, stories, claims) are the same in every partition;
integer row ids are made unique by putting the partition number in their high 32 bits.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from storytrace.errors import StorytraceError
from storytrace.store.schema import SCHEMA_VERSION
from storytrace.store.sqlite import Store

ANALYSIS_SCHEMA = "storytrace.analysis/1"
ANALYSIS_MANIFEST = "analysis.json"
# Tables that are not results: the FTS index (rebuilt by triggers as sentences load), the
# figures a partition was given, and runs in progress.
_SKIPPED = ("corpus_figures", "corpus_df", "stage_started")
# Integer row ids, and the columns that refer to them, per table.
_ROW_IDS = {
    "reuse_links": ("id",),
    "reuse_alignments": ("link_id",),
    "story_changes": ("id",),
    "timeline_entries": ("id",),
}
# Document frequencies are summed over partitions (each counted its own documents).
_SUMMED = {"reuse_terms": ("term",), "story_df": ("bag", "term")}
# The same row in every partition (a stage's record, a pair read by content): kept once
# when loading; the artefacts' generations are merged from the first partition only.
_ONCE = ("stage_runs", "artefacts", "pair_readings")
_FIRST_PARTITION = ("artefacts",)
_BATCH_ROWS = 20_000


class TablesError(StorytraceError):
    """An analysis folder that cannot be loaded (not one, another version, a store in use)."""


def table_names(store: Store) -> list[str]:
    """The store's result tables, in the order they were created (parents first)."""
    rows = store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'sentences_fts%' ORDER BY rowid"
    )
    return [name for (name,) in rows if name not in _SKIPPED]


def _schema(store: Store, table: str) -> Any:
    import pyarrow as pa

    kinds = {"INTEGER": pa.int64(), "REAL": pa.float64(), "BLOB": pa.binary()}
    columns = store.conn.execute(f"PRAGMA table_info({table})").fetchall()
    return pa.schema([(c[1], kinds.get(c[2].upper(), pa.string())) for c in columns])


def export_tables(
    store: Store,
    folder: Path,
    partition: int = 0,
    tables: Collection[str] | None = None,
    stages: Collection[str] | None = None,
) -> dict[str, int]:
    """The store's result tables (all, or ``tables``) to ``folder/TABLE.parquet``; rows
    per table. ``stages``: only these stages' records in ``stage_runs``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in table_names(store):
        if tables is not None and table not in tables:
            continue
        schema = _schema(store, table)
        shifted = {schema.get_field_index(c) for c in _ROW_IDS.get(table, ())}
        tmp = folder / f".{table}.parquet.tmp"
        with pq.ParquetWriter(tmp, schema) as writer:
            rows = 0
            for chunk in _chunks(store, table):
                if table == "stage_runs" and stages is not None:
                    chunk = [row for row in chunk if row[0] in stages]
                if shifted:
                    chunk = [_shift(row, shifted, partition) for row in chunk]
                columns = list(zip(*chunk, strict=True)) if chunk else [[] for _ in schema]
                arrays = [pa.array(col, f.type) for col, f in zip(columns, schema, strict=True)]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                rows += len(chunk)
        tmp.replace(folder / f"{table}.parquet")
        counts[table] = rows
    return counts


def _chunks(store: Store, table: str) -> Iterator[list[tuple[Any, ...]]]:
    cursor = store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid" if _has_rowid(store, table)
                                else f"SELECT * FROM {table}")  # fmt: skip
    while chunk := cursor.fetchmany(_BATCH_ROWS):
        yield chunk


def _has_rowid(store: Store, table: str) -> bool:
    sql = store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    return "WITHOUT ROWID" not in sql.upper()


def _shift(row: tuple[Any, ...], columns: set[int], partition: int) -> tuple[Any, ...]:
    return tuple(v + (partition << 32) if k in columns else v for k, v in enumerate(row))


def merge_tables(folders: Sequence[Path], target: Path) -> dict[str, int]:
    """Each table's files from ``folders`` (partitions, in order; a folder may hold some
    tables only) into ``target``."""
    import pyarrow.parquet as pq

    target.mkdir(parents=True, exist_ok=True)
    names = sorted({p.stem for folder in folders for p in folder.glob("*.parquet")})
    counts = {}
    for table in names:
        files = [f for folder in folders if (f := folder / f"{table}.parquet").exists()]
        if table in _SUMMED:
            merged = _summed(files, _SUMMED[table])
        elif table == "stage_runs":
            merged = _stage_runs(files)
        else:
            merged = None
        out = target / f"{table}.parquet"
        if merged is not None:
            pq.write_table(merged, out)
            counts[table] = merged.num_rows
            continue
        schema = pq.read_schema(files[0])
        with pq.ParquetWriter(out, schema) as writer:
            rows = 0
            for path in files:
                part = pq.read_table(path)
                writer.write_table(part)
                rows += part.num_rows
                if table in _FIRST_PARTITION:
                    break  # the same record in every partition
        counts[table] = rows
    return counts


def _summed(files: Sequence[Path], keys: tuple[str, ...]) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.concat_tables(pq.read_table(path) for path in files)
    summed = table.group_by(list(keys)).aggregate([("df", "sum")])
    return (
        summed.rename_columns([*keys, "df"])
        .select(table.column_names)
        .sort_by([(k, "ascending") for k in keys])
    )


def _stage_runs(files: Sequence[Path]) -> Any:
    """Each stage's record from the first partition that has one, with its seconds and
    counts summed over the partitions that ran it (they hold disjoint documents)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    first: dict[str, dict[str, Any]] = {}
    for path in files:
        for row in pq.read_table(path).to_pylist():
            summary = json.loads(row["summary"])
            record = first.get(row["stage"])
            if record is None:
                first[row["stage"]] = {**row, "summary": summary}
                continue
            record["seconds"] += row["seconds"]
            for key, value in summary.items():
                if isinstance(value, int | float):
                    record["summary"][key] = record["summary"].get(key, 0) + value
    for row in first.values():
        row["summary"] = json.dumps(row["summary"], sort_keys=True)
    return pa.Table.from_pylist(list(first.values()), schema=pq.read_schema(files[0]))


def _document_column(table: str, columns: Sequence[str]) -> str | None:
    """The column naming the document a row of ``table`` belongs to; None: no document's."""
    if table == "documents":
        return "id"
    if table == "stage_data":
        return "key"  # a stage's per-document results are keyed by the document
    return "doc_id" if "doc_id" in columns else None


# Tables of the store as a whole, copied with the first source: the stages' records and
# the figures the corpus gave (so the copied stages stay up to date).
_WHOLE_STORE = ("stage_runs", "artefacts", "corpus_figures", "corpus_df")


def copy_documents(target: Store, source: Path, doc_ids: Sequence[str], first: bool) -> int:
    """Copy ``doc_ids``'s rows from the store at ``source`` into ``target``, with the
    store-wide records when ``first``; documents copied. Term counts are not copied: call
    ``recount`` on the target's tables afterwards."""
    conn = target.conn
    conn.execute("ATTACH DATABASE ? AS source", (str(source),))
    try:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
        with target.transaction():
            conn.execute("DELETE FROM temp.wanted")
            conn.executemany("INSERT OR IGNORE INTO temp.wanted VALUES (?)",
                             ((d,) for d in doc_ids))  # fmt: skip
            for table in _copied_tables(target, first):
                columns = [c[1] for c in conn.execute(f"PRAGMA main.table_info({table})")]
                key = None if table in _WHOLE_STORE else _document_column(table, columns)
                keys = list(dict.fromkeys([*([key] if key else []), *_document_refs(conn, table)]))
                where = " AND ".join(f"{k} IN (SELECT id FROM temp.wanted)" for k in keys)
                where = f" WHERE {where}" if where else ""
                names = ", ".join(columns)
                conn.execute(f"INSERT INTO main.{table}({names}) "
                             f"SELECT {names} FROM source.{table}{where}")  # fmt: skip
            copied = conn.execute(
                "SELECT count(*) FROM main.documents WHERE id IN (SELECT id FROM temp.wanted)"
            ).fetchone()[0]
    finally:
        conn.execute("DETACH DATABASE source")
    return int(copied)


def _copied_tables(target: Store, first: bool) -> list[str]:
    """Tables of per-document rows (a pair or link only when both its documents are
    copied), and the store-wide ones with the first source. Rows hanging from another
    result (a family's members, a link's alignments) are not documents' rows: never
    copied (batch mode copies from stores run up to ``embed``, where those are empty)."""
    names = []
    for table in [*table_names(target), "corpus_figures", "corpus_df"]:
        columns = [c[1] for c in target.conn.execute(f"PRAGMA main.table_info({table})")]
        parents = {r[2] for r in target.conn.execute(f"PRAGMA main.foreign_key_list({table})")}
        if table in _WHOLE_STORE:
            if first:
                names.append(table)
        elif _document_column(table, columns) and parents <= _DOCUMENT_TABLES:
            names.append(table)
    return names


# Tables keyed by the document: a row referring to one of them belongs to its document.
_DOCUMENT_TABLES = {"documents", "reuse_docs", "story_docs"}


def _document_refs(conn: Any, table: str) -> list[str]:
    """The columns of ``table`` that name a document (a pair names two; a link its origin)."""
    rows = conn.execute(f"PRAGMA main.foreign_key_list({table})")
    return [r[3] for r in rows if r[2] in _DOCUMENT_TABLES]


def load_tables(store: Store, folder: Path) -> dict[str, int]:
    """Load an analysis folder into an empty store; rows per table."""
    import pyarrow.parquet as pq

    manifest = _manifest(folder)
    if store.count() or store.runs.record("read") is not None:
        raise TablesError(f"{store.path}: not empty; load an analysis into a new store")
    counts = {}
    for table in table_names(store):
        path = folder / f"{table}.parquet"
        if table not in manifest["tables"] or not path.exists():
            continue
        columns = [c[1] for c in store.conn.execute(f"PRAGMA table_info({table})")]
        verb = "INSERT OR IGNORE" if table in _ONCE else "INSERT"
        sql = (f"{verb} INTO {table}({', '.join(columns)}) "
               f"VALUES ({', '.join('?' * len(columns))})")  # fmt: skip
        rows = 0
        with store.transaction():
            for chunk in pq.ParquetFile(path).iter_batches(_BATCH_ROWS, columns=columns):
                data = chunk.to_pydict()
                store.conn.executemany(sql, zip(*(data[c] for c in columns), strict=True))
                rows += chunk.num_rows
        counts[table] = rows
    return counts


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / ANALYSIS_MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TablesError(
            f"{folder}: not an analysis folder (no readable {ANALYSIS_MANIFEST})"
        ) from exc
    if manifest.get("store_schema") != SCHEMA_VERSION:
        raise TablesError(
            f"{folder}: tables of store schema v{manifest.get('store_schema')}, this "
            f"storytrace has v{SCHEMA_VERSION}; run the analysis again with this version"
        )
    if manifest.get("schema") != ANALYSIS_SCHEMA:
        raise TablesError(
            f"{folder}: analysis format {manifest.get('schema')!r}, this storytrace reads "
            f"{ANALYSIS_SCHEMA!r}"
        )
    return manifest


def is_analysis(path: Path) -> bool:
    return path.is_dir() and (path / ANALYSIS_MANIFEST).exists()


# Columns that say when, not what: two runs on the same inputs differ only there.
CLOCK_COLUMNS = {
    "documents": ("added_at",),
    "inputs": ("done_at",),
    "errors": ("at",),
    "story_changes": ("at",),
    "stage_runs": ("seconds", "finished_at"),
    "artefacts": ("changed_at",),
}


def differing_tables(first: Path, second: Path) -> list[str]:
    """Tables of two analysis folders that differ in anything but their clock columns."""
    import pyarrow.parquet as pq

    names = {p.stem for p in first.glob("*.parquet")} | {p.stem for p in second.glob("*.parquet")}
    differ = []
    for table in sorted(names):
        paths = (first / f"{table}.parquet", second / f"{table}.parquet")
        if not all(p.exists() for p in paths):
            differ.append(table)
            continue
        a, b = (pq.read_table(p) for p in paths)
        drop = [c for c in CLOCK_COLUMNS.get(table, ()) if c in a.column_names]
        if not a.drop_columns(drop).equals(b.drop_columns(drop)):
            differ.append(table)
    return differ
