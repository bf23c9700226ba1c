-- Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/).
-- The conversations (Rasa's tracker store) live in POSTGRES_DB = rasa; the knowledge base, the
-- personal plans' rules and the HR review queue in their own database:
CREATE DATABASE kb;
