"""Interview frames (data/question_frames.yml) are taken out of a question, for the NLU and for the ranking."""
from __future__ import annotations

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backoffice_career.frames import QuestionFrames, load_question_frames, without_frames
from rasa_server.nlu.input_guard import InputSanitizer

FRAMED = "D’après votre expérience, quels logiciels un employé de bureau doit-il absolument connaître ?"
PLAIN = "quels logiciels un employé de bureau doit-il absolument connaître ?"


def test_a_frame_goes_whatever_its_case_accents_apostrophe_and_spacing():
    frames = QuestionFrames(["d'après votre expérience", "vous qui êtes du métier"])
    for text in (FRAMED, f"D'APRES  VOTRE EXPERIENCE, {PLAIN}", f"d' après votre expérience : {PLAIN}"):
        assert frames.remove(text) == PLAIN, text
    assert frames.remove("Vous qui etes du metier, c'est dur ?") == "c'est dur ?"


def test_the_question_keeps_its_own_experience_and_a_bare_frame_stays():
    assert without_frames("Il faut combien d'années d'expérience pour ce poste ?").count("expérience") == 1
    own = "Mon expérience en intérim compte-t-elle ?"
    assert without_frames(own) == own
    assert without_frames("selon votre expériences passées") == "selon votre expériences passées"  # not the frame
    assert without_frames("D'après votre expérience ?") == "D'après votre expérience ?"  # nothing else to read


def test_a_missing_or_empty_file_takes_nothing_out(tmp_path):
    assert load_question_frames(tmp_path / "none.yml").remove(FRAMED) == FRAMED
    (tmp_path / "empty.yml").write_text("frames:\n", "utf-8")
    assert load_question_frames(tmp_path / "empty.yml").remove(FRAMED) == FRAMED
    (tmp_path / "odd.yml").write_text("frames: [12, null, {a: b}]\n", "utf-8")
    assert load_question_frames(tmp_path / "odd.yml").remove(FRAMED) == FRAMED


def test_the_classifier_reads_a_users_question_without_its_frame_and_training_examples_as_written():
    message = Message(data={TEXT: FRAMED})
    InputSanitizer({"rules_file": None}).process([message])
    assert message.get(TEXT) == PLAIN
    example = Message(data={TEXT: FRAMED, "intent": "ask_office_software"})
    InputSanitizer({"rules_file": None}).process_training_data(TrainingData([example]))
    assert example.get(TEXT) == FRAMED  # an edit of the frames needs no retraining


def test_the_ranking_reads_the_question_without_its_frame(kb):
    """The user's own text reaches the action server: the frame no longer pulls the experience passage."""
    assert kb.question_lemmas(FRAMED) == kb.normalizer.lemmas(PLAIN)
    assert "expérience" not in kb.query(FRAMED).text
    hit = kb.second_chance(FRAMED, None, 0.0, 0.4, 0.0)
    assert hit is not None and "logiciels" in hit.text and "expérience" not in hit.text
