"""Knowledge-base query benchmark: prints latency figures (no pass/fail).

    .venv/bin/python -m scripts.bench_kb [--passages 10000] [--rounds 300] [--large-rounds 40] [--profile]

1. The real source text (data/knowledge/), as the bot uses it.
2. A generated corpus of about 10,000 plausible French passages (sentences of the source text
   recombined, with varied back-office vocabulary), written as documents into a temp directory
   and built with the same build() path as the real knowledge base.

Targets: p95 < 5 ms on the source text, < 50 ms on 10,000 passages (spaCy lemmatisation included).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import List

from backoffice_career.knowledge.db import make_engine
from backoffice_career.knowledge.factory import build_normalizer
from backoffice_career.knowledge.ingest import build, read_documents
from backoffice_career.knowledge.search import KnowledgeBase
from backoffice_career.knowledge.text import fold, load_topics
from backoffice_career.settings import load_settings

QUESTIONS = [
    ("comment devenir gestionnaire de back office ?", "how_to_become"),
    ("faut il maitriser excel et word", "office_software"),
    ("c koi le back office", "back_office_definition"),
    ("ou suivre des cours de compta", "courses"),
    ("l'interim c'est une bonne porte d'entree ?", "temp_work_entry"),
    ("quelle formation ?", None),
    ("la PAO permet d'etre mieux paye ?", None),
]
ROUNDS = 300
LARGE_ROUNDS = 40
TARGETS_MS = {"source": 5.0, "large": 50.0}

# -- generated corpus -------------------------------------------------------------------------

# Words of the source text, each with French alternatives of the same kind (back-office jobs).
SUBSTITUTIONS = {
    "bureau": ["bureau", "service administratif", "cabinet", "agence", "siège", "service comptable"],
    "entreprise": ["entreprise", "société", "mutuelle", "banque", "compagnie d'assurance", "PME", "collectivité"],
    "logiciels": ["logiciels", "progiciels de gestion", "outils collaboratifs", "ERP", "applications métier"],
    "comptabilité": ["comptabilité", "paie", "facturation", "trésorerie", "comptabilité fournisseurs", "recouvrement"],
    "employés": ["employés", "collaborateurs", "assistants", "agents administratifs", "gestionnaires", "techniciens"],
    "tâches": ["tâches", "missions", "opérations", "activités", "procédures", "contrôles"],
    "expérience": ["expérience", "pratique", "ancienneté", "savoir-faire"],
    "formation": ["formation", "certification", "licence professionnelle", "remise à niveau", "diplôme"],
    "départements": ["départements", "services", "pôles", "équipes", "directions"],
    "responsables": ["responsables", "chefs de service", "managers", "coordinateurs", "superviseurs"],
    "ressources informatiques": ["ressources informatiques", "archives", "dossiers clients", "stocks", "contrats"],
    "livres": ["livres", "comptes", "registres", "rapprochements bancaires", "écritures"],
}
CLAUSES = [
    "dans le secteur bancaire", "au sein d'une compagnie d'assurance", "dans une collectivité territoriale",
    "pour le traitement des commandes", "lors de la clôture mensuelle", "pendant les périodes de forte activité",
    "dans un groupe industriel", "pour le suivi des contrats fournisseurs", "dans une agence immobilière",
    "au moment des inventaires", "pour la gestion des réclamations", "dans le respect des procédures qualité",
    "avec un logiciel de gestion intégré", "en lien avec le service juridique", "dans une plateforme logistique",
    "pour l'archivage des pièces justificatives", "auprès des équipes commerciales", "dans un hôpital",
    "lors d'un audit interne", "pour la préparation de la paie", "dans une jeune entreprise en croissance",
]
# Sentences of the same register about other back-office tasks (a larger, more varied vocabulary).
ROLES = ["le gestionnaire", "l'assistant de gestion", "le technicien de paie", "la comptable fournisseurs",
         "l'agent de recouvrement", "le chargé de clientèle", "la responsable administrative", "l'opérateur de saisie",
         "le contrôleur de gestion", "la secrétaire de direction", "l'assistante RH", "le gestionnaire de sinistres"]
VERBS = ["vérifier", "contrôler", "saisir", "archiver", "valider", "relancer", "classer", "transmettre", "rapprocher",
         "mettre à jour", "suivre", "traiter", "préparer", "analyser", "corriger", "planifier", "numériser", "consolider"]
NOUNS = ["factures", "bons de commande", "avoirs", "échéanciers", "devis", "notes de frais", "bulletins de paie",
         "déclarations sociales", "contrats de travail", "dossiers fournisseurs", "fiches clients", "tableaux de bord",
         "inventaires", "budgets prévisionnels", "courriers", "plannings", "justificatifs", "litiges", "remboursements",
         "virements", "prélèvements", "encaissements", "indicateurs", "habilitations", "demandes de congé",
         "arrêts maladie", "sinistres", "souscriptions", "résiliations", "avenants", "réclamations", "expéditions",
         "réceptions de marchandises", "écritures de clôture", "immobilisations", "tickets restaurant", "mutuelles"]
QUALIFIERS = ["chaque semaine", "avant la fin du mois", "dans l'outil de gestion", "selon la procédure interne",
              "sous le contrôle du responsable", "pour le commissaire aux comptes", "en lien avec la direction financière",
              "à partir des pièces justificatives", "dans les délais réglementaires", "avec un tableur partagé",
              "pour chaque filiale", "à la demande des clients", "après validation du manager"]
CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Bordeaux", "Toulouse", "Marseille", "Strasbourg", "Grenoble", "Dijon",
          "Rouen", "Metz", "Tours", "Angers", "Brest", "Nancy", "Limoges", "Amiens", "Poitiers", "Orléans", "Caen",
          "Besançon", "Perpignan", "Clermont-Ferrand", "Montpellier", "Nice", "Reims", "Le Havre", "Pau", "Annecy"]
OPENERS = ["En général", "Souvent", "Dans bien des cas", "Le plus souvent", "Selon les employeurs", "Au quotidien"]
TITLE_WORDS = ["Fiche pratique", "Guide", "Note interne", "Parcours", "Questions fréquentes", "Repères"]


def source_sentences(directory: Path) -> List[str]:
    sentences = []
    for document in read_documents(directory):
        for paragraph in document.paragraphs:
            sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", paragraph) if len(s.strip()) > 20]
    return sentences


def _avoid_marker(sentence: str, markers, rng: random.Random) -> str:
    """A generated sentence must not start with a continuation marker ("Cela", "Ces"...): it would
    join the previous sentence's passage. Such a sentence gets an opener ("Souvent, ces cours...")."""
    folded = fold(sentence)
    if any(folded.startswith(m.strip()) for m in markers):
        return f"{rng.choice(OPENERS)}, {sentence[0].lower()}{sentence[1:]}"
    return sentence


