"""The lean spaCy load (knowledge/lean_spacy.py): the same analyses as spacy.load, its tables in numpy arrays."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
import spacy

from backoffice_career.knowledge import lean_spacy
from backoffice_career.knowledge.lean_spacy import HashMap, HashSet
from backoffice_career.knowledge.text import QUERY_EXCLUDED
from backoffice_career.settings import ROOT

pytestmark = pytest.mark.unit

EXCLUDED = sorted(QUERY_EXCLUDED)


def project_lines() -> list[str]:
    """Every line of text of the project's data, tests and docs (about 6,400 distinct lines)."""
    lines = set()
    for folder in ("data", "tests", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".yml", ".md", ".txt", ".csv", ".json") and path.is_file() \
                    and path.stat().st_size < 2_000_000:
                for line in path.read_text("utf-8", errors="ignore").splitlines():
                    line = line.strip(" -#|>")
                    if 3 < len(line) < 400:
                        lines.add(line)
    return sorted(lines)


def analysis(doc) -> list[tuple]:
    return [(t.text, t.lemma_, t.pos_, t.tag_, str(t.morph), t.is_stop, t.norm_, t.lower_, t.is_oov,
             t.has_vector, t.vector.tobytes()) for t in doc]


@pytest.fixture(scope="module")
def lean_nlp(settings):
    return lean_spacy.load(settings.spacy_model, EXCLUDED, settings.spacy_cache_dir)


def test_every_text_of_the_project_gets_the_same_analysis(settings, lean_nlp):
    """Tokens, lemmas, parts of speech, morphology, stop words, norms and vectors, token by token."""
    full = spacy.load(settings.spacy_model, exclude=EXCLUDED)
    lines = project_lines()
    assert len(lines) > 5000
    assert [analysis(d) for d in lean_nlp.pipe(lines)] == [analysis(d) for d in full.pipe(lines)]
    for word in ("toubib", "congés", "Télétravail", "xqzwv", "", "back-office"):
        assert np.array_equal(lean_nlp.vocab[word].vector, full.vocab[word].vector)
        assert lean_nlp.vocab.has_vector(word) == full.vocab.has_vector(word)
    assert lean_nlp.vocab.vectors.n_keys == full.vocab.vectors.n_keys


def test_the_big_tables_are_numpy_backed(lean_nlp):
    assert isinstance(lean_nlp.vocab.vectors.key2row, HashMap)
    assert len(lean_nlp.vocab.strings) < 100_000  # the full store holds 712,952 strings
    lookups = lean_nlp.get_pipe("lemmatizer").lookups
    assert isinstance(lookups.get_table("lemma_lookup"), HashMap)
    assert all(isinstance(t, HashMap) for t in lookups.get_table("lemma_exc").values())
    assert all(isinstance(t, HashSet) for t in lookups.get_table("lemma_index").values())
    assert lean_nlp.pipe_names == ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]


def test_hash_map_of_strings_lists_and_ints(tmp_path):
    strings = HashMap.of_strings({lean_spacy._hash("été"): ["être", "été"], lean_spacy._hash("eu"): ["avoir"]},
                                 lists=True)
    strings.save(tmp_path / "t.a")
    strings = HashMap.open(tmp_path / "t.a")
    assert strings.get("été") == ["être", "été"] and strings["eu"] == ["avoir"]
    assert strings.get("absent", ["absent"]) == ["absent"] and "absent" not in strings
    rows = HashMap.of_ints({5: 1, 2**64 - 1: 7})
    rows.save(tmp_path / "t.b")
    rows = HashMap.open(tmp_path / "t.b")
    assert rows.get(2**64 - 1) == 7 and rows[5] == 1 and dict(rows.items()) == {5: 1, 2**64 - 1: 7}
    for hostile in (-1, 2**70, None, 3.5, b"x"):  # no crash: not found
        assert rows.get(hostile, -1) == -1
    with pytest.raises(KeyError):
        rows[6]
    words = HashSet.of(["gestion", "bureau"])
    assert "gestion" in words and "Gestion" not in words and 42 not in words


def test_a_separator_inside_a_form_is_refused():
    with pytest.raises(ValueError):
        HashMap.of_strings({1: ["a\x1fb"]}, lists=True)


def test_a_stale_copy_is_prepared_again(settings, normalizer, tmp_path):
    """A copy of another format (or of another installed model) is replaced, then loads lean."""
    target = lean_spacy.lean_dir(settings.spacy_model, tmp_path)
    target.mkdir(parents=True)
    (target / lean_spacy.MARKER).write_text(json.dumps({"format": -1, "source": "elsewhere"}), "utf-8")
    nlp = lean_spacy.load(settings.spacy_model, EXCLUDED, tmp_path)
    assert isinstance(nlp.vocab.vectors.key2row, HashMap)
    assert json.loads((target / lean_spacy.MARKER).read_text("utf-8"))["format"] == lean_spacy.FORMAT
    text = "Elles devront encadrer deux stagiaires, les nombreuses exactes."
    assert [t.lemma_ for t in nlp(text)] == [t.lemma_ for t in normalizer.nlp(text)]


def test_a_second_preparation_keeps_the_first_copy(settings, tmp_path):
    """Two processes preparing at once: the one that renames second leaves the first copy whole."""
    target = lean_spacy.lean_dir(settings.spacy_model, tmp_path)
    lean_spacy.prepare(settings.spacy_model, target)
    marker = (target / lean_spacy.MARKER).stat().st_mtime_ns
    assert lean_spacy.prepare(settings.spacy_model, target) == target
    assert (target / lean_spacy.MARKER).stat().st_mtime_ns == marker
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no work directory left behind


def test_an_unwritable_cache_falls_back_to_the_whole_model(settings, tmp_path, caplog):
    """A read-only disk: the model loads as spaCy loads it, with a warning, and still analyses."""
    blocked = tmp_path / "file"
    blocked.write_text("not a directory", "utf-8")
    with caplog.at_level(logging.WARNING):
        nlp = lean_spacy.load(settings.spacy_model, EXCLUDED, blocked / "cache")
    assert isinstance(nlp.vocab.vectors.key2row, dict)
    assert "could not be prepared" in caplog.text
    assert [t.lemma_ for t in nlp("devrez")] == ["devoir"]


def test_a_directory_model_is_its_own_source(tmp_path):
    assert lean_spacy.source_dir(str(tmp_path)) == Path(tmp_path)
