# Action server image: the official rasa/rasa-sdk:3.6.2 plus what actions/ imports beyond rasa_sdk.
#
#   SQLAlchemy 1.4      backoffice_career/knowledge/db.py, backoffice_career/privacy/erasure.py (knowledge base, review queue, erasure)
#   psycopg2-binary     the PostgreSQL driver behind KB_DATABASE_URL / TRACKER_DB_URL (postgresql://)
#   PyYAML              data/kb/kb.yml, data/kb/topics.yml, data/advice/*.yml, data/privacy.yml...
#   pydantic 1.10       the settings (backoffice_career/settings.py)
#   bm25s, numpy        the knowledge base's BM25 index (backoffice_career/knowledge/index.py)
#   snowballstemmer     French stems of derived words (the same index)
#   pypdf, python-docx, beautifulsoup4, markdown-it-py
#                       the knowledge documents' readers (backoffice_career/knowledge/readers/)
#   phonenumbers, python-stdnum
#                       personal data masking (backoffice_career/privacy/)
#   slack_sdk           HR's answer posted in the asker's Slack thread (backoffice_career/review/delivery.py)
#   spaCy 3.8 + fr_core_news_md 3.8.0
#                       lemmatisation of questions (backoffice_career/knowledge/text.py), same model as the NLU
#   srsly               spaCy's serialiser: the model's lean copy (backoffice_career/knowledge/lean_spacy.py)
#   (matplotlib and Jinja2 are only used by the HR report, `kb report`, never by the action server.)
#   (sanic, imported by actions/server.py for the token check, comes with rasa_sdk in the base image.)
#
# Versions come from requirements.txt (used as a pip constraints file), so the image runs the same
# versions as the tested virtualenv. The code itself (./actions, ./backoffice_career, ./launcher that starts
# the server) and the data (./data) are mounted by docker-compose.yml, not copied: an edit of the advice
# rules needs a restart, not a rebuild.
# Built on the base image's Python (3.10 for the rasa-sdk 3.6 images; spaCy 3.8 needs >= 3.9).
FROM rasa/rasa-sdk:3.6.2

USER root
COPY requirements.txt /tmp/requirements.txt
# The spaCy model is not on PyPI: its wheel comes from its release URL (and leaves the constraints).
RUN grep -v '^fr_core_news_md' /tmp/requirements.txt > /tmp/constraints.txt \
    && pip install --no-cache-dir -c /tmp/constraints.txt \
        SQLAlchemy psycopg2-binary PyYAML pydantic spacy srsly numpy bm25s snowballstemmer \
        pypdf python-docx beautifulsoup4 markdown-it-py phonenumbers python-stdnum slack_sdk \
        "fr_core_news_md @ https://github.com/explosion/spacy-models/releases/download/fr_core_news_md-3.8.0/fr_core_news_md-3.8.0-py3-none-any.whl" \
    && rm /tmp/requirements.txt /tmp/constraints.txt
USER 1001
