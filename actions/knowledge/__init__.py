"""Knowledge base: storage (db), ingestion (ingest), retrieval (search), command line (cli)."""
