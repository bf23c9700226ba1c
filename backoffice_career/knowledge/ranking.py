"""One ranking over every passage of every document: BM25 on normalised lemmas, plus a topic boost.

The intent's topic (or the topics the words suggest) is a boost, not a filter: a passage of any
document that answers the user's words much better than the topic's passages still wins.
Constants calibrated on the development set (scripts/kb_dev_eval.py), never on test items.
"""
from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import numpy as np
from numpy.typing import NDArray

from backoffice_career.knowledge.db import ORIGIN_FILE
from backoffice_career.knowledge.index import Hit, Index
from backoffice_career.knowledge.vocabulary import Concept

# Added to the BM25 score of a topic's best passage (scaled by the passage's relative topic weight).
TOPIC_BOOST = 3.0
# A passage outside the wanted topics competes when it holds this share of the question's specific
# (non-generic) lemmas.
RIVAL_MIN_COVERAGE = 0.7


def _top(index: Index, scores: NDArray[np.float64], limit: int) -> list[Hit]:
    """The `limit` best positive scores, best first; ties in reading order (document, position)."""
    rows = np.flatnonzero(scores > 0)
    if limit <= 0 or not len(rows):
        return []
    if len(rows) > limit:
        kth = np.partition(scores[rows], len(rows) - limit)[len(rows) - limit]
        rows = rows[scores[rows] >= kth]  # keeps every tie of the last place
    order = sorted(rows.tolist(), key=lambda r: (-scores[r], index.passages[r].document, index.passages[r].position))
    return [index.passages[r].hit(scores[r]) for r in order[:limit]]


def scores(
    index: Index, terms: Sequence[str], wanted: dict[str, float], concepts: Sequence[Concept]
) -> NDArray[np.float64]:
    """Score of every passage: BM25 of `terms` + TOPIC_BOOST x topic strength for `wanted`.

    A passage no wanted topic covers must hold RIVAL_MIN_COVERAGE of the question's `concepts` (its specific
    lemmas, a vocabulary family counting once), and at least one.
    """
    topical = index.topical(wanted)
    coverage = index.concept_coverage(concepts)
    eligible = (topical > 0) | ((coverage > 0) & (coverage >= RIVAL_MIN_COVERAGE))
    total = index.bm25(terms) + TOPIC_BOOST * topical
    total[~eligible] = 0.0
    return total


def rank(
    index: Index,
    terms: Sequence[str],
    wanted: dict[str, float],
    concepts: Sequence[Concept],
    limit: int,
) -> list[Hit]:
    """Best passages of any document for the lemmas `terms` and the topic weights `wanted`, best first."""
    if not index.size:
        return []
    return _top(index, scores(index, terms, wanted, concepts), limit)


def best_match(
    index: Index, terms: Sequence[str], concepts: Sequence[Concept], own: AbstractSet[str],
    min_score: float, min_coverage: float,
) -> Hit | None:
    """The passage of any document that best matches `terms` when the NLU found no topic, if it scores at
    least `min_score` (BM25) and holds at least `min_coverage` of the question's `concepts`. A passage of a
    topic contradicts the NLU: it must hold RIVAL_MIN_COVERAGE of the question's `own` specific lemmas, with
    no synonym ("combien gagne…" is not the guide's "gagner plus")."""
    if not concepts or not index.size:
        return None
    tagged = index.tagged()
    enough = np.where(tagged, index.coverage(own) >= max(min_coverage, RIVAL_MIN_COVERAGE),
                      index.concept_coverage(concepts) >= min_coverage)
    bm25 = index.bm25(terms)
    bm25[~enough | (bm25 < min_score)] = 0.0
    best = _top(index, bm25, 1)
    return best[0] if best else None


def close_runners_up(hits: Sequence[Hit], min_ratio: float) -> list[Hit]:
    """The best hit and the hits of its document scoring at least `min_ratio` of it, without repeated
    text, in reading order. An answer quotes one document."""
    if not hits:
        return []
    best = hits[0]
    chosen, seen = [], set()
    for hit in hits:
        if hit.document != best.document or hit.score < best.score * min_ratio or hit.text in seen:
            continue
        seen.add(hit.text)
        chosen.append(hit)
    return sorted(chosen, key=lambda h: h.position)


def meaning_scores(
    index: Index,
    vectors: NDArray[np.float32],
    query_vector: NDArray[np.float32],
    concepts: Sequence[Concept],
    wanted: dict[str, float],
    lexical_weight: float,
    hint_weight: float,
) -> NDArray[np.float64]:
    """Second-chance score of every passage: cosine of meaning vectors + `lexical_weight` x share of the
    question's concepts the passage holds + `hint_weight` x topic strength of the hinted topics."""
    coverage = index.concept_coverage(concepts)
    cosine = (vectors @ query_vector).astype(np.float64) if len(vectors) else np.zeros(index.size)
    hint = np.minimum(index.topical(wanted), 1.0)
    total: NDArray[np.float64] = cosine + lexical_weight * coverage + hint_weight * hint
    return total


def document_match(scores: NDArray[np.float64], index: Index, min_score: float, min_margin: float) -> Hit | None:
    """The best passage no topic covers (an HR document) by `scores` (meaning_scores), when it clears
    `min_score` and its section beats every other section of such documents by `min_margin`: a question
    that several sections answer about as well is not clearly answered by any."""
    rows = np.flatnonzero(~index.tagged())
    if not len(rows):
        return None
    best = np.full(index.section_count, -np.inf)
    np.maximum.at(best, index.section_ids[rows], scores[rows])
    best = best[np.isfinite(best)]
    margin = float(np.diff(np.partition(best, len(best) - 2)[-2:])[0]) if len(best) > 1 else np.inf
    row = int(rows[np.argmax(scores[rows])])
    if scores[row] < min_score or margin < min_margin:
        return None
    return index.passages[row].hit(scores[row])


def section_leaders(scores: NDArray[np.float64], index: Index, min_score: float, limit: int) -> list[Hit]:
    """The best passage of each section of the HR document files (no topic covers them) by `scores`, for the sections
    whose best clears `min_score`: at most `limit`, best first. What the honest "no answer" may suggest."""
    if limit <= 0:
        return []
    rows = np.flatnonzero(~index.tagged() & (scores >= min_score))
    best: dict[int, int] = {}
    for row in rows[np.argsort(-scores[rows], kind="stable")].tolist():
        if index.passages[row].origin == ORIGIN_FILE:  # not HR's answers to queued questions
            best.setdefault(int(index.section_ids[row]), row)
        if len(best) >= limit:
            break
    return [index.passages[row].hit(scores[row]) for row in best.values()]


def second_chance(scores: NDArray[np.float64], index: Index, min_score: float) -> Hit | None:
    """The best passage by meaning_scores when it clears `min_score` (calibrated on a development set)."""
    if not index.size:
        return None
    row = int(np.argmax(scores))
    return index.passages[row].hit(scores[row]) if scores[row] >= min_score else None


def rival(index: Index, terms: Sequence[str], concepts: Sequence[Concept], document: str) -> Hit | None:
    """The passage of another document than `document` holding every concept of the question, with a better
    BM25 than every passage of `document`, when none of these holds them all; else None."""
    coverage = index.concept_coverage(concepts)
    own = index.documents == document
    if not index.size or own.all() or coverage[own].max(initial=0.0) >= 1.0:
        return None
    bm25 = index.bm25(terms)
    own_best = bm25[own].max(initial=0.0)
    bm25[own | (coverage < 1.0) | (bm25 <= own_best)] = 0.0
    best = _top(index, bm25, 1)
    return best[0] if best else None
