"""A generated corpus of plausible French back-office passages, for the knowledge-base benchmark.

Sentences of the guide recombined, with varied back-office vocabulary; stored as build() stores
passages (normalised lemmas, topic tags), many documents of a hundred passages.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import Document, Passage, PassageTopic, Topic, bump_revision, create_schema
from backoffice_career.knowledge.text import Normalizer, TopicSpec, fold, topic_weights

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
VERBS = ["vérifier", "contrôler", "saisir", "archiver", "valider", "relancer", "classer", "transmettre",
         "rapprocher", "mettre à jour", "suivre", "traiter", "préparer", "analyser", "corriger", "planifier",
         "numériser", "consolider"]
NOUNS = ["factures", "bons de commande", "avoirs", "échéanciers", "devis", "notes de frais", "bulletins de paie",
         "déclarations sociales", "contrats de travail", "dossiers fournisseurs", "fiches clients", "tableaux de bord",
         "inventaires", "budgets prévisionnels", "courriers", "plannings", "justificatifs", "litiges", "remboursements",
         "virements", "prélèvements", "encaissements", "indicateurs", "habilitations", "demandes de congé",
         "arrêts maladie", "sinistres", "souscriptions", "résiliations", "avenants", "réclamations", "expéditions",
         "réceptions de marchandises", "écritures de clôture", "immobilisations", "tickets restaurant", "mutuelles"]
QUALIFIERS = ["chaque semaine", "avant la fin du mois", "dans l'outil de gestion", "selon la procédure interne",
              "sous le contrôle du responsable", "pour le commissaire aux comptes",
              "en lien avec la direction financière", "à partir des pièces justificatives",
              "dans les délais réglementaires", "avec un tableur partagé", "pour chaque filiale",
              "à la demande des clients", "après validation du manager"]
CITIES = ["Lyon", "Lille", "Nantes", "Rennes", "Bordeaux", "Toulouse", "Marseille", "Strasbourg", "Grenoble", "Dijon",
          "Rouen", "Metz", "Tours", "Angers", "Brest", "Nancy", "Limoges", "Amiens", "Poitiers", "Orléans", "Caen",
          "Besançon", "Perpignan", "Clermont-Ferrand", "Montpellier", "Nice", "Reims", "Le Havre", "Pau", "Annecy"]
OPENERS = ["En général", "Souvent", "Dans bien des cas", "Le plus souvent", "Selon les employeurs", "Au quotidien"]
TITLE_WORDS = ["Fiche pratique", "Guide", "Note interne", "Parcours", "Questions fréquentes", "Repères"]


def source_sentences(directory: Path) -> list[str]:
    """The sentences of the text files of `directory` (the guide), split at their final punctuation."""
    sentences = []
    for path in sorted(directory.glob("*.txt")):
        text = re.sub(r"\s+", " ", path.read_text("utf-8"))
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]
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


def generate_sentence(sentences: list[str], rng: random.Random, markers) -> str:
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


def store_corpus(engine: Engine, normalizer: Normalizer, topics: list[TopicSpec], sentences: list[str],
                 passages: int, seed: int = 42, per_document: int = 100) -> int:
    """Adds `passages` generated passages (one sentence each) to the knowledge base; returns the count tagged
    with a topic. Lemmatised in batches (no parser: one sentence is one passage)."""
    rng = random.Random(seed)
    markers = normalizer.config.continuation_markers
    texts = [generate_sentence(sentences, rng, markers) for _ in range(passages)]
    lemmas = normalizer.lemmas_many(texts)
    create_schema(engine)
    tagged = 0
    with Session(engine) as session, session.begin():
        topic_ids = {t.name: t.id for t in session.scalars(select(Topic))}
        next_id = (session.scalar(select(func.max(Passage.id))) or 0) + 1
        for start in range(0, passages, per_document):
            number = start // per_document + 1
            title = f"{rng.choice(TITLE_WORDS)} n° {number} : le back-office {rng.choice(CLAUSES)}"
            document = Document(name=f"corpus-{number:05d}.txt", title=title)
            session.add(document)
            session.flush()
            rows = [
                {"id": next_id + start + i, "document_id": document.id, "position": i + 1,
                 "paragraph": i // 5 + 1, "sentence_start": 1, "sentence_end": 1, "text": texts[start + i],
                 "lemmas": " ".join(lemmas[start + i])}
                for i in range(min(per_document, passages - start))
            ]
            session.execute(insert(Passage), rows)
            ids = [row["id"] for row in rows]
            weights = [topic_weights(lemmas[start + i], topics) for i in range(len(rows))]
            links = [{"passage_id": pid, "topic_id": topic_ids[name], "weight": w}
                     for pid, found in zip(ids, weights, strict=True) for name, w in found.items() if name in topic_ids]
            tagged += sum(1 for found in weights if found)
            if links:
                session.execute(insert(PassageTopic), links)
        bump_revision(session)
    return tagged
