# Rasa server image: the official rasa/rasa:3.6.21-full plus the French spaCy model.
#
# The NLU pipeline (config.yml) uses SpacyNLP with fr_core_news_md, which the -full image does not ship
# (its spaCy is rasa's own pin, < 3.5, without a French model). models/bot.tar.gz was trained with the
# versions pinned in requirements.txt (spaCy 3.8.11, fr_core_news_md 3.8.0): the same versions are
# installed here (requirements.txt as pip constraints), so that the features at run time match training.
# Project code (launcher/ that starts the server, rasa_server/, backoffice_career/ for the tracker store's
# masking, hence phonenumbers and python-stdnum of backoffice_career/privacy/), data/ and the model are mounted by
# docker-compose.yml.
FROM rasa/rasa:3.6.21-full

USER root
COPY requirements.txt /tmp/requirements.txt
# The spaCy model is not on PyPI: its wheel comes from its release URL (and leaves the constraints).
RUN grep -v '^fr_core_news_md' /tmp/requirements.txt > /tmp/constraints.txt \
    && pip install --no-cache-dir -c /tmp/constraints.txt \
        spacy phonenumbers python-stdnum \
        "fr_core_news_md @ https://github.com/explosion/spacy-models/releases/download/fr_core_news_md-3.8.0/fr_core_news_md-3.8.0-py3-none-any.whl" \
    && rm /tmp/requirements.txt /tmp/constraints.txt
USER 1001
