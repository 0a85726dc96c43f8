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
    # 2: reuse detection. Per-document comparison data (kept so new documents are compared
    # with old ones without recomputing them), scored candidate pairs, and the links and
    # families decided from them (recomputed as a whole after every linking run).
    """
    CREATE TABLE reuse_docs (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        encoder TEXT NOT NULL,
        sentence_ids BLOB NOT NULL,   -- int32: Sentence.index of each compared sentence
        vectors BLOB NOT NULL,        -- float16, one row per compared sentence
        doc_vector BLOB NOT NULL,     -- float32, unit mean of the sentence vectors
        minhash BLOB NOT NULL,        -- uint32 MinHash signature of word bigrams
        terms TEXT NOT NULL,          -- content terms, space separated (document frequencies)
        compared INTEGER NOT NULL DEFAULT 0  -- 1 once its candidate pairs are scored
    );

    CREATE TABLE reuse_terms (
        term TEXT PRIMARY KEY,
        df INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- One row per direction of a compared pair: does doc_id derive from other_id?
    CREATE TABLE reuse_pairs (
        doc_id TEXT NOT NULL REFERENCES reuse_docs(doc_id) ON DELETE CASCADE,
        other_id TEXT NOT NULL REFERENCES reuse_docs(doc_id) ON DELETE CASCADE,
        score REAL NOT NULL,
        direction REAL NOT NULL,
        trigrams REAL NOT NULL,
        coverage REAL NOT NULL,
        size INTEGER NOT NULL,
        features BLOB NOT NULL,            -- float32, storytrace.reuse.features.FEATURE_NAMES
        direction_features BLOB NOT NULL,  -- float32, DIRECTION_NAMES
        PRIMARY KEY (doc_id, other_id)
    );
    CREATE INDEX reuse_pairs_other ON reuse_pairs(other_id);

    CREATE TABLE reuse_links (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        origin_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        confidence REAL NOT NULL,
        direction_confidence REAL NOT NULL,
        coverage REAL NOT NULL,
        origin_coverage REAL NOT NULL,
        reasons TEXT NOT NULL  -- JSON list of strings
    );
    CREATE INDEX reuse_links_doc ON reuse_links(doc_id);
    CREATE INDEX reuse_links_origin ON reuse_links(origin_id);

    CREATE TABLE reuse_alignments (
        link_id INTEGER NOT NULL REFERENCES reuse_links(id) ON DELETE CASCADE,
        doc_sentence INTEGER NOT NULL,
        origin_sentence INTEGER NOT NULL,
        similarity REAL NOT NULL,
        overlap REAL NOT NULL
    );
    CREATE INDEX reuse_alignments_link ON reuse_alignments(link_id);

    CREATE TABLE families (
        id TEXT PRIMARY KEY,
        root_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        confidence REAL NOT NULL,
        external_origin TEXT
    );

    CREATE TABLE family_members (
        family_id TEXT NOT NULL REFERENCES families(id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('origin', 'derivative')),
        depth INTEGER NOT NULL,
        parents TEXT NOT NULL,  -- JSON list of doc ids
        PRIMARY KEY (family_id, doc_id)
    );
    CREATE INDEX family_members_doc ON family_members(doc_id);
    """,
    # 3: stories and topics. Per-document grouping evidence (bags of words and names, lead
    # vectors), the candidate pairs with their latest scores, and the stories, topics and
    # story changes decided from them.
    """
    CREATE TABLE story_docs (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        data TEXT NOT NULL,          -- JSON: storytrace.stories.text.StoryText without vectors
        lead_vector BLOB NOT NULL,   -- float16: title and first sentences
        plain_vector BLOB NOT NULL   -- float16: the text with names and numbers taken out
    );

    CREATE TABLE story_df (
        bag TEXT NOT NULL,
        term TEXT NOT NULL,
        df INTEGER NOT NULL,
        PRIMARY KEY (bag, term)
    ) WITHOUT ROWID;

    -- Candidate pairs (doc_id < other_id); scores are refreshed on every run.
    CREATE TABLE story_pairs (
        doc_id TEXT NOT NULL REFERENCES story_docs(doc_id) ON DELETE CASCADE,
        other_id TEXT NOT NULL REFERENCES story_docs(doc_id) ON DELETE CASCADE,
        event REAL NOT NULL DEFAULT 0,
        topic REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (doc_id, other_id)
    );
    CREATE INDEX story_pairs_other ON story_pairs(other_id);

    CREATE TABLE topics (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL
    );

    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        topic_id TEXT NOT NULL,
        label TEXT NOT NULL,
        first_date TEXT,
        last_date TEXT,
        undated INTEGER NOT NULL,
        origins INTEGER NOT NULL,
        entities TEXT NOT NULL  -- JSON list of {key, name, documents}
    );

    CREATE TABLE story_members (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        story_id TEXT NOT NULL,
        centrality REAL NOT NULL  -- mean P(same event) with the other members
    );
    CREATE INDEX story_members_story ON story_members(story_id);

    -- What each run did to the stories (new, grow, merge, split), kept across runs.
    CREATE TABLE story_changes (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        kind TEXT NOT NULL CHECK (kind IN ('new', 'grow', 'merge', 'split')),
        story_id TEXT NOT NULL,
        others TEXT NOT NULL,  -- JSON list of story ids
        documents INTEGER NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX story_changes_story ON story_changes(story_id);
    """,
    # 4: claims. Per-document claims (kept: they depend on the document alone), and per
    # story the linked entities, claim clusters with their support, and disagreements
    # (recomputed for a story whenever its documents or their families change).
    """
    CREATE TABLE claim_docs (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        model TEXT NOT NULL,           -- detector version the claims came from
        claims INTEGER NOT NULL
    );

    CREATE TABLE claims (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        sentence_idx INTEGER NOT NULL,
        score REAL NOT NULL,
        source TEXT,
        source_kind TEXT NOT NULL CHECK (source_kind IN ('outlet', 'named', 'unnamed')),
        hedge TEXT NOT NULL CHECK (hedge IN ('fact', 'reported', 'speculative')),
        cues TEXT NOT NULL,            -- JSON list of the words behind source and hedge
        triggers TEXT NOT NULL,        -- JSON [start, end, "VERB"|"NOUN"] spans in the sentence
        PRIMARY KEY (doc_id, sentence_idx)
    );

    -- Stories are rebuilt as a whole by the story stage, so these tables hold story ids
    -- without a foreign key; the claim stage drops rows of stories that no longer exist.
    CREATE TABLE claim_stories (
        story_id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL      -- members, families and model the results came from
    );

    CREATE TABLE claim_clusters (
        id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        label TEXT NOT NULL,
        documents INTEGER NOT NULL,
        origins INTEGER NOT NULL,
        outlets INTEGER NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        hedges TEXT NOT NULL,          -- JSON {hedge: members}
        sources TEXT NOT NULL          -- JSON {source: members}
    );
    CREATE INDEX claim_clusters_story ON claim_clusters(story_id);

    CREATE TABLE claim_members (
        cluster_id TEXT NOT NULL REFERENCES claim_clusters(id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL,
        sentence_idx INTEGER NOT NULL,
        also INTEGER NOT NULL DEFAULT 0,  -- 1: the claim's main cluster is another one
        PRIMARY KEY (cluster_id, doc_id, sentence_idx)
    );

    CREATE TABLE disagreements (
        story_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('number', 'date', 'name')),
        doc_id TEXT NOT NULL,
        sentence_idx INTEGER NOT NULL,
        other_doc_id TEXT NOT NULL,
        other_sentence_idx INTEGER NOT NULL,
        value TEXT NOT NULL,
        other_value TEXT NOT NULL,
        similarity REAL NOT NULL
    );
    CREATE INDEX disagreements_story ON disagreements(story_id);

    CREATE TABLE story_entities (
        story_id TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        label TEXT NOT NULL,
        aliases TEXT NOT NULL,         -- JSON list of written forms
        mentions INTEGER NOT NULL,
        documents INTEGER NOT NULL,
        PRIMARY KEY (story_id, key)
    );
    """,
    # 5: story timelines (rebuilt as a whole from the claims on each run) and document dates.
    """
    CREATE TABLE timeline_entries (
        id INTEGER PRIMARY KEY,
        story_id TEXT NOT NULL,
        value TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        precision TEXT NOT NULL,
        label TEXT NOT NULL,
        cluster_id TEXT NOT NULL,
        documents INTEGER NOT NULL,
        origins INTEGER NOT NULL,
        sources TEXT NOT NULL  -- JSON list of TimelineSource
    );
    CREATE INDEX timeline_entries_story ON timeline_entries(story_id, sort_key);

    CREATE TABLE timeline_unresolved (
        story_id TEXT NOT NULL,
        source TEXT NOT NULL   -- JSON TimelineSource
    );
    CREATE INDEX timeline_unresolved_story ON timeline_unresolved(story_id);

    CREATE TABLE doc_dates (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        earliest TEXT,
        latest TEXT,
        estimated INTEGER NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 6: the pipeline's record. Per stage, the version and parameters its stored results
    # were made with and the generation of each input it read; per artefact (what a stage
    # produces: "sentences", "families", ...), the generation of its latest change. A stage
    # whose inputs, version or parameters changed since its last run is stale.
    """
    CREATE TABLE stage_runs (
        stage TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        params TEXT NOT NULL,          -- JSON: the parameters its results depend on
        inputs TEXT NOT NULL,          -- JSON {artefact: generation} read by that run
        seconds REAL NOT NULL,
        summary TEXT NOT NULL,         -- JSON {count: value}: what the run did
        finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    CREATE TABLE artefacts (
        name TEXT PRIMARY KEY,
        generation INTEGER NOT NULL,   -- increases with every change, across artefacts
        stage TEXT NOT NULL,           -- the stage that produced it
        changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    -- Stages started and not finished: a run that was interrupted may have written part of
    -- its results, so when it finishes its artefacts count as changed whatever it reports.
    CREATE TABLE stage_started (
        stage TEXT PRIMARY KEY,
        at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );

    -- Results of stages that need no table of their own: one JSON value per key (usually a
    -- document id), so that adding a stage needs no migration (docs/architecture.md).
    CREATE TABLE stage_data (
        stage TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (stage, key)
    ) WITHOUT ROWID;
    """,
    # 7: claims inside events. A claim cluster is one claim (the sentences that state it) in
    # an event; each member says how it relates to the claim, and only "states" and
    # "entails" count as support. Disagreements may be contradictions. Claims stored by
    # earlier versions counted support per event: they are rebuilt (the claim stage's
    # version changed with this).
    """
    ALTER TABLE claim_clusters ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE claim_members ADD COLUMN relation TEXT NOT NULL DEFAULT 'states'
        CHECK (relation IN ('states', 'entails', 'partial', 'contradicts', 'conflicts'));

    CREATE TABLE disagreements_7 (
        story_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('number', 'date', 'name', 'contradiction')),
        doc_id TEXT NOT NULL,
        sentence_idx INTEGER NOT NULL,
        other_doc_id TEXT NOT NULL,
        other_sentence_idx INTEGER NOT NULL,
        value TEXT NOT NULL,
        other_value TEXT NOT NULL,
        similarity REAL NOT NULL
    );
    INSERT INTO disagreements_7 SELECT * FROM disagreements;
    DROP TABLE disagreements;
    ALTER TABLE disagreements_7 RENAME TO disagreements;
    CREATE INDEX disagreements_story ON disagreements(story_id);
    """,
    # 8: the answer index (`storytrace ask`): per document, the sentences fit to answer a
    # question (and its headline) with their vectors, kept so that a question reads them
    # instead of encoding the store again; built incrementally by the index stage.
    """
    CREATE TABLE answer_index (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        encoder TEXT NOT NULL,
        sentence_ids BLOB NOT NULL,   -- int32: Sentence.index of each candidate sentence
        vectors BLOB NOT NULL         -- float16, one unit row per candidate sentence
    );
    """,
    # 9: the claim-pair model's readings, by content: a pair of sentences is read once per
    # model version, so re-runs and added documents read only pairs never read before.
    """
    CREATE TABLE pair_readings (
        key BLOB PRIMARY KEY,  -- sha1 of the model version and both sentences, in order
        entails REAL NOT NULL,
        entailed_by REAL NOT NULL,
        contradicts REAL NOT NULL,
        paraphrase REAL NOT NULL,
        similarity REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # 10: what each story's timeline was built from, so a run rebuilds only the timelines
    # of stories whose claims, documents or families changed.
    """
    CREATE TABLE timeline_stories (
        story_id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 11: corpus-wide figures given from outside the store. Batch mode analyses a corpus in
    # partitions, each in a store of its own, and gives every partition the whole corpus's
    # document frequencies, document counts and template lines, so that idf and furniture
    # are decided as in one store holding every document. Empty in an ordinary store.
    """
    CREATE TABLE corpus_figures (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL    -- JSON
    ) WITHOUT ROWID;
    CREATE TABLE corpus_df (
        kind TEXT NOT NULL,    -- 'reuse' (content terms) or 'stories'
        bag TEXT NOT NULL,     -- the story stage's bag ('' for reuse terms)
        term TEXT NOT NULL,
        df INTEGER NOT NULL,
        PRIMARY KEY (kind, bag, term)
    ) WITHOUT ROWID;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
