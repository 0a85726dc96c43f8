"""The store's schema as an ordered list of migrations.

A store file records the version it is at (``PRAGMA user_version``); opening it applies the
migrations it lacks, each in its own transaction. Never edit a released migration: append one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: documents, where they were seen, their cleaning audit trail, sentences and entities.
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        format TEXT NOT NULL CHECK (format IN ('text', 'html')),
        location TEXT NOT NULL,
        raw TEXT NOT NULL,
        title TEXT,
        url TEXT,
        site TEXT,
        author TEXT,
        published TEXT,
        published_text TEXT,
        declared_source TEXT,
        text TEXT NOT NULL DEFAULT '',
        -- extracted -> cleaned (furniture removed) -> annotated (sentences, entities)
        status TEXT NOT NULL DEFAULT 'extracted'
            CHECK (status IN ('extracted', 'cleaned', 'annotated')),
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX documents_status ON documents(status);

    -- Every place a document was seen; the same content found twice is one document.
    CREATE TABLE locations (
        location TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE
    );
    CREATE INDEX locations_doc ON locations(doc_id);

    -- Candidate body lines after extraction and per-document rules; the corpus pass decides
    -- which of them are repeated template furniture.
    CREATE TABLE lines (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        line_no INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (doc_id, idx)
    );

    CREATE TABLE removed_lines (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        line_no INTEGER NOT NULL,
        text TEXT NOT NULL,
        reason TEXT NOT NULL,
        stage TEXT NOT NULL CHECK (stage IN ('extract', 'corpus'))
    );
    CREATE INDEX removed_lines_doc ON removed_lines(doc_id);

    CREATE TABLE blocks (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        kind TEXT NOT NULL,
        PRIMARY KEY (doc_id, idx)
    );

    CREATE TABLE sentences (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (doc_id, idx)
    );

    CREATE TABLE entities (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        sentence_idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE INDEX entities_doc ON entities(doc_id);
    CREATE INDEX entities_text ON entities(text);

    -- Full-text index over sentences (BM25 retrieval for `ask`), kept in step by triggers.
    CREATE VIRTUAL TABLE sentences_fts USING fts5(
        text, content='sentences', content_rowid='rowid', tokenize='porter unicode61'
    );
    CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
        INSERT INTO sentences_fts(rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
        INSERT INTO sentences_fts(sentences_fts, rowid, text)
            VALUES ('delete', old.rowid, old.text);
    END;

    -- Finished input units (a file, a URL), so an interrupted ingest resumes where it stopped.
    CREATE TABLE inputs (
        key TEXT PRIMARY KEY,
        location TEXT NOT NULL,
        records INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        done_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    -- Problems met while reading input, kept so a user can see them after the run.
    CREATE TABLE errors (
        location TEXT NOT NULL,
        message TEXT NOT NULL,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
