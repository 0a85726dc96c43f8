"""The embedded store: one SQLite file in WAL mode.

All writes of a batch happen in one transaction, so an interrupted run leaves either the whole
batch or none of it; re-running picks up from the last committed batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from storytrace.errors import StoreError
from storytrace.model import (
    Block,
    Document,
    EntityMention,
    InputError,
    Line,
    RemovedLine,
    Sentence,
)
from storytrace.store.answers import AnswerIndexTables
from storytrace.store.claims import ClaimTables, entity_mentions
from storytrace.store.corpus import CorpusTables
from storytrace.store.reuse import ReuseTables
from storytrace.store.runs import RunTables
from storytrace.store.schema import MIGRATIONS, SCHEMA_VERSION
from storytrace.store.stage_data import StageDataTables
from storytrace.store.stories import StoryTables
from storytrace.store.timeline import TimelineTables
from storytrace.util import place_name

_DOC_FIELDS = (
    "id, format, location, raw, title, url, site, author, published, published_text, "
    "declared_source, text, status"
)


@dataclass(slots=True)
class DocSummary:
    id: str
    title: str | None
    site: str | None
    published: str | None
    declared_source: str | None
    location: str
    status: str
    sentences: int
    removed: int


class Store:
    """Documents and everything derived from them, in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.conn = _connect(self.path)
        self._migrate()
        self.reuse = ReuseTables(self.conn)
        self.stories = StoryTables(self.conn)
        self.claims = ClaimTables(self.conn)
        self.timeline = TimelineTables(self.conn)
        self.runs = RunTables(self.conn)
        self.stage_data = StageDataTables(self.conn)
        self.answers = AnswerIndexTables(self.conn)
        self.corpus = CorpusTables(self.conn)

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes: commit on success, roll back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema v{version} is newer than this storytrace "
                f"(v{SCHEMA_VERSION}); upgrade storytrace"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as conn:
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- ingest bookkeeping ----------------------------------------------------------------
    def input_done(self, key: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM inputs WHERE key = ?", (key,)).fetchone()
        return row is not None

    def mark_input_done(self, key: str, location: str, records: int, errors: int) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO inputs(key, location, records, errors) VALUES (?, ?, ?, ?)",
            (key, location, records, errors),
        )

    def has_location(self, location: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM locations WHERE location = ?", (location,)
        ).fetchone()
        return row is not None

    def add_error(self, error: InputError) -> None:
        self.conn.execute(
            "INSERT INTO errors(location, message) VALUES (?, ?)", (error.location, error.message)
        )

    def errors(self) -> list[InputError]:
        rows = self.conn.execute("SELECT location, message FROM errors ORDER BY rowid")
        return [InputError(location, message) for location, message in rows]

    # -- documents -------------------------------------------------------------------------
    def add_document(self, doc: Document, lines: list[Line]) -> bool:
        """Store a freshly extracted document. Returns False when its content is already
        stored (then only the new location is recorded)."""
        exists = self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc.id,)).fetchone()
        if not exists:
            self.conn.execute(
                f"INSERT INTO documents({_DOC_FIELDS}) VALUES ({', '.join('?' * 13)})",
                (
                    doc.id, doc.format, doc.location, doc.raw, doc.title, doc.url, doc.site,
                    doc.author, doc.published, doc.published_text, doc.declared_source, "",
                    "extracted",
                ),
            )  # fmt: skip
            self.conn.executemany(
                "INSERT INTO lines(doc_id, idx, line_no, kind, text) VALUES (?, ?, ?, ?, ?)",
                [(doc.id, i, ln.line_no, ln.kind, ln.text) for i, ln in enumerate(lines)],
            )
            self._insert_removed(doc.id, doc.removed, "extract")
        self.conn.execute(
            "INSERT OR IGNORE INTO locations(location, doc_id) VALUES (?, ?)",
            (doc.location, doc.id),
        )
        return not exists

    def _insert_removed(self, doc_id: str, removed: Iterable[RemovedLine], stage: str) -> None:
        self.conn.executemany(
            "INSERT INTO removed_lines(doc_id, line_no, text, reason, stage) "
            "VALUES (?, ?, ?, ?, ?)",
            [(doc_id, r.line_no, r.text, r.reason, stage) for r in removed],
        )

    def iter_candidate_lines(self) -> Iterator[tuple[str, str | None, list[Line]]]:
        """(doc id, site, candidate lines) for every document, in id order."""
        docs = self.conn.execute("SELECT id, site FROM documents ORDER BY id").fetchall()
        for doc_id, site in docs:
            yield doc_id, site, self.candidate_lines(doc_id)

    def candidate_lines(self, doc_id: str) -> list[Line]:
        rows = self.conn.execute(
            "SELECT text, kind, line_no FROM lines WHERE doc_id = ? ORDER BY idx", (doc_id,)
        )
        return [Line(text, kind, line_no) for text, kind, line_no in rows]

    def set_clean(
        self, doc_id: str, text: str, blocks: list[Block], removed: list[RemovedLine]
    ) -> bool:
        """Store the cleaning result. Returns True when the clean text changed (then the
        document's annotations are stale and it goes back to 'cleaned')."""
        old_text, status = self.conn.execute(
            "SELECT text, status FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        self.conn.execute(
            "DELETE FROM removed_lines WHERE doc_id = ? AND stage = 'corpus'", (doc_id,)
        )
        self._insert_removed(doc_id, removed, "corpus")
        changed = old_text != text or status == "extracted"
        if changed:
            self.conn.execute("DELETE FROM blocks WHERE doc_id = ?", (doc_id,))
            self.conn.executemany(
                "INSERT INTO blocks(doc_id, idx, start, end, kind) VALUES (?, ?, ?, ?, ?)",
                [(doc_id, i, b.start, b.end, b.kind) for i, b in enumerate(blocks)],
            )
            self._clear_annotations(doc_id)
            self.conn.execute(
                "UPDATE documents SET text = ?, status = 'cleaned' WHERE id = ?", (text, doc_id)
            )
        return changed

    def _clear_annotations(self, doc_id: str) -> None:
        # Everything computed from the old sentences goes with them.
        self.reuse.forget(doc_id)
        self.answers.forget(doc_id)
        self.stories.forget(doc_id)
        self.conn.execute("DELETE FROM claims WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM claim_docs WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM entities WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM stage_data WHERE key = ?", (doc_id,))

    def set_annotations(
        self, doc_id: str, sentences: list[Sentence], entities: list[EntityMention]
    ) -> None:
        self._clear_annotations(doc_id)
        self.conn.executemany(
            "INSERT INTO sentences(doc_id, idx, start, end, text) VALUES (?, ?, ?, ?, ?)",
            [(doc_id, s.index, s.start, s.end, s.text) for s in sentences],
        )
        self.conn.executemany(
            "INSERT INTO entities(doc_id, sentence_idx, start, end, text, label) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, e.sentence_index, e.start, e.end, e.text, e.label) for e in entities],
        )
        self.conn.execute("UPDATE documents SET status = 'annotated' WHERE id = ?", (doc_id,))

    def ids_with_status(self, status: str) -> list[str]:
        rows = self.conn.execute("SELECT id FROM documents WHERE status = ? ORDER BY id", (status,))
        return [r[0] for r in rows]

    def resolve_id(self, prefix: str) -> str:
        """Full id from a unique prefix (users type the first few characters) or a location."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (_like_prefix(prefix),),
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if not rows:
            row = self.conn.execute(
                "SELECT doc_id FROM locations WHERE location = ?", (prefix,)
            ).fetchone()
            if row:
                return str(row[0])
            raise KeyError(f"no document matches {prefix!r}")
        raise KeyError(f"{prefix!r} matches several documents; give more characters")

    def get(self, doc_id: str) -> Document:
        row = self.conn.execute(
            f"SELECT {_DOC_FIELDS} FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no document {doc_id!r}")
        doc = Document(
            id=row[0], format=row[1], location=row[2], raw=row[3], title=row[4], url=row[5],
            site=row[6], author=row[7], published=row[8], published_text=row[9],
            declared_source=row[10], text=row[11],
        )  # fmt: skip
        doc.blocks = [
            Block(s, e, k)
            for s, e, k in self.conn.execute(
                "SELECT start, end, kind FROM blocks WHERE doc_id = ? ORDER BY idx", (doc_id,)
            )
        ]
        doc.removed = [
            RemovedLine(n, t, r)
            for n, t, r in self.conn.execute(
                "SELECT line_no, text, reason FROM removed_lines WHERE doc_id = ? "
                "ORDER BY line_no, rowid",
                (doc_id,),
            )
        ]
        doc.sentences = [
            Sentence(i, s, e, t)
            for i, s, e, t in self.conn.execute(
                "SELECT idx, start, end, text FROM sentences WHERE doc_id = ? ORDER BY idx",
                (doc_id,),
            )
        ]
        doc.entities = entity_mentions(self.conn, doc_id)
        return doc

    def locations(self, doc_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT location FROM locations WHERE doc_id = ? ORDER BY location", (doc_id,)
        )
        return [r[0] for r in rows]

    def summaries(self) -> list[DocSummary]:
        rows = self.conn.execute(
            """
            SELECT d.id, d.title, d.site, d.published, d.declared_source, d.location, d.status,
                   (SELECT count(*) FROM sentences s WHERE s.doc_id = d.id),
                   (SELECT count(*) FROM removed_lines r WHERE r.doc_id = d.id)
            FROM documents d ORDER BY d.published IS NULL, d.published, d.location
            """
        )
        return [DocSummary(*row) for row in rows]

    def titles(self) -> dict[str, tuple[str | None, str]]:
        """doc id -> (title, the file or page name it was read from): for labels, without
        the per-document counts of ``summaries``."""
        rows = self.conn.execute("SELECT id, title, location FROM documents")
        return {d: (t, place_name(loc)) for d, t, loc in rows}

    def first_locations(self) -> dict[str, str]:
        """doc id -> where it was first seen."""
        return dict(self.conn.execute("SELECT id, location FROM documents"))

    def count(self, table: str = "documents") -> int:
        if table not in {"documents", "sentences", "entities", "removed_lines", "errors"}:
            raise ValueError(table)
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def sentence_rows(self) -> list[tuple[str, int, str]]:
        """(doc id, sentence index, text) of every sentence, in document order."""
        rows = self.conn.execute("SELECT doc_id, idx, text FROM sentences ORDER BY doc_id, idx")
        return [(d, i, t) for d, i, t in rows]

    def documents_containing(self, text: str) -> set[str]:
        """Ids of the documents whose clean text contains ``text`` (case-sensitive)."""
        rows = self.conn.execute("SELECT id FROM documents WHERE instr(text, ?) > 0", (text,))
        return {r[0] for r in rows}

    def reannotate(self) -> int:
        """Send every annotated document back to be annotated again (another model):
        everything computed from its sentences goes with them."""
        ids = self.ids_with_status("annotated")
        for doc_id in ids:
            self._clear_annotations(doc_id)
        self.conn.execute("UPDATE documents SET status = 'cleaned' WHERE status = 'annotated'")
        return len(ids)

    def sentence_entities(
        self, keys: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], list[tuple[int, int, str, str]]]:
        """(doc id, sentence index) -> its entities as (start, end, text, label), offsets
        into the sentence's text, in text order."""
        found: dict[tuple[str, int], list[tuple[int, int, str, str]]] = {}
        for doc_id, idx in dict.fromkeys(keys):
            rows = self.conn.execute(
                "SELECT e.start - s.start, e.end - s.start, e.text, e.label FROM entities e "
                "JOIN sentences s ON s.doc_id = e.doc_id AND s.idx = e.sentence_idx "
                "WHERE e.doc_id = ? AND e.sentence_idx = ? ORDER BY e.start",
                (doc_id, idx),
            )
            found[(doc_id, idx)] = [(a, b, t, label) for a, b, t, label in rows]
        return found

    def search_sentences(self, query: str, limit: int = 10) -> list[tuple[str, int, str]]:
        """BM25-ranked (doc id, sentence index, text) for an FTS5 query."""
        rows = self.conn.execute(
            """
            SELECT s.doc_id, s.idx, s.text FROM sentences_fts f
            JOIN sentences s ON s.rowid = f.rowid
            WHERE sentences_fts MATCH ? ORDER BY bm25(sentences_fts) LIMIT ?
            """,
            (query, limit),
        )
        return [(d, i, t) for d, i, t in rows]


def _connect(path: Path) -> sqlite3.Connection:
    if path.exists() and path.is_dir():
        raise StoreError(f"{path}: is a folder, not a store file")
    if path.parent and not path.parent.exists():
        raise StoreError(f"{path}: folder {path.parent} does not exist")
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # WAL: readers (report, web app) never block the writer; NORMAL sync is safe with WAL.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a storytrace store ({exc})") from exc
    return conn


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
