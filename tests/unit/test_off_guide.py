"""Questions the guide never answers, worded like its topics (issue 12, families of phrasings): becoming another
trade ("comment devenir …", data/kb/other_jobs.yml) and the cost or funding of something, or a pay figure
(data/kb/scope.yml), get the honest "no answer", even when the NLU is sure of a topic intent; the job's own titles
stay in scope.
Known limit: a trade the tagger reads as an adjective after "devenir" ("devenir couvreur", "devenir charcutier")
is not recognised."""
from __future__ import annotations

import pytest

from actions.actions import ActionAnswerTopic, ActionAnswerUnknown
from tests.helpers.trackers import make_tracker, run

COSTS = [
    "Combien coûte une formation de secrétariat en ligne ?",
    "le CPF peut payer un cours de tableur ?",
    "Quel est le tarif des cours du soir pour adultes ?",
    "Les assistants de direction touchent-ils un bonus en fin d'année ?",  # pay on top (pay_words)
    "il y a un 13e mois ou un treizième mois dans les banques ?",
    "la formation de secrétaire médicale dure combien de mois ?",  # a duration (duration_words)
    "quelle est la durée d'un contrat d'intérim en général ?",
    "vaut mieux apprendre Cegid ou EBP pour trouver du boulot ?",  # a named product (product_words)
    "SAP c'est demandé dans les offres de back office ?",
    "Un office manager qui débute gagne combien par mois ?",  # a pay figure (pay_figure_phrases)
    "Et vous, vous gagnez combien en tant que responsable administratif ?",
    "quel salaire pour une assistante qui passe cheffe de bureau",
    "Combien touche un responsable du back-office après dix ans de métier ?",
    "Existe-t-il une aide financière pour une reconversion dans l'administratif ?",  # funding (funding_phrases)
    "Ma formation de comptabilité peut-elle être prise en charge par l'OPCO ?",
    "y a des aides de pôle emploi pr se former au secrétariat ?",
    "Des aides existent pour passer un diplôme en gestion quand on est au chômage ?",
]
OTHER_TRADES = [
    "Comment devenir ostéopathe ?",
    "je veux devenir serrurier, je dois faire quoi",
    "c'est long de devenir contrôleur aérien ?",
    "Par où commencer pour devenir une bonne infirmière scolaire ?",
]
THIS_JOB = [
    "Comment devenir gestionnaire de back-office ?",
    "comment devenir office manager quand on est assistante ?",
    "je veux devenir responsable administratif",
    "devenir directrice de bureau, ça prend combien de temps ?",
    "Comment devenir un bon gestionnaire ?",
    "peut-on devenir manager sans diplôme ?",
    "l'expérience prime-t-elle sur le diplôme pour ce poste ?",  # the verb "primer", not a bonus
    "comment devenir plus efficace au bureau ?",
    "Comment gagner plus ?",
    "Mon employeur offre des cours gratuits de tableur, c'est utile ?",
    "les postes mieux payés demandent quoi comme logiciels ?",
    "il faut combien de temps de bureau avant d'encadrer ?",  # years of experience: the guide's
    "faut-il maîtriser Excel et Word ?",  # kinds of software the guide names
    "c'est dur de devenir gestionnaire quand on est timide ?",  # "dur", not a duration
    "comment toucher un meilleur salaire sans changer de métier ?",  # better pay, not a figure
    "je voudrais gagner davantage, je fais quoi ?",
    "Inscrite à France Travail, je peux viser un poste de gestionnaire de back-office ?",  # not funding
    "Savoir utiliser un tableur, ça aide pour trouver un poste de bureau ?",  # the verb "aider"
    "J'aide à la formation des nouveaux intérimaires, c'est un plus pour devenir responsable ?",
    "J'ai pris en charge l'accueil des stagiaires cette année, ça compte ?",  # "took on", not funding
]


@pytest.mark.parametrize("text", OTHER_TRADES)
def test_another_trade_is_recognised(kb, text):
    assert kb.off_guide(text)


@pytest.mark.parametrize("text", COSTS)
def test_a_cost_funding_pay_figure_duration_or_named_product_is_off_the_guide(kb, text):
    assert kb.off_guide(text)


async def test_a_sure_topic_intent_on_a_cost_gets_the_honest_no_answer(fresh_kb):
    tracker = make_tracker(COSTS[0], "ask_courses", 0.97)
    dispatcher, _ = await run(ActionAnswerTopic(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]


@pytest.mark.parametrize("text", THIS_JOB)
def test_this_job_its_other_titles_and_better_pay_are_in_scope(kb, text):
    assert not kb.off_guide(text)


async def test_a_sure_topic_intent_on_another_trade_gets_the_honest_no_answer(fresh_kb):
    tracker = make_tracker("Comment devenir ostéopathe ?", "ask_how_to_become", 0.99)
    dispatcher, _ = await run(ActionAnswerTopic(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]


async def test_an_unsure_nlu_on_another_trade_gets_no_guide_passage(fresh_kb):
    tracker = make_tracker("quelles études pour devenir ostéopathe ?", "nlu_fallback", 0.3,
                           ranking=[("nlu_fallback", 0.5), ("ask_how_to_become", 0.45)])
    dispatcher, _ = await run(ActionAnswerUnknown(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]


async def test_the_job_itself_still_gets_the_guide(fresh_kb):
    tracker = make_tracker("Comment devenir office manager ?", "ask_how_to_become", 0.99)
    dispatcher, _ = await run(ActionAnswerTopic(lambda: fresh_kb), tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_kb_answer"
    assert message["source"].startswith("« Comment devenir gestionnaire de back office ? »")
