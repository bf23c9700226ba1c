"""Names of domain.yml used by Python code: responses, actions, forms, slots and intents.

tests/unit/test_names.py checks each one against domain.yml (RASA_* names against Rasa's built-ins),
so a rename on one side only fails the tests.
"""
from __future__ import annotations

# Slots
SLOT_EXPERIENCE_YEARS = "experience_years"
SLOT_SUPERVISED = "supervised"
SLOT_SITUATION = "situation"
SLOT_TARGET_COMPANY = "target_company"
SLOT_SKILLS = "skills"
SLOT_EDUCATION = "education"
SLOT_LAST_TOPIC = "last_topic"
PROFILE_SLOTS = (
    SLOT_EXPERIENCE_YEARS, SLOT_SUPERVISED, SLOT_SITUATION, SLOT_TARGET_COMPANY, SLOT_SKILLS, SLOT_EDUCATION,
)
CATEGORY_SLOTS = (SLOT_SUPERVISED, SLOT_SITUATION, SLOT_TARGET_COMPANY, SLOT_EDUCATION)
RASA_SLOT_REQUESTED = "requested_slot"  # Rasa's: the slot a form is asking for

# Intents
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_AFFIRM = "affirm"
INTENT_DENY = "deny"
INTENT_SKIP = "skip"
INTENT_STOP = "stop"
INTENT_INFORM_PROFILE = "inform_profile"
INTENT_GREET = "greet"
INTENT_GOODBYE = "goodbye"
INTENT_THANKS = "thanks"
INTENT_EMPTY_MESSAGE = "empty_message"
INTENT_MESSAGE_TOO_LONG = "message_too_long"
INTENT_FOREIGN_LANGUAGE = "foreign_language"
# Sent only by a button of the honest "no answer": '/ask_section{"passage_id": 12}' (an HR document's section).
INTENT_ASK_SECTION = "ask_section"
ENTITY_PASSAGE_ID = "passage_id"
RASA_INTENT_NLU_FALLBACK = "nlu_fallback"  # Rasa's: the NLU is not confident enough
# Intents that carry no question: with nothing pending they are not for HR.
DIALOGUE_INTENTS = (
    INTENT_AFFIRM, INTENT_DENY, INTENT_SKIP, INTENT_STOP, INTENT_INFORM_PROFILE,
    INTENT_GREET, INTENT_GOODBYE, INTENT_THANKS,
)
FALLBACK_INTENTS = (INTENT_OUT_OF_SCOPE, RASA_INTENT_NLU_FALLBACK)
# Small talk: a message the NLU guesses to be one of these (even unsure, misspelt) is not a question for HR.
INTENT_BOT_CHALLENGE = "bot_challenge"
SMALL_TALK_INTENTS = (INTENT_GREET, INTENT_GOODBYE, INTENT_THANKS, INTENT_BOT_CHALLENGE)

# Actions and forms
ACTION_ANSWER_TOPIC = "action_answer_topic"
ACTION_ANSWER_UNKNOWN = "action_answer_unknown"
ACTION_ANSWER_SECTION = "action_answer_section"
ACTION_LIST_TOPICS = "action_list_topics"
ACTION_GIVE_PLAN = "action_give_plan"
ACTION_SHOW_PROFILE = "action_show_profile"
ACTION_RESET_PROFILE = "action_reset_profile"
ACTION_ERASE_MY_DATA = "action_erase_my_data"
ACTION_VALIDATE_PROFILE_FORM = "validate_profile_form"
FORM_PROFILE = "profile_form"

# Responses
UTTER_KB_ANSWER = "utter_kb_answer"
UTTER_HR_ANSWER_NOTICE = "utter_hr_answer_notice"
UTTER_NO_ANSWER = "utter_no_answer"
UTTER_SECTION_GONE = "utter_section_gone"
UTTER_SECTION_SUGGESTIONS = "utter_section_suggestions"
UTTER_KB_UNAVAILABLE = "utter_kb_unavailable"
UTTER_NOTHING_PENDING = "utter_nothing_pending"
UTTER_HELP = "utter_help"
UTTER_PLAN = "utter_plan"
UTTER_PLAN_EMPTY = "utter_plan_empty"
UTTER_PROFILE_SUMMARY = "utter_profile_summary"
UTTER_PROFILE_EMPTY = "utter_profile_empty"
UTTER_PROFILE_RESET = "utter_profile_reset"
UTTER_ERASURE_DONE = "utter_erasure_done"
UTTER_ERASURE_FAILED = "utter_erasure_failed"
UTTER_ACTION_UNAVAILABLE = "utter_action_unavailable"
UTTER_TECHNICAL_PROBLEM = "utter_technical_problem"
UTTER_INVALID_EXPERIENCE_YEARS = "utter_invalid_experience_years"
# The form's "not understood" message, per profile slot.
UTTER_NOT_UNDERSTOOD = {
    SLOT_EXPERIENCE_YEARS: "utter_not_understood_experience_years",
    SLOT_SUPERVISED: "utter_not_understood_supervised",
    SLOT_SITUATION: "utter_not_understood_situation",
    SLOT_TARGET_COMPANY: "utter_not_understood_target_company",
    SLOT_SKILLS: "utter_not_understood_skills",
    SLOT_EDUCATION: "utter_not_understood_education",
}