def _substitute(sentence: str, rng: random.Random) -> str:
    for word, choices in SUBSTITUTIONS.items():
        if rng.random() < 0.7:
            # Only after a space: "l’entreprise" keeps its word (elision).
            sentence = re.sub(rf"(?<= ){re.escape(word)}\b", rng.choice(choices), sentence, count=1)
    return sentence


def generate_sentence(sentences: List[str], rng: random.Random, markers) -> str:
    kind = rng.random()
    if kind < 0.35:
        role = rng.choice(ROLES)
        text = (f"{rng.choice(OPENERS)}, {role} doit {rng.choice(VERBS)} les {rng.choice(NOUNS)} "
                f"{rng.choice(QUALIFIERS)}, notamment à {rng.choice(CITIES)}, et {rng.choice(VERBS)} les "
                f"{rng.choice(NOUNS)} {rng.choice(CLAUSES)}.")
        return text[0].upper() + text[1:]
    if kind < 0.6:
        # Two source sentences spliced at a comma: start of one, end of the other.
        first, second = rng.choice(sentences), rng.choice(sentences)
        head = first.split(",")[0].rstrip(".")
        tail = second.split(",", 1)[1] if "," in second else " " + second[0].lower() + second[1:]
        text = f"{head},{tail}"
    elif kind < 0.85:
        text = rng.choice(sentences).rstrip(".") + f" {rng.choice(CLAUSES)}."
    else:
        base = rng.choice(sentences)
        text = f"{rng.choice(OPENERS)}, {base[0].lower()}{base[1:]}"
    text = _avoid_marker(_substitute(text, rng), markers, rng)
    text = re.sub(r"\s+", " ", text).strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def write_corpus(target: Path, sentences: List[str], passages: int, markers, seed: int = 42,
                 per_paragraph: int = 5, per_document: int = 100) -> int:
    """Documents of `per_document` sentences in paragraphs of `per_paragraph`; returns the sentence count."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    written, number = 0, 0
    while written < passages:
        number += 1
        count = min(per_document, passages - written)
        paragraphs = [
            " ".join(generate_sentence(sentences, rng, markers) for _ in range(min(per_paragraph, count - i)))
            for i in range(0, count, per_paragraph)
        ]
        title = f"{rng.choice(TITLE_WORDS)} n° {number} : le back-office {rng.choice(CLAUSES)}"
        (target / f"corpus-{number:04d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
        written += count
    return written


# -- measurement ------------------------------------------------------------------------------


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(label, fn, rounds, target_ms=None):
    fn()  # warm-up (index load)
    times = []
    for _ in range(rounds):
        for question, topic in QUESTIONS:
            start = time.perf_counter()
            fn(question, topic)
            times.append((time.perf_counter() - start) * 1000)
    p95 = percentile(times, .95)
    verdict = "" if target_ms is None else f"  target p95 < {target_ms:g} ms: {'met' if p95 < target_ms else 'MISSED'}"
    print(
        f"{label:<38} n={len(times):>5}  p50={percentile(times, .5):7.3f} ms  "
        f"p95={p95:7.3f} ms  p99={percentile(times, .99):7.3f} ms  mean={statistics.mean(times):7.3f} ms{verdict}"
    )
    return p95


def run_queries(kb: KnowledgeBase, normalizer, rounds: int, target_ms: float) -> dict:
    lemmas = {q: normalizer.lemmas(q) for q, _ in QUESTIONS}
    results = {
        "retrieval": measure("retrieval (lemmas given)",
                             lambda q=None, t=None: kb.search(topic=t, extra_terms=lemmas.get(q, [])), rounds),
        "full": measure("retrieval + spaCy lemmatisation", lambda q=None, t=None: kb.search(q, topic=t), rounds,
                        target_ms),
        "extra": measure("extra_answer (no topic, HR path)",
                         lambda q=None, t=None: kb.extra_answer(q or QUESTIONS[0][0], 2.0, 0.5), rounds),
    }
    return results


def profile_queries(kb: KnowledgeBase, rounds: int = 5) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for question, topic in QUESTIONS:
            kb.search(question, topic=topic)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print(f"\ncProfile of {rounds * len(QUESTIONS)} searches on the large corpus (sorted by own time):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=10_000, help="size of the generated corpus (0: skip)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of the questions, source text")
    parser.add_argument("--large-rounds", type=int, default=LARGE_ROUNDS, help="rounds, generated corpus")
    parser.add_argument("--profile", action="store_true", help="cProfile the searches on the generated corpus")
    args = parser.parse_args()

    settings = load_settings()
    normalizer = build_normalizer(settings)
    topics = load_topics(settings.topics_file, normalizer)
    summary = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'kb.sqlite'}")
        report = build(engine, settings.knowledge_dir, normalizer, topics)
        kb = KnowledgeBase(engine, normalizer, topics, normalizer.config)
        print(f"== source text: {report.passages} passages (SQLite), {len(QUESTIONS)} questions x {args.rounds} rounds")
        summary["source"] = (report.passages, run_queries(kb, normalizer, args.rounds, TARGETS_MS["source"]))
        engine.dispose()

        if args.passages > 0:
            corpus = Path(tmp) / "corpus"
            sentences = source_sentences(settings.knowledge_dir)
            start = time.perf_counter()
            written = write_corpus(corpus, sentences, args.passages, normalizer.config.continuation_markers)
            engine = make_engine(f"sqlite:///{Path(tmp) / 'large.sqlite'}")
            large = build(engine, corpus, normalizer, topics)
            built = time.perf_counter() - start
            kb = KnowledgeBase(engine, normalizer, topics, normalizer.config)
            start = time.perf_counter()
            kb.check()  # first query: loads the index (again after each revision, e.g. an HR answer)
            loaded = time.perf_counter() - start
            index = kb._current_index()
            tagged = sum(1 for p in index.passages if p.topics)
            print(f"\n== generated corpus: {written} sentences in {large.documents} documents -> {large.passages} "
                  f"passages ({tagged} tagged with a topic, {len(index.idf)} distinct lemmas), built in {built:.0f} s, "
                  f"index loaded in {loaded * 1000:.0f} ms; "
                  f"{len(QUESTIONS)} questions x {args.large_rounds} rounds")
            summary["large"] = (large.passages, run_queries(kb, normalizer, args.large_rounds, TARGETS_MS["large"]))
            if args.profile:
                profile_queries(kb)
            engine.dispose()

    print("\n== summary: p95 of a knowledge-base query (spaCy lemmatisation + retrieval)")
    for name, (passages, results) in summary.items():
        target = TARGETS_MS[name]
        print(f"{'source text' if name == 'source' else 'generated corpus':<17} {passages:>6} passages: "
              f"p95 {results['full']:.2f} ms (retrieval alone {results['retrieval']:.2f} ms; "
              f"extra_answer {results['extra']:.2f} ms); target < {target:g} ms: "
              f"{'met' if results['full'] < target else 'MISSED'}")


if __name__ == "__main__":
    main()
