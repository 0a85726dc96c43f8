"""The SQLite store: schema, migrations, transactions, documents and their audit trail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storytrace.errors import StoreError
from storytrace.model import Block, Document, EntityMention, InputError, Line, RemovedLine, Sentence
from storytrace.store import Store
from storytrace.store.schema import SCHEMA_VERSION


def _doc(doc_id: str = "d1", location: str = "a.txt") -> Document:
    return Document(
        id=doc_id,
        text="",
        format="text",
        location=location,
        raw="Title\nShare this\nBody line one.",
        title="Title",
        removed=[RemovedLine(1, "Share this", "pattern:share")],
    )


def test_new_store_is_wal_with_foreign_keys_and_current_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_keeps_data_and_does_not_remigrate(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as store, store.transaction():
        store.add_document(_doc(), [Line("Body line one.", "paragraph", 2)])
    with Store(path) as store:
        assert store.count() == 1
        assert store.schema_version == SCHEMA_VERSION


def test_store_from_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database, just some bytes " * 100)
    with pytest.raises(StoreError, match="not a storytrace store"):
        Store(path)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nope" / "s.db")


def test_same_content_at_a_second_location_is_one_document(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store, store.transaction():
        assert store.add_document(_doc(location="a.txt"), [])
        assert not store.add_document(_doc(location="b.txt"), [])
        assert store.count() == 1
        assert store.locations("d1") == ["a.txt", "b.txt"]
        assert store.has_location("b.txt")


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.add_document(_doc(), [Line("Body line one.")])
            raise RuntimeError("interrupted")
        assert store.count() == 0
        assert store.count("removed_lines") == 0


def test_clean_and_annotate_round_trip_with_audit_trail(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        with store.transaction():
            store.add_document(_doc(), [Line("Body line one.", "paragraph", 2)])
            text = "Body line one."
            changed = store.set_clean(
                "d1", text, [Block(0, len(text))], [RemovedLine(5, "Tags: x", "corpus:repeated")]
            )
            assert changed
            store.set_annotations(
                "d1", [Sentence(0, 0, 14, text)], [EntityMention(0, 0, 4, "Body", "ORG")]
            )
        doc = store.get(store.resolve_id("d"))
        assert doc.text == "Body line one."
        assert [r.reason for r in doc.removed] == ["pattern:share", "corpus:repeated"]
        assert doc.sentences[0].text == "Body line one."
        assert doc.entities[0].label == "ORG"
        assert store.search_sentences("line")[0][0] == "d1"
        # Same clean text again: annotations stay, nothing to redo.
        with store.transaction():
            assert not store.set_clean("d1", text, [Block(0, len(text))], [])
        assert store.ids_with_status("annotated") == ["d1"]
        assert [r.reason for r in store.get("d1").removed] == ["pattern:share"]


def test_changed_clean_text_drops_stale_sentences_and_index(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store, store.transaction():
        store.add_document(_doc(), [])
        store.set_clean("d1", "Old words here.", [Block(0, 15)], [])
        store.set_annotations("d1", [Sentence(0, 0, 15, "Old words here.")], [])
        store.set_clean("d1", "New text.", [Block(0, 9)], [])
        assert store.count("sentences") == 0
        assert store.search_sentences("old") == []
        assert store.ids_with_status("cleaned") == ["d1"]


def test_resolve_id_by_prefix_and_location_and_errors(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store, store.transaction():
        store.add_document(_doc("dabc1"), [])
        store.add_document(_doc("dabc2", location="z.txt"), [])
        assert store.resolve_id("dabc1") == "dabc1"
        assert store.resolve_id("z.txt") == "dabc2"
        with pytest.raises(KeyError, match="several"):
            store.resolve_id("dabc")
        with pytest.raises(KeyError, match="no document"):
            store.resolve_id("zzz")
        # LIKE wildcards in user input are literal characters.
        with pytest.raises(KeyError):
            store.resolve_id("%")


def test_errors_and_finished_inputs_are_remembered(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as store, store.transaction():
        store.add_error(InputError("x.bin", "binary file"))
        store.mark_input_done("k1", "a.txt", 1, 0)
    with Store(path) as store:
        assert [str(e) for e in store.errors()] == ["x.bin: binary file"]
        assert store.input_done("k1")
        assert not store.input_done("k2")


def test_changed_clean_text_drops_story_evidence_and_its_counts(tmp_path: Path) -> None:
    import numpy as np

    from storytrace.stories.text import story_text

    with Store(tmp_path / "s.db") as store, store.transaction():
        store.add_document(_doc(), [])
        store.set_clean("d1", "Velmora quake kills 12.", [Block(0, 23)], [])
        mention = EntityMention(0, 0, 7, "Velmora", "GPE")
        store.set_annotations("d1", [Sentence(0, 0, 23, "Velmora quake kills 12.")], [mention])
        store.stories.add_doc(story_text(store.get("d1")), np.ones(4), np.ones(4))
        df = store.stories.document_frequencies()
        assert df["place"]["velmora"] == 1 and df["terms"]["quake"] == 1
        store.set_clean("d1", "Different text.", [Block(0, 15)], [])
        assert store.stories.count() == 0
        assert not any(store.stories.document_frequencies().values())
